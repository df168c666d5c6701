import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INSTRUMENT } from '../../core/song/edits.ts';
import { TRACK_ROLES } from '../../core/song/types.ts';
import { DRUM_VOICES, PRESET_BY_ROLE, drumVoiceFor, isMonophonic, presetFor, velocityToGain } from './presets.ts';

test("every role's default instrument name maps to that role's preset", () => {
  for (const role of TRACK_ROLES) assert.equal(presetFor({ role, instrument: DEFAULT_INSTRUMENT[role] }), PRESET_BY_ROLE[role]);
  assert.deepEqual(
    TRACK_ROLES.map((role) => presetFor({ role, instrument: DEFAULT_INSTRUMENT[role] })),
    ['drum-kit', 'bass', 'electric-piano', 'lead', 'pad'],
  );
});

test('instrument names pick presets by keyword; drums always get the kit, pitched tracks never do', () => {
  assert.equal(presetFor({ role: 'keys', instrument: 'Synth-Bass' }), 'bass');
  assert.equal(presetFor({ role: 'lead', instrument: 'rhodes' }), 'electric-piano');
  assert.equal(presetFor({ role: 'other', instrument: 'warm strings' }), 'pad');
  assert.equal(presetFor({ role: 'drums', instrument: 'electric-piano' }), 'drum-kit');
  assert.equal(presetFor({ role: 'keys', instrument: 'drum kit' }), 'electric-piano');
  assert.equal(presetFor({ role: 'lead', instrument: 'something new' }), 'lead');
  assert.equal(isMonophonic('bass'), true);
  assert.equal(isMonophonic('electric-piano'), false);
});

test('the General MIDI keys the brief names reach their voices; every voice is reachable', () => {
  const named: Record<number, string> = {
    36: 'kick',
    38: 'snare',
    42: 'closed-hat',
    46: 'open-hat',
    45: 'low-tom',
    48: 'mid-tom',
    50: 'high-tom',
    49: 'crash',
    51: 'ride',
  };
  for (const [pitch, voice] of Object.entries(named)) assert.equal(drumVoiceFor(Number(pitch)), voice);
  const reached = new Set(Array.from({ length: 128 }, (_, p) => drumVoiceFor(p)).filter(Boolean));
  assert.deepEqual([...reached].sort(), [...DRUM_VOICES].sort());
  assert.equal(drumVoiceFor(60), null);
});

test('velocity curve: 0 is silent, 127 is full, monotonic in between', () => {
  assert.equal(velocityToGain(0), 0);
  assert.equal(velocityToGain(127), 1);
  assert.ok(velocityToGain(64) < 0.5 && velocityToGain(64) > 0.3);
  for (let v = 1; v <= 127; v++) assert.ok(velocityToGain(v) > velocityToGain(v - 1));
});
