import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { DEFAULT_RULES, type RoomRules } from '../../core/jam/contract.ts';
import { addClip, addTrack, initSong, moveClip } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { createEditRunner } from '../app/edit-runner.ts';
import { LocalUndo } from '../state/local-undo.ts';
import { editingLocked, guardEdits, touchedTracks } from './rules-guard.ts';

function room(rules: RoomRules, role: 'owner' | 'editor' = 'editor') {
  const doc = new Y.Doc();
  initSong(doc);
  const mine = addTrack(doc, { role: 'bass', name: 'Ben' });
  const theirs = addTrack(doc, { role: 'keys', name: 'Kim' });
  const undo = new LocalUndo(doc);
  const notes: string[] = [];
  const edits = guardEdits(createEditRunner(false, (m) => void notes.push(m)), {
    rules: () => rules, role: () => role, myName: () => 'ben', song: () => readSong(doc), undoLast: () => void undo.undo(), created: new Set(),
  }, (m) => void notes.push(m));
  return { doc, mine, theirs, edits, notes };
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

test('touchedTracks names the tracks of changed clips', () => {
  const r = room(DEFAULT_RULES, 'owner');
  const before = readSong(r.doc);
  addClip(r.doc, { trackId: r.theirs, startBar: 0, lengthBars: 1 });
  assert.deepEqual([...touchedTracks(before, readSong(r.doc))], [r.theirs]);
});
