import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { DEFAULT_RULES, type RoomRules } from '../../core/jam/contract.ts';
import { addClip, addNotes, addTrack, initSong, moveClip, setEditAuthor, setTrackOwner, updateTrack } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { createEditRunner } from '../app/edit-runner.ts';
import { LocalUndo } from '../state/local-undo.ts';
import { ownsTrack, touchedTracks } from '../../core/jam/own-track.ts';
import { editingLocked, guardEdits } from './rules-guard.ts';

/** A room set up by its owner (another window): Ben's track, Kim's track, and nobody's. */
function room(rules: RoomRules, role: 'owner' | 'editor' = 'editor') {
  const doc = new Y.Doc();
  const teacher = { origin: 'teacher' }; // not this user's undo stack
  initSong(doc, {}, teacher);
  const mine = addTrack(doc, { role: 'bass', name: 'Bass' }, { ...teacher, author: 'Tina' });
  setTrackOwner(doc, mine, 'Ben', teacher);
  const theirs = addTrack(doc, { role: 'keys', name: 'Keys' }, { ...teacher, author: 'Kim' });
  const nobodys = addTrack(doc, { role: 'drums', name: 'Ben' }, { ...teacher, author: null });
  const undo = new LocalUndo(doc);
  const notes: string[] = [];
  const edits = guardEdits(createEditRunner(false, (m) => void notes.push(m)), {
    rules: () => rules, role: () => role, myName: () => 'ben', song: () => readSong(doc), undoLast: () => void undo.undo(),
    setAuthor: (name) => setEditAuthor(doc, name),
  }, (m) => void notes.push(m));
  return { doc, mine, theirs, nobodys, edits, notes, teacher };
}

test('live-only: students read-only, the owner not', () => {
  assert.equal(editingLocked({ students: 'live-only' }, 'editor'), true);
  assert.equal(editingLocked({ students: 'live-only' }, 'owner'), false);
  assert.equal(editingLocked({ students: 'own-track' }, 'editor'), false);
  const r = room({ ...DEFAULT_RULES, students: 'live-only' });
  assert.equal(r.edits.readOnly, true);
  assert.equal(r.edits.run(() => addClip(r.doc, { trackId: r.mine, startBar: 0, lengthBars: 1 })), undefined);
  assert.equal(readSong(r.doc).clips.length, 0);
});

test('own-track: edits on my track go through, on someone else\'s are taken back', () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' });
  const id = r.edits.run(() => addClip(r.doc, { trackId: r.mine, startBar: 0, lengthBars: 1 }));
  assert.ok(id);
  assert.equal(r.edits.run(() => addClip(r.doc, { trackId: r.theirs, startBar: 2, lengthBars: 1 })), undefined);
  assert.equal(readSong(r.doc).clips.length, 1);
  // Moving my clip onto their track touches their track too.
  r.edits.run(() => moveClip(r.doc, id!, { startBar: 0, trackId: r.theirs }));
  assert.equal(readSong(r.doc).clips[0]!.trackId, r.mine);
  assert.match(r.notes.at(-1)!, /own track/);
  // A track I add is mine.
  const t = r.edits.run(() => addTrack(r.doc, { role: 'lead', name: 'Solo' }))!;
  assert.ok(r.edits.run(() => addClip(r.doc, { trackId: t, startBar: 0, lengthBars: 1 })));
});

test('own-track: owners decide — my track ok, another\'s and nobody\'s refused and undone, a new track is mine', () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' });
  const owner = (id: string) => readSong(r.doc).tracks.find((t) => t.id === id)!.owner;
  assert.equal(owner(r.mine), 'Ben');
  assert.equal(ownsTrack({ owner: 'Ben' }, ' ben '), true);
  assert.equal(ownsTrack({ owner: null }, 'ben'), false);
  assert.equal(ownsTrack({}, 'ben'), false);
  // Clips made by the teacher on every track; the student edits the notes of each.
  const clipOn = (trackId: string) => addClip(r.doc, { trackId, startBar: 0, lengthBars: 1 }, r.teacher);
  const [mineClip, theirClip, nobodysClip] = [clipOn(r.mine), clipOn(r.theirs), clipOn(r.nobodys)];
  const note = { pitch: 60, tick: 0, duration: 240, velocity: 90 };
  assert.equal(r.edits.run(() => addNotes(r.doc, mineClip, [note]))!.length, 1, 'my track (given to me): edits go through');
  const before = JSON.stringify(readSong(r.doc));
  assert.equal(r.edits.run(() => addNotes(r.doc, theirClip, [note])), undefined, 'Kim\'s track: refused');
  assert.match(r.notes.at(-1)!, /own track/);
  // Named after me, but nobody's: refused (the naming convention is gone).
  assert.equal(r.edits.run(() => addNotes(r.doc, nobodysClip, [note])), undefined, 'nobody\'s track: refused');
  assert.equal(r.edits.run(() => updateTrack(r.doc, r.theirs, { mute: true })), undefined, 'their mixer: refused');
  assert.equal(JSON.stringify(readSong(r.doc)), before, 'every refused edit was taken back');
  // Only the room owner gives tracks: the student can neither take one nor give theirs away.
  assert.equal(r.edits.run(() => setTrackOwner(r.doc, r.nobodys, 'ben')), undefined);
  assert.equal(r.edits.run(() => setTrackOwner(r.doc, r.mine, 'Kim')), undefined);
  assert.equal(owner(r.nobodys), null);
  assert.equal(owner(r.mine), 'Ben');
  // A track I add becomes mine (I am the edit's author), and I may edit it.
  const t = r.edits.run(() => addTrack(r.doc, { role: 'lead', name: 'Solo' }))!;
  assert.equal(owner(t), 'ben');
  assert.ok(r.edits.run(() => addClip(r.doc, { trackId: t, startBar: 0, lengthBars: 1 })));
  // The teacher gives Kim's track to me: now I may edit it.
  setTrackOwner(r.doc, r.theirs, 'Ben', r.teacher);
  assert.equal(r.edits.run(() => addNotes(r.doc, theirClip, [note]))!.length, 1);
});

test('the room owner is not limited and may give tracks; a track anyone adds is its author\'s', () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' }, 'owner');
  r.edits.run(() => setTrackOwner(r.doc, r.nobodys, 'Sam'));
  assert.equal(readSong(r.doc).tracks.find((t) => t.id === r.nobodys)!.owner, 'Sam');
  assert.ok(r.edits.run(() => addClip(r.doc, { trackId: r.theirs, startBar: 0, lengthBars: 1 })));
  const e = room({ ...DEFAULT_RULES, students: 'edit' });
  const t = e.edits.run(() => addTrack(e.doc, { role: 'keys' }))!;
  assert.equal(readSong(e.doc).tracks.find((x) => x.id === t)!.owner, 'ben');
  assert.ok(e.edits.run(() => addClip(e.doc, { trackId: e.nobodys, startBar: 0, lengthBars: 1 })), 'edit everything: no owners needed');
});

test('touchedTracks names the tracks of changed clips', () => {
  const r = room(DEFAULT_RULES, 'owner');
  const before = readSong(r.doc);
  addClip(r.doc, { trackId: r.theirs, startBar: 0, lengthBars: 1 });
  assert.deepEqual([...touchedTracks(before, readSong(r.doc))], [r.theirs]);
});
