import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { lastLabel, newDoc } from './label-recorder.test-support.ts';
import {
  addBookmark,
  addClip,
  addNotes,
  addTrack,
  deleteClip,
  deleteNotes,
  duplicateClip,
  initSong,
  moveClip,
  moveNotes,
  removeTrack,
  replaceClipNotes,
  resizeClip,
  setChords,
  setClipLocked,
  setKey,
  setLoop,
  setMeter,
  setEditAuthor,
  setTempo,
  setTrackOwner,
  updateNotes,
  updateTrack,
  LOCAL_EDIT,
} from './edits.ts';
import { readSong } from './schema.ts';
import { EditError } from './validate.ts';

/** Two docs that exchange every update, like two bandmates on a perfect network. */
function connectedPair(): [Y.Doc, Y.Doc] {
  const a = newDoc();
  const b = newDoc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
  return [a, b];
}

test('a new song has defaults and each edit is one labelled transaction', () => {
  const doc = newDoc();
  let transactions = 0;
  doc.on('afterTransaction', () => transactions++);
  initSong(doc, { title: 'Jam', bpm: 96 });
  assert.equal(transactions, 1);
  const track = addTrack(doc, { role: 'bass' });
  assert.equal(lastLabel(doc), 'added track Bass');
  const clip = addClip(doc, { trackId: track, startBar: 0, lengthBars: 2 });
  const ids = addNotes(doc, clip, [
    { pitch: 40, tick: 0, duration: 240, velocity: 100 },
    { pitch: 43, tick: 480, duration: 240, velocity: 90 },
  ]);
  assert.equal(lastLabel(doc), 'added 2 notes');
  moveNotes(doc, clip, ids, { ticks: 120, semitones: 2 });
  assert.equal(lastLabel(doc), 'moved 2 notes');
  assert.equal(transactions, 5);
  const song = readSong(doc);
  assert.equal(song.meta.title, 'Jam');
  assert.equal(song.meta.bpm, 96);
  assert.deepEqual(
    song.clips[0]!.notes.map((n) => [n.pitch, n.tick]),
    [
      [42, 120],
      [45, 600],
    ],
  );
});

test('edits carry the local origin so a per-user undo manager sees only them', () => {
  const [a, b] = connectedPair();
  initSong(a);
  const track = addTrack(a, { role: 'drums' });
  const undo = new Y.UndoManager([a.getMap('tracks'), a.getMap('clips')], { trackedOrigins: new Set([LOCAL_EDIT]) });
  addClip(a, { trackId: track, startBar: 0, lengthBars: 1 }); // mine
  addClip(b, { trackId: track, startBar: 4, lengthBars: 1 }); // a bandmate's
  undo.undo();
  assert.deepEqual(
    readSong(a).clips.map((c) => c.startBar),
    [4],
  );
  assert.deepEqual(readSong(b), readSong(a));
});

test('concurrent edits to different notes of one clip all survive', () => {
  const a = newDoc();
  initSong(a);
  const track = addTrack(a, { role: 'keys' });
  const clip = addClip(a, {
    trackId: track,
    startBar: 0,
    lengthBars: 1,
    notes: [
      { pitch: 60, tick: 0, duration: 480, velocity: 80 },
      { pitch: 64, tick: 0, duration: 480, velocity: 80 },
    ],
  });
  const b = newDoc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  const [n1, n2] = readSong(a).clips[0]!.notes.map((n) => n.id);
  // Offline at the same time: a moves one note, b changes the other's velocity and adds one.
  moveNotes(a, clip, [n1!], { semitones: -12 });
  updateNotes(b, clip, [{ id: n2!, velocity: 127 }]);
  addNotes(b, clip, [{ pitch: 67, tick: 240, duration: 240, velocity: 70 }]);
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  const notes = readSong(a).clips[0]!.notes;
  assert.deepEqual(
    notes.map((n) => [n.pitch, n.velocity]),
    [
      [48, 80],
      [64, 127],
      [67, 70],
    ],
  );
  assert.deepEqual(readSong(b), readSong(a));
});

