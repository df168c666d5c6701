import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPreset } from '../../core/library/library-file.ts';
import { DEFAULT_SETTINGS, type GeneratorSettings } from '../generator/settings.ts';
import { presetFromSettings, recallPreset, withRiff } from './presets.ts';

const settings: GeneratorSettings = {
  ...DEFAULT_SETTINGS,
  role: 'lead',
  style: 'funk',
  key: { tonic: 2, mode: 'minor' },
  energy: 4,
  temperature: 0.85,
  seed: 4242,
  mode: 'keep-rhythm',
  scaleLock: true,
  followChords: 0.7,
};

test('a preset recalls exactly the settings and locked bars it was saved with', () => {
  const preset = presetFromSettings('  Lead hooks ', settings, [2, 0], new Date('2026-12-06T00:00:00Z'));
  assert.equal(preset.name, 'Lead hooks');
  assert.deepEqual(checkPreset(preset), preset, 'passes the store check');
  assert.deepEqual(recallPreset(JSON.parse(JSON.stringify(preset))), { settings, lockedBars: [2, 0].sort() });
});

test('saving again under a preset keeps its id, creation time and riff; a riff is remembered', () => {
  const first = presetFromSettings('A', settings, [], new Date('2026-01-01T00:00:00Z'));
  const made = withRiff(
    first,
    { name: 'hook', notes: [{ pitch: 60, tick: 0, duration: 120, velocity: 90 }], lengthBars: 2, meter: { numerator: 4, denominator: 4 } },
    new Date('2026-01-02T00:00:00Z'),
  );
  const again = presetFromSettings('A', { ...settings, seed: 1 }, [], new Date('2026-01-03T00:00:00Z'), made);
  assert.equal(again.id, first.id);
  assert.equal(again.createdAt, first.createdAt);
  assert.equal(again.lastRiff?.notes.length, 1);
  assert.equal(recallPreset(again).settings.seed, 1);
});

test('a hostile or foreign preset is clamped into the panel ranges, never passed through', () => {
  const preset = presetFromSettings('x', settings, [], new Date());
  preset.settings = {
    role: 'kazoo',
    temperature: 99,
    seed: -5,
    energy: 'loud',
    mode: 'evil',
    key: { tonic: 40 },
    lockedBars: [1, 1, -3, 'x', 99999],
  };
  const { settings: s, lockedBars } = recallPreset(preset);
  assert.equal(s.role, DEFAULT_SETTINGS.role);
  assert.equal(s.temperature, 2);
  assert.equal(s.seed, 0);
  assert.equal(s.energy, DEFAULT_SETTINGS.energy);
  assert.equal(s.mode, 'free');
  assert.equal(s.key, null);
  assert.deepEqual(lockedBars, [1]);
});
