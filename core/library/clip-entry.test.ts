import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newDoc } from '../song/label-recorder.test-support.ts';
import { addClip, addTrack, initSong, setChords } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import { libraryClipFromSong } from './clip-entry.ts';
import { checkLibraryClip } from './library-file.ts';

function song() {
  const doc = newDoc();
  initSong(doc, { title: 'Song A', bpm: 96, key: { tonic: 9, mode: 'minor' } });
  const bass = addTrack(doc, { role: 'bass', name: 'Bass' });
  setChords(doc, 0, 1920 * 8, [
    { tick: 0, duration: 3840, symbol: 'Am' },
    { tick: 3840, duration: 3840, symbol: 'F' },
    { tick: 7680, duration: 3840, symbol: 'G' },
  ]);
  const notes = [
    { pitch: 45, tick: 0, duration: 480, velocity: 100 },
    { pitch: 52, tick: 960, duration: 480, velocity: 90 },
    { pitch: 48, tick: 1920 + 100, duration: 400, velocity: 90 },
  ];
  const user = addClip(doc, { trackId: bass, startBar: 1, lengthBars: 2, name: 'Walk', notes });
  const ai = addClip(doc, {
    trackId: bass,
    startBar: 4,
    lengthBars: 1,
    notes: notes.slice(0, 2),
    provenance: {
      source: 'model',
      detail: {
        format: 'riffroom-generator/1',
        requestedBy: 'bob',
        model: { id: 'bandmate-v2', sha256: 'ff00' },
        request: { seed: 99, style: 'funk', role: 'bass' },
      },
    },
  });
  return { song: readSong(doc), user, ai };
}

test('a saved clip keeps its notes, the chords under it (relative to its first bar) and its metadata', () => {
  const { song: s, user } = song();
  const entry = libraryClipFromSong(s, user, {
    savedBy: 'alice',
    tags: [' Verse ', 'verse', 'groove'],
    now: new Date('2026-12-06T00:00:00Z'),
  });
  assert.equal(entry.name, 'Walk');
  assert.equal(entry.notes.length, 3);
  assert.deepEqual(entry.chords, [
    { tick: 0, duration: 1920, symbol: 'Am' },
    { tick: 1920, duration: 1920, symbol: 'F' },
  ]);
  assert.deepEqual(entry.tags, ['verse', 'groove']);
  assert.equal(entry.provenance.source, 'user');
  assert.equal(entry.provenance.sourceSong, 'Song A');
  assert.equal(entry.metadata.tempo.value, 96);
  assert.deepEqual(entry.metadata.key?.value, { tonic: 9, mode: 'minor' });
  assert.equal(entry.metadata.key?.confidence, 1);
  assert.equal(entry.style, 'any');
  assert.deepEqual(checkLibraryClip(entry), entry, 'what is saved passes the import check');
});

test("an AI clip's provenance keeps the model, seed, settings and who asked", () => {
  const { song: s, ai } = song();
  const entry = libraryClipFromSong(s, ai, { savedBy: 'alice' });
  assert.equal(entry.provenance.source, 'model');
  assert.equal(entry.provenance.author, 'bob');
  assert.deepEqual(entry.provenance.model, { id: 'bandmate-v2', sha256: 'ff00' });
  assert.equal(entry.provenance.seed, 99);
  assert.equal(entry.style, 'funk');
  assert.equal(entry.name, 'Bass riff');
});