test('clip edits: move, resize, duplicate, delete, remove track', () => {
  const doc = newDoc();
  initSong(doc);
  const drums = addTrack(doc, { role: 'drums' });
  const bass = addTrack(doc, { role: 'bass' });
  const clip = addClip(doc, { trackId: drums, startBar: 0, lengthBars: 2, notes: [{ pitch: 36, tick: 0, duration: 120, velocity: 110 }] });
  moveClip(doc, clip, { startBar: 4, trackId: bass });
  resizeClip(doc, clip, 4);
  const copy = duplicateClip(doc, clip, { startBar: 8 });
  let song = readSong(doc);
  assert.deepEqual(
    song.clips.map((c) => [c.trackId, c.startBar, c.lengthBars, c.notes.length]),
    [
      [bass, 4, 4, 1],
      [bass, 8, 4, 1],
    ],
  );
  assert.notEqual(song.clips[0]!.notes[0]!.id, song.clips[1]!.notes[0]!.id, 'a duplicate has its own note ids');
  deleteClip(doc, copy);
  removeTrack(doc, bass);
  song = readSong(doc);
  assert.deepEqual(
    song.tracks.map((t) => t.role),
    ['drums'],
  );
  assert.equal(song.clips.length, 0, 'removing a track removes its clips');
});

test('meta, chords, bookmarks and mixer edits', () => {
  const doc = newDoc();
  initSong(doc);
  setTempo(doc, 140);
  setMeter(doc, { numerator: 6, denominator: 8 });
  setKey(doc, { tonic: 9, mode: 'minor' });
  assert.equal(lastLabel(doc), 'set key to A minor');
  setLoop(doc, { startBar: 0, endBar: 8 });
  setChords(doc, 0, 1920 * 2, [
    { tick: 0, duration: 1920, symbol: 'Am7' },
    { tick: 1920, duration: 1920, symbol: 'D7' },
  ]);
  setChords(doc, 1920, 3840, [{ tick: 1920, duration: 1920, symbol: 'Fmaj7' }]);
  addBookmark(doc, 'Chorus', 16);
  const t = addTrack(doc, { role: 'lead', name: 'Synth' });
  updateTrack(doc, t, { mute: true });
  assert.equal(lastLabel(doc), 'muted Synth');
  const song = readSong(doc);
  assert.equal(song.meta.bpm, 140);
  assert.deepEqual(song.meta.meter, { numerator: 6, denominator: 8 });
  assert.deepEqual(song.meta.loop, { startBar: 0, endBar: 8 });
  assert.deepEqual(
    song.chords.map((c) => c.symbol),
    ['Am7', 'Fmaj7'],
  );
  assert.deepEqual(
    song.bookmarks.map((b) => [b.name, b.bar]),
    [['Chorus', 16]],
  );
  assert.equal(song.tracks[0]!.mute, true);
});

test('bad arguments are clear errors and change nothing', () => {
  const doc = newDoc();
  initSong(doc);
  const track = addTrack(doc, { role: 'keys' });
  const clip = addClip(doc, { trackId: track, startBar: 0, lengthBars: 1 });
  const before = Y.encodeStateVector(doc);
  assert.throws(() => setTempo(doc, 0), /tempo must be a number from 20 to 400/);
  assert.throws(() => addNotes(doc, clip, [{ pitch: 128, tick: 0, duration: 10, velocity: 10 }]), EditError);
  assert.throws(() => addNotes(doc, clip, [{ pitch: 60, tick: 1920, duration: 10, velocity: 10 }]), /start tick/);
  assert.throws(() => addClip(doc, { trackId: 'nope', startBar: 0, lengthBars: 1 }), /no track with id nope/);
  assert.throws(() => addTrack(doc, { role: 'kazoo' as never }), /track role must be one of/);
  assert.throws(() => setChords(doc, 0, 100, [{ tick: 0, duration: 10, symbol: 'H7' }]), /not a chord symbol/);
  setClipLocked(doc, clip, true);
  const locked = Y.encodeStateVector(doc);
  assert.throws(() => replaceClipNotes(doc, clip, [], null, 'generated'), /locked/);
  assert.deepEqual(Y.encodeStateVector(doc), locked);
  assert.notDeepEqual(before, locked);
  assert.throws(() => deleteNotes(doc, clip, []), /locked/);
});

