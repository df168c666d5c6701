import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip, addTrack, deleteClip, moveClip, moveNotes, setTempo, updateTrack } from './edits.ts';
import { clipNotes, clipsMap, readSong } from './schema.ts';
import { SongStore, type FrameScheduler } from './song-store.ts';

/** A frame scheduler the test advances by hand. */
function manualFrames(): { schedule: FrameScheduler; frame: () => void; pending: () => number } {
  let queue: (() => void)[] = [];
  return {
    schedule(callback) {
      queue.push(callback);
      return () => void (queue = queue.filter((c) => c !== callback));
    },
    frame() {
      const run = queue;
      queue = [];
      for (const c of run) c();
    },
    pending: () => queue.length,
  };
}

test('many updates in one frame rebuild the snapshot once and notify once', () => {
  const doc = new Y.Doc();
  const frames = manualFrames();
  const store = new SongStore(doc, frames.schedule);
  let notified = 0;
  store.subscribe(() => notified++);
  const track = addTrack(doc, { role: 'drums' });
  for (let bar = 0; bar < 20; bar++) addClip(doc, { trackId: track, startBar: bar, lengthBars: 1 });
  setTempo(doc, 140);
  assert.equal(frames.pending(), 1, 'one frame requested for 22 updates');
  assert.equal(store.getSnapshot().tracks.length, 0, 'the snapshot changes on the frame, not before');
  frames.frame();
  assert.equal(store.recomputes, 1);
  assert.equal(notified, 1);
  assert.equal(store.getSnapshot().clips.length, 20);
  assert.equal(store.getSnapshot().meta.bpm, 140);
  store.destroy();
});

test('unchanged records keep their identity; a moved clip is a new object', () => {
  const doc = new Y.Doc();
  const frames = manualFrames();
  const store = new SongStore(doc, frames.schedule);
  const track = addTrack(doc, { role: 'bass' });
  const a = addClip(doc, { trackId: track, startBar: 0, lengthBars: 2, notes: [{ pitch: 40, tick: 0, duration: 240, velocity: 90 }] });
  const b = addClip(doc, { trackId: track, startBar: 4, lengthBars: 2 });
  frames.frame();
  const before = store.getSnapshot();
  moveClip(doc, b, { startBar: 6 });
  frames.frame();
  const after = store.getSnapshot();
  assert.notEqual(after, before);
  assert.equal(after.meta, before.meta);
  assert.equal(after.tracks, before.tracks, 'the track list is the same array');
  assert.equal(
    after.clips.find((c) => c.id === a),
    before.clips.find((c) => c.id === a),
    'clip a kept its identity',
  );
  assert.notEqual(
    after.clips.find((c) => c.id === b),
    before.clips.find((c) => c.id === b),
  );
  assert.equal(after.clips.find((c) => c.id === b)!.startBar, 6);
  store.destroy();
});

test('only the clips an update touched are read again, and the snapshot equals a full read', () => {
  const mine = new Y.Doc();
  const theirs = new Y.Doc();
  const frames = manualFrames();
  const store = new SongStore(mine, frames.schedule);
  const sync = () => Y.applyUpdate(mine, Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(mine)), 'remote');
  const track = addTrack(theirs, { role: 'keys' });
  const clips = [0, 4, 8, 12].map((bar) =>
    addClip(theirs, { trackId: track, startBar: bar, lengthBars: 4, notes: [{ pitch: 60, tick: 0, duration: 240, velocity: 90 }] }),
  );
  sync();
  frames.frame();
  assert.equal(store.clipReads, 4);
  const before = store.getSnapshot();

  // A bandmate moves the notes of one clip: that clip is read again, the other three are kept.
  const noteIds = [...clipNotes(clipsMap(theirs).get(clips[1]!)!).keys()];
  moveNotes(theirs, clips[1]!, noteIds, { semitones: 2 });
  sync();
  frames.frame();
  assert.equal(store.clipReads, 5);
  const after = store.getSnapshot();
  assert.equal(after.clips.find((c) => c.id === clips[1])!.notes[0]!.pitch, 62);
  for (const id of [clips[0], clips[2], clips[3]])
    assert.equal(
      after.clips.find((c) => c.id === id),
      before.clips.find((c) => c.id === id),
    );
  assert.deepEqual(after, readSong(mine));

  // A deleted clip, a moved one and a renamed track (which reorders nothing here): one clip read.
  deleteClip(theirs, clips[0]!);
  moveClip(theirs, clips[3]!, { startBar: 20 });
  updateTrack(theirs, track, { name: 'Rhodes' });
  sync();
  frames.frame();
  assert.equal(store.clipReads, 6);
  assert.deepEqual(store.getSnapshot(), readSong(mine));
  store.destroy();
});

test("a bandmate's update arrives the same way; flush() reads it before the frame", () => {
  const mine = new Y.Doc();
  const theirs = new Y.Doc();
  const frames = manualFrames();
  const store = new SongStore(mine, frames.schedule);
  addTrack(theirs, { role: 'lead', name: 'Sax' });
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(theirs), 'remote');
  store.flush();
  assert.deepEqual(
    store.getSnapshot().tracks.map((t) => t.name),
    ['Sax'],
  );
  assert.equal(frames.pending(), 0, 'flush cancelled the frame');
  store.destroy();
});

test('current() is the song as the document has it now, with a frame pending or not', () => {
  const doc = new Y.Doc();
  const frames = manualFrames();
  const store = new SongStore(doc, frames.schedule);
  addTrack(doc, { role: 'bass', name: 'Bass' });
  assert.deepEqual(store.getSnapshot().tracks, [], 'the snapshot waits for the frame');
  const detached = store.current;
  assert.deepEqual(
    detached().tracks.map((t) => t.name),
    ['Bass'],
    'read now, even as a detached function',
  );
  assert.equal(frames.pending(), 0);
  assert.equal(store.current(), store.getSnapshot(), 'nothing pending: the same snapshot');
  store.destroy();
});

test('a malformed record from a peer keeps the last good song on screen', () => {
  const doc = new Y.Doc();
  const frames = manualFrames();
  const errors: unknown[] = [];
  const store = new SongStore(doc, frames.schedule, (e) => errors.push(e));
  addTrack(doc, { role: 'drums' });
  frames.frame();
  const good = store.getSnapshot();
  // A clip without its notes map: readSong throws on it.
  doc.getMap('clips').set('broken', new Y.Map());
  frames.frame();
  assert.equal(errors.length, 1, 'the unreadable record is reported');
  assert.equal(store.getSnapshot(), good);
  // Fixed by the peer (every field written): it is read again and shows.
  const track = good.tracks[0]!.id;
  doc.transact(() => {
    const broken = doc.getMap('clips').get('broken') as Y.Map<unknown>;
    for (const [k, v] of Object.entries({ trackId: track, name: '', startBar: 0, lengthBars: 1, locked: false, provenance: null }))
      broken.set(k, v);
    broken.set('notes', new Y.Map());
  });
  frames.frame();
  assert.deepEqual(
    store.getSnapshot().clips.map((c) => c.id),
    ['broken'],
  );
  store.destroy();
});
