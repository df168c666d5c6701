import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { DEFAULT_RULES, type RoomRules } from '../../core/jam/contract.ts';
import {
  addBookmark,
  addClip,
  addNotes,
  addTrack,
  initSong,
  moveClip,
  setChords,
  setEditAuthor,
  setLoop,
  setTempo,
  setTitle,
  setTrackOwner,
  updateTrack,
} from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { createEditRunner } from '../app/edit-runner.ts';
import { LocalUndo } from '../state/local-undo.ts';
import { touchedTracks } from '../../core/jam/own-track.ts';
import { editingLocked, guardEdits, recordRefusal } from './rules-guard.ts';

/** This user, and another invitee of the same invite: the same name, another id. */
const ME = { id: 'id-ben', name: 'Student' };
const OTHER = { id: 'id-kim', name: 'Student' };

/** A room set up by its owner (another window): my track, the other student's track, and nobody's. */
function room(rules: RoomRules, role: 'owner' | 'editor' = 'editor') {
  const doc = new Y.Doc();
  const teacher = { origin: 'teacher' }; // not this user's undo stack
  initSong(doc, { bpm: 100 }, teacher);
  const mine = addTrack(doc, { role: 'bass', name: 'Bass' }, { ...teacher, author: { id: 'id-tina', name: 'Tina' } });
  setTrackOwner(doc, mine, ME, teacher);
  const theirs = addTrack(doc, { role: 'keys', name: 'Keys' }, { ...teacher, author: OTHER });
  const nobodys = addTrack(doc, { role: 'drums', name: 'Student' }, { ...teacher, author: null });
  const undo = new LocalUndo(doc);
  const notes: string[] = [];
  const edits = guardEdits(
    createEditRunner(false, (m) => void notes.push(m)),
    {
      rules: () => rules,
      role: () => role,
      me: () => ME,
      song: () => readSong(doc),
      undoLast: () => void undo.undo(),
      setAuthor: (author) => setEditAuthor(doc, author),
    },
    (m) => void notes.push(m),
  );
  return { doc, mine, theirs, nobodys, edits, notes, teacher };
}

test('live-only: students read-only, the owner not', () => {
  assert.equal(editingLocked({ students: 'live-only' }, 'editor'), true);
  assert.equal(editingLocked({ students: 'live-only' }, 'owner'), false);
  assert.equal(editingLocked({ students: 'own-track' }, 'editor'), false);
  const r = room({ ...DEFAULT_RULES, students: 'live-only' });
  assert.equal(r.edits.readOnly, true);
  assert.equal(
    r.edits.run(() => addClip(r.doc, { trackId: r.mine, startBar: 0, lengthBars: 1 })),
    undefined,
  );
  assert.equal(readSong(r.doc).clips.length, 0);
  assert.match(r.notes.at(-1)!, /play live only/);
});

test("own-track: edits on my track go through, on someone else's are taken back", () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' });
  const id = r.edits.run(() => addClip(r.doc, { trackId: r.mine, startBar: 0, lengthBars: 1 }));
  assert.ok(id);
  assert.equal(
    r.edits.run(() => addClip(r.doc, { trackId: r.theirs, startBar: 2, lengthBars: 1 })),
    undefined,
  );
  assert.equal(readSong(r.doc).clips.length, 1);
  // Moving my clip onto their track touches their track too.
  r.edits.run(() => moveClip(r.doc, id!, { startBar: 0, trackId: r.theirs }));
  assert.equal(readSong(r.doc).clips[0]!.trackId, r.mine);
  assert.match(r.notes.at(-1)!, /own track/);
  // A track I add is mine: my id, and my name to show.
  const t = r.edits.run(() => addTrack(r.doc, { role: 'lead', name: 'Solo' }))!;
  const added = readSong(r.doc).tracks.find((x) => x.id === t)!;
  assert.deepEqual([added.ownerId, added.owner], [ME.id, ME.name]);
  assert.ok(r.edits.run(() => addClip(r.doc, { trackId: t, startBar: 0, lengthBars: 1 })));
});

test('own-track compares ids: the other "Student"\'s track and nobody\'s track named "Student" are not mine; gifts are the owner\'s', () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' });
  const ownerId = (id: string) => readSong(r.doc).tracks.find((t) => t.id === id)!.ownerId;
  // Clips made by the teacher on every track; the student edits the notes of each.
  const clipOn = (trackId: string) => addClip(r.doc, { trackId, startBar: 0, lengthBars: 1 }, r.teacher);
  const [mineClip, theirClip, nobodysClip] = [clipOn(r.mine), clipOn(r.theirs), clipOn(r.nobodys)];
  const note = { pitch: 60, tick: 0, duration: 240, velocity: 90 };
  assert.equal(r.edits.run(() => addNotes(r.doc, mineClip, [note]))!.length, 1, 'my track (given to me): edits go through');
  const before = JSON.stringify(readSong(r.doc));
  assert.equal(
    r.edits.run(() => addNotes(r.doc, theirClip, [note])),
    undefined,
    "the other Student's track: refused",
  );
  assert.match(r.notes.at(-1)!, /own track/);
  assert.equal(
    r.edits.run(() => addNotes(r.doc, nobodysClip, [note])),
    undefined,
    "nobody's track: refused",
  );
  assert.equal(
    r.edits.run(() => updateTrack(r.doc, r.theirs, { mute: true })),
    undefined,
    'their mixer: refused',
  );
  assert.equal(JSON.stringify(readSong(r.doc)), before, 'every refused edit was taken back');
  // Only the room owner gives tracks: the student can neither take one nor give theirs away.
  assert.equal(
    r.edits.run(() => setTrackOwner(r.doc, r.nobodys, ME)),
    undefined,
  );
  assert.equal(
    r.edits.run(() => setTrackOwner(r.doc, r.mine, OTHER)),
    undefined,
  );
  assert.equal(ownerId(r.nobodys), null);
  assert.equal(ownerId(r.mine), ME.id);
  // The teacher gives the other student's track to me: now I may edit it.
  setTrackOwner(r.doc, r.theirs, ME, r.teacher);
  assert.equal(r.edits.run(() => addNotes(r.doc, theirClip, [note]))!.length, 1);
});