test('track owners: the author of addTrack (id and name), given by setTrackOwner, absent in old documents', () => {
  const doc = newDoc();
  initSong(doc);
  const sam = { id: 'id-sam', name: 'Sam' };
  const plain = addTrack(doc, { role: 'keys' });
  const sams = addTrack(doc, { role: 'bass' }, { author: sam });
  setEditAuthor(doc, { id: 'id-tina', name: 'Tina' });
  const tinas = addTrack(doc, { role: 'drums' });
  const nobodys = addTrack(doc, { role: 'lead' }, { author: null });
  setEditAuthor(doc, null);
  const owners = () => Object.fromEntries(readSong(doc).tracks.map((t) => [t.id, t.ownerId ? `${t.ownerId}/${t.owner}` : null]));
  assert.deepEqual(owners(), { [plain]: null, [sams]: 'id-sam/Sam', [tinas]: 'id-tina/Tina', [nobodys]: null });

  setTrackOwner(doc, plain, sam);
  assert.equal(lastLabel(doc), 'gave Keys to Sam');
  // Another "Sam" (names are not unique): a different owner.
  setTrackOwner(doc, sams, { id: 'id-sam-2', name: 'Sam' });
  assert.equal(lastLabel(doc), 'gave Bass to Sam');
  setTrackOwner(doc, tinas, null);
  assert.equal(lastLabel(doc), 'took Drums back from Tina');
  assert.deepEqual(owners(), { [plain]: 'id-sam/Sam', [sams]: 'id-sam-2/Sam', [tinas]: null, [nobodys]: null });
  const tina = doc.getMap('tracks').get(tinas) as Y.Map<unknown>;
  assert.equal(tina.has('owner') || tina.has('ownerId'), false, "nobody's: no fields");

  // Undo takes a gift back like any edit.
  const undo = new Y.UndoManager(doc.getMap('tracks'), { trackedOrigins: new Set([LOCAL_EDIT]), captureTimeout: 0 });
  setTrackOwner(doc, nobodys, { id: 'id-ben', name: 'Ben' });
  undo.undo();
  assert.equal(readSong(doc).tracks.find((t) => t.id === nobodys)!.ownerId, null);

  assert.throws(() => setTrackOwner(doc, 'nope', sam), /no track with id nope/);
  assert.throws(() => setTrackOwner(doc, plain, 'Sam' as never), /owner id/);
  assert.throws(() => setTrackOwner(doc, plain, { id: 'not an id!', name: 'Sam' }), /owner id/);
  assert.throws(() => setTrackOwner(doc, plain, { id: 'id-sam', name: '  ' }), /owner needs a name/);
  assert.throws(() => addTrack(doc, { role: 'keys' }, { author: { id: '', name: 'x' } }), /owner id/);
});

test("a document written before owner ids reads every track as nobody's, named owner or not", () => {
  const doc = newDoc();
  initSong(doc);
  // Tracks as older versions wrote them: no owner field, or an owner's name alone.
  for (const [id, owner] of [
    ['t-old', null],
    ['t-named', 'Sam'],
  ] as const) {
    const old = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({
      name: id,
      role: 'keys',
      instrument: 'pad',
      volumeDb: 0,
      pan: 0,
      mute: false,
      solo: false,
      order: 1,
    }))
      old.set(k, v);
    if (owner) old.set('owner', owner);
    doc.getMap('tracks').set(id, old);
  }
  const copy = newDoc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  assert.deepEqual(
    readSong(copy).tracks.map((t) => [t.name, t.ownerId, t.owner]),
    [
      ['t-named', null, null],
      ['t-old', null, null],
    ],
  );
  // The room owner gives them again.
  setTrackOwner(copy, 't-named', { id: 'id-sam', name: 'Sam' });
  assert.deepEqual(readSong(copy).tracks.find((t) => t.id === 't-named')!.ownerId, 'id-sam');
  assert.equal(lastLabel(copy), 'gave t-named to Sam');
});

test("choosing a track's instrument is one labelled edit that names the preset", () => {
  const doc = newDoc();
  initSong(doc);
  const bass = addTrack(doc, { role: 'bass', name: 'Bass' });
  updateTrack(doc, bass, { instrument: 'slap-bass' });
  assert.equal(lastLabel(doc), "set Bass's instrument to Slap bass");
  assert.equal(readSong(doc).tracks[0]!.instrument, 'slap-bass');
  // Free text from older songs is still stored as given, and named as it is.
  updateTrack(doc, bass, { instrument: 'upright' });
  assert.equal(lastLabel(doc), "set Bass's instrument to upright");
});
