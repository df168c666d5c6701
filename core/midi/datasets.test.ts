/**
 * Reads real MIDI files from the shared training data (never copied into the repo) and checks the
 * results are sane and agree with an independent parser. Skipped when the data is not there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { parseMidi } from 'midi-file';
import { readSong } from '../song/schema.ts';
import { importMidiSong, readMidi, songToMidi, type ImportedMidi } from './song-midi.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const datasets = path.resolve(repoRoot, '../shared/datasets');
const grooveDir = path.join(datasets, 'groove_midi/groove');
const pop909Dir = path.join(datasets, 'pop909/POP909');

function skipUnless(dir: string): string | false {
  return fs.existsSync(dir) ? false : `dataset folder ${dir} is missing`;
}

/** `count` files spread evenly over the sorted list, so the sample covers many drummers and styles. */
function sample(files: string[], count: number): string[] {
  const sorted = [...files].sort();
  const step = Math.max(1, Math.floor(sorted.length / count));
  return sorted.filter((_f, i) => i % step === 0).slice(0, count);
}

function assertSane(midi: ImportedMidi, file: string): void {
  assert.ok(midi.bpm >= 20 && midi.bpm <= 400, `${file}: tempo ${midi.bpm}`);
  assert.ok(midi.tracks.length > 0, `${file}: no tracks`);
  for (const track of midi.tracks) {
    assert.ok(track.notes.length > 0, `${file}: track ${track.name} has no notes`);
    for (const n of track.notes) {
      assert.ok(Number.isInteger(n.pitch) && n.pitch >= 0 && n.pitch <= 127, `${file}: pitch ${n.pitch}`);
      assert.ok(Number.isInteger(n.velocity) && n.velocity >= 1 && n.velocity <= 127, `${file}: velocity ${n.velocity}`);
      assert.ok(Number.isInteger(n.tick) && n.tick >= 0, `${file}: tick ${n.tick}`);
      assert.ok(Number.isInteger(n.duration) && n.duration > 0, `${file}: duration ${n.duration}`);
      assert.ok(n.tick + n.duration <= midi.lengthTicks, `${file}: a note ends after the file's length`);
    }
  }
}

/** Note-ons (velocity > 0) as the independent midi-file parser counts them. */
function independentNoteCount(bytes: Uint8Array): number {
  return parseMidi(bytes)
    .tracks.flat()
    .filter((e) => e.type === 'noteOn' && e.velocity > 0).length;
}

function noteCount(midi: ImportedMidi): number {
  return midi.tracks.reduce((sum, t) => sum + t.notes.length, 0);
}

test('Groove MIDI drum files read as drum tracks on channel 10', { skip: skipUnless(grooveDir) }, () => {
  const files = sample(
    fs
      .readdirSync(grooveDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.mid'))
      .map((f) => path.join(grooveDir, f)),
    20,
  );
  assert.equal(files.length, 20);
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const midi = readMidi(bytes);
    assertSane(midi, file);
    assert.ok(
      midi.tracks.every((t) => t.isDrums && t.channel === 9),
      `${file}: not all drums`,
    );
    assert.equal(noteCount(midi), independentNoteCount(bytes), file);
    // The file name says the tempo, e.g. 1_rock_70_beat_6-8.mid is 70 BPM in 6/8.
    const [, bpm, numerator, denominator] = /_(\d+)_(?:beat|fill)_(\d+)-(\d+)\.mid$/.exec(file) ?? [];
    if (bpm) assert.equal(Math.round(midi.bpm), Number(bpm), file);
    if (numerator) assert.deepEqual(midi.meter, { numerator: Number(numerator), denominator: Number(denominator) }, file);
  }
});

test('POP909 songs read as MELODY, BRIDGE and PIANO tracks and survive import and export', { skip: skipUnless(pop909Dir) }, () => {
  const songs = fs
    .readdirSync(pop909Dir)
    .filter((d) => /^\d{3}$/.test(d))
    .sort()
    .slice(0, 10);
  assert.equal(songs.length, 10);
  for (const id of songs) {
    const file = path.join(pop909Dir, id, `${id}.mid`);
    const bytes = new Uint8Array(fs.readFileSync(file));
    const midi = readMidi(bytes);
    assertSane(midi, file);
    assert.deepEqual(
      midi.tracks.map((t) => t.name),
      ['MELODY', 'BRIDGE', 'PIANO'],
      file,
    );
    assert.ok(
      midi.tracks.every((t) => !t.isDrums),
      file,
    );
    assert.equal(noteCount(midi), independentNoteCount(bytes), file);

    // Into a song and back out: every note survives (the songs are far shorter than 64 bars a note).
    const doc = new Y.Doc();
    const { trackIds } = importMidiSong(doc, bytes);
    assert.equal(trackIds.length, 3);
    const song = readSong(doc);
    // Every track is program 0: only how the notes play tells the melody (a lead) from the
    // piano (keys). BRIDGE holds counter-melodies, a few of them in chords (bench/metadata).
    const [melody, bridge, piano] = song.tracks.map((t) => t.role);
    assert.deepEqual([melody, piano], ['lead', 'keys'], file);
    assert.ok(bridge === 'lead' || bridge === 'keys', file);
    const again = readMidi(songToMidi(song));
    assert.deepEqual(
      again.tracks.map((t) => t.notes),
      midi.tracks.map((t) => t.notes),
      file,
    );
  }
});