test("own-track: the song's tempo, title, loop, chords and sections are taken back, with the reason", () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' });
  const before = JSON.stringify(readSong(r.doc));
  for (const edit of [
    () => setTempo(r.doc, 333),
    () => setTitle(r.doc, 'Mine'),
    () => setLoop(r.doc, { startBar: 0, endBar: 2 }),
    () => setChords(r.doc, 0, 1920, [{ tick: 0, duration: 480, symbol: 'C' }]),
    () => addBookmark(r.doc, 'Verse', 0),
  ]) {
    assert.equal(r.edits.run(edit), undefined);
    assert.match(r.notes.at(-1)!, /own track \(the song's tempo, key, chords and sections are the owner's\)/);
  }
  assert.equal(JSON.stringify(readSong(r.doc)), before);
});

test("transport locked: a student's tempo, meter and loop are taken back; other edits stand", () => {
  const r = room({ ...DEFAULT_RULES, transportLocked: true });
  assert.equal(
    r.edits.run(() => setTempo(r.doc, 333)),
    undefined,
  );
  assert.match(r.notes.at(-1)!, /transport is locked/);
  assert.equal(readSong(r.doc).meta.bpm, 100);
  assert.ok(
    r.edits.run(() => addClip(r.doc, { trackId: r.theirs, startBar: 0, lengthBars: 1 })),
    'students: edit: anything else',
  );
  const owner = room({ ...DEFAULT_RULES, transportLocked: true }, 'owner');
  owner.edits.run(() => setTempo(owner.doc, 90));
  assert.equal(readSong(owner.doc).meta.bpm, 90);
});

test("the room owner is not limited and may give tracks; a track anyone adds is its author's", () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' }, 'owner');
  r.edits.run(() => setTrackOwner(r.doc, r.nobodys, OTHER));
  assert.equal(readSong(r.doc).tracks.find((t) => t.id === r.nobodys)!.ownerId, OTHER.id);
  assert.ok(r.edits.run(() => addClip(r.doc, { trackId: r.theirs, startBar: 0, lengthBars: 1 })));
  const e = room({ ...DEFAULT_RULES, students: 'edit' });
  const t = e.edits.run(() => addTrack(e.doc, { role: 'keys' }))!;
  assert.equal(readSong(e.doc).tracks.find((x) => x.id === t)!.ownerId, ME.id);
  assert.ok(
    e.edits.run(() => addClip(e.doc, { trackId: e.nobodys, startBar: 0, lengthBars: 1 })),
    'edit everything: no owners needed',
  );
});

test('recording: refused under live-only and into a track not mine under own-track, with the reason', () => {
  const r = room({ ...DEFAULT_RULES, students: 'own-track' });
  const song = readSong(r.doc);
  const track = (id: string) => song.tracks.find((t) => t.id === id)!;
  const own = { ...DEFAULT_RULES, students: 'own-track' } as const;
  assert.equal(recordRefusal(own, 'editor', track(r.mine), ME.id), null);
  assert.equal(
    recordRefusal(own, 'editor', track(r.theirs), ME.id),
    'Keys is not your track: the room owner lets students record only into their own.',
  );
  assert.match(recordRefusal(own, 'editor', track(r.nobodys), ME.id)!, /not your track/);
  assert.equal(recordRefusal(own, 'owner', track(r.theirs), 'id-tina'), null);
  assert.match(recordRefusal({ ...DEFAULT_RULES, students: 'live-only' }, 'editor', track(r.mine), ME.id)!, /play live only/);
  assert.equal(recordRefusal({ ...DEFAULT_RULES, students: 'live-only' }, 'owner', track(r.mine), 'id-tina'), null);
  assert.equal(recordRefusal(DEFAULT_RULES, 'editor', track(r.theirs), ME.id), null);
  assert.match(recordRefusal(DEFAULT_RULES, 'viewer', track(r.mine), ME.id)!, /viewer/);
});

test('touchedTracks names the tracks of changed clips', () => {
  const r = room(DEFAULT_RULES, 'owner');
  const before = readSong(r.doc);
  addClip(r.doc, { trackId: r.theirs, startBar: 0, lengthBars: 1 });
  assert.deepEqual([...touchedTracks(before, readSong(r.doc))], [r.theirs]);
});
