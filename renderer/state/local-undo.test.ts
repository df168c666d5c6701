import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { publishEditLabels, readAnnouncedEdit } from '../../core/song/edit-labels.ts';
import { addClip, addTrack, moveClip, setTempo, setTitle } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { LocalUndo } from './local-undo.ts';

const REMOTE = Symbol('remote');

/** Two bandmates whose documents exchange every update at once, as the server relays them. */
function bandmates(): { mine: Y.Doc; theirs: Y.Doc } {
  const mine = new Y.Doc();
  const theirs = new Y.Doc();
  mine.on('update', (u: Uint8Array, origin: unknown) => origin !== REMOTE && Y.applyUpdate(theirs, u, REMOTE));
  theirs.on('update', (u: Uint8Array, origin: unknown) => origin !== REMOTE && Y.applyUpdate(mine, u, REMOTE));
  return { mine, theirs };
}

test('undo takes back only my own edits, even when a bandmate edited after me', () => {
  const { mine, theirs } = bandmates();
  const undo = new LocalUndo(mine);
  const drums = addTrack(theirs, { role: 'drums' });
  const bass = addTrack(mine, { role: 'bass' });
  setTitle(mine, 'Mine');
  const clip = addClip(theirs, { trackId: drums, startBar: 0, lengthBars: 2 });
  moveClip(theirs, clip, { startBar: 4 });

  assert.equal(undo.getState().undoLabel, 'renamed song to "Mine"');
  assert.ok(undo.undo());
  assert.equal(readSong(theirs).meta.title, 'Untitled', 'my rename is undone for everyone');
  assert.equal(readSong(theirs).clips[0]!.startBar, 4, "the bandmate's later move stays");
  assert.ok(undo.undo());
  assert.deepEqual(
    readSong(theirs).tracks.map((t) => t.id),
    [drums],
    'my track is gone, theirs stays',
  );
  assert.equal(undo.undo(), false, 'nothing of mine is left to undo');
  assert.equal(readSong(mine).clips.length, 1, "the bandmate's clip was never touched");

  assert.equal(undo.getState().redoLabel, 'added track Bass');
  assert.ok(undo.redo());
  assert.ok(readSong(theirs).tracks.some((t) => t.id === bass || t.name === 'Bass'));
  assert.ok(undo.redo());
  assert.equal(readSong(theirs).meta.title, 'Mine');
  assert.equal(undo.getState().canRedo, false);
  undo.destroy();
});

test('each labelled edit is its own undo step, however fast they come', () => {
  const doc = new Y.Doc();
  const undo = new LocalUndo(doc);
  setTempo(doc, 100);
  setTempo(doc, 110);
  setTempo(doc, 120);
  undo.undo();
  assert.equal(readSong(doc).meta.bpm, 110);
  assert.equal(undo.getState().undoLabel, 'set tempo to 110 BPM');
  assert.equal(undo.getState().redoLabel, 'set tempo to 120 BPM');
  undo.destroy();
});

test('undo and redo are labelled edits, announced through awareness like any other', () => {
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  publishEditLabels(doc, awareness);
  const undo = new LocalUndo(doc);
  const track = addTrack(doc, { role: 'keys' });
  const clip = addClip(doc, { trackId: track, startBar: 0, lengthBars: 1 });
  moveClip(doc, clip, { startBar: 2 });
  undo.undo();
  assert.equal(readAnnouncedEdit(awareness.getLocalState())?.label, 'undid moved clip to bar 3');
  undo.redo();
  assert.equal(readAnnouncedEdit(awareness.getLocalState())?.label, 'redid moved clip to bar 3');
  assert.equal(readSong(doc).clips[0]!.startBar, 2);
  // Labels survive a second round trip through the stacks.
  undo.undo();
  undo.undo();
  assert.equal(readAnnouncedEdit(awareness.getLocalState())?.label, 'undid added clip');
  assert.equal(undo.getState().redoLabel, 'added clip');
  undo.destroy();
  awareness.destroy();
});

test('subscribers hear about every change of the stacks', () => {
  const doc = new Y.Doc();
  const undo = new LocalUndo(doc);
  let calls = 0;
  const stop = undo.subscribe(() => calls++);
  setTempo(doc, 90);
  assert.ok(calls >= 1);
  assert.equal(undo.getState().canUndo, true);
  const before = calls;
  undo.undo();
  assert.ok(calls > before);
  assert.deepEqual(undo.getState(), { canUndo: false, canRedo: true, undoLabel: null, redoLabel: 'set tempo to 90 BPM' });
  stop();
  undo.destroy();
});
