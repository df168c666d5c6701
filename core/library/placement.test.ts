import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastLabel, newDoc } from '../song/label-recorder.test-support.ts';
import { addTrack, initSong } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import { EditError } from '../song/validate.ts';
import { libraryClip } from '../../tests/support/library-fixtures.ts';
import { insertLibraryClip, placeInSong, transposeNotes, transposition } from './placement.ts';

test('transposition: the smaller way, tonic onto tonic, or onto the relative key across modes', () => {
  assert.equal(transposition({ tonic: 4, mode: 'minor' }, { tonic: 7, mode: 'minor' }), 3);
  assert.equal(transposition({ tonic: 4, mode: 'minor' }, { tonic: 11, mode: 'minor' }), -5);
  assert.equal(transposition({ tonic: 9, mode: 'minor' }, { tonic: 0, mode: 'major' }), 0, 'A minor in C major stays');
  assert.equal(transposition({ tonic: 0, mode: 'major' }, { tonic: 4, mode: 'minor' }), -5, 'C major into E minor: onto G major');
  assert.equal(transposition(null, { tonic: 2, mode: 'major' }), 0);
  assert.deepEqual(
    transposeNotes([{ pitch: 126, tick: 0, duration: 1, velocity: 1 }], 5).map((n) => n.pitch),
    [119],
  );
});

test('a library clip placed in another song sounds in its key; drums are never transposed', () => {
  const song = { meta: { ...readSong(newDoc()).meta, key: { tonic: 7, mode: 'minor' as const } } };
  const placed = placeInSong(libraryClip(), song);
  assert.equal(placed.semitones, 3);
  assert.deepEqual(
    placed.notes.map((n) => n.pitch),
    [43, 46, 48],
  );
  assert.match(placed.note!, /up 3 semitones to G minor/);
  assert.equal(placeInSong(libraryClip({ role: 'drums' }), song).semitones, 0);
});

test('inserting is one labelled edit; it lands on a track of the role, or a new one', () => {
  const doc = newDoc();
  initSong(doc, { key: { tonic: 7, mode: 'minor' } });
  let updates = 0;
  doc.on('update', () => updates++);
  const first = insertLibraryClip(doc, readSong(doc), libraryClip({ name: 'Funky' }), { startBar: 2 });
  assert.equal(updates, 1, 'the new track and the clip are one transaction');
  assert.equal(lastLabel(doc), 'inserted "Funky" from the library (transposed up 3 semitones to G minor)');
  let song = readSong(doc);
  assert.equal(song.tracks.length, 1);
  assert.equal(song.tracks[0]!.role, 'bass');
  const clip = song.clips.find((c) => c.id === first.clipId)!;
  assert.equal(clip.startBar, 2);
  assert.deepEqual(
    clip.notes.map((n) => n.pitch),
    [43, 46, 48],
  );
  assert.equal(clip.provenance?.detail?.format, 'riffroom-library/1');

  insertLibraryClip(doc, readSong(doc), libraryClip(), { startBar: 6 });
  song = readSong(doc);
  assert.equal(song.tracks.length, 1, 'the second goes on the same bass track');
  assert.equal(song.clips.length, 2);
});

test('a refused insert writes nothing, not even the track it would have made', () => {
  const doc = newDoc();
  initSong(doc);
  addTrack(doc, { role: 'keys' });
  const before = readSong(doc);
  assert.throws(() => insertLibraryClip(doc, before, libraryClip(), { startBar: -1 }), EditError);
  assert.deepEqual(readSong(doc), before);
});
