import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImportedMidi } from '../midi/midi-read.ts';
import type { NoteInput } from '../song/types.ts';
import { METADATA_VERSION, analyseClip, analyseMidi } from './metadata.ts';

const n = (tick: number, pitch: number, duration = 480): NoteInput => ({ tick, pitch, duration, velocity: 90 });
const bars = 4;

/** Four bars of a G major band: 8th-note hi-hat with kick and snare, a root-fifth bass, G-C-D-G piano chords. */
function band(): ImportedMidi {
  const drums: NoteInput[] = [];
  for (let i = 0; i < bars * 8; i++) {
    drums.push(n(i * 240, 42, 120));
    if (i % 4 === 0) drums.push(n(i * 240, i % 8 === 0 ? 36 : 38, 120));
  }
  const roots = [43, 36, 38, 43]; // G2 C2 D2 G2
  const bass = roots.flatMap((root, bar) => [0, 1, 2, 3].map((beat) => n(bar * 1920 + beat * 480, beat % 2 === 0 ? root : root + 7, 460)));
  const triads = [
    [67, 71, 74],
    [67, 72, 76],
    [66, 69, 74],
    [67, 71, 74],
  ];
  const piano = triads.flatMap((triad, bar) => triad.map((p) => n(bar * 1920, p - 12, 1920)));
  return {
    bpm: 96,
    meter: { numerator: 4, denominator: 4 },
    key: { tonic: 7, mode: 'major' },
    title: 'band',
    tracks: [
      { name: 'Drums', channel: 9, program: 0, isDrums: true, notes: drums },
      { name: 'Bass', channel: 1, program: null, isDrums: false, notes: bass },
      { name: 'Piano', channel: 2, program: 0, isDrums: false, notes: piano },
    ],
    lengthTicks: bars * 1920,
    warnings: [],
  };
}

test('a small band file: key from the pitched parts, tempo and meter from the file, a role per track', () => {
  const meta = analyseMidi(band());
  assert.equal(meta.version, METADATA_VERSION);
  assert.deepEqual(meta.key?.key, { tonic: 7, mode: 'major' });
  assert.equal(meta.key?.name, 'G major');
  assert.deepEqual(meta.statedKey, { tonic: 7, mode: 'major' });
  assert.equal(meta.bpm, 96);
  assert.equal(meta.timeSource, 'file');
  assert.deepEqual(
    meta.tracks.map((t) => [t.name, t.role]),
    [
      ['Drums', 'drums'],
      ['Bass', 'bass'],
      ['Piano', 'keys'],
    ],
  );
  // 8 hats + 2 kick/snare a bar = 10 drum notes a bar: below the drums' first threshold (14).
  assert.equal(meta.tracks[0]!.features.notesPerBar, 10);
  assert.equal(meta.tracks[0]!.energy.label, 'sparse');
  // 4 bass notes a bar reach the bass's first threshold (3.75): light.
  assert.equal(meta.tracks[1]!.energy.level, 1);
  assert.equal(meta.energy.level, 1);
  // 8th-note hats at 96 BPM: 3.2 onsets a second, over 10 s of music.
  assert.equal(meta.onsetsPerSecond, 32 / 10);
});

test('the metadata survives JSON, so a library entry can store it as it is', () => {
  const meta = analyseMidi(band());
  assert.deepEqual(JSON.parse(JSON.stringify(meta)), meta);
});

test("a clip takes its track's role and the song's tempo; drums alone have no key", () => {
  const drums = band().tracks[0]!.notes;
  const meta = analyseClip({ name: 'beat', notes: drums }, { role: 'drums', bpm: 120, meter: { numerator: 4, denominator: 4 }, key: null });
  assert.equal(meta.key, null);
  assert.equal(meta.tracks[0]!.roleBecause, 'set on the track');
  assert.equal(meta.timeSource, 'song');
  assert.ok(!meta.moods.some((m) => m.tag === 'bright' || m.tag === 'dark'));
});
