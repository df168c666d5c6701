import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip, addTrack, deleteClip, initSong, moveClip, setTempo } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';
import { ReplayStates } from './replay-states.ts';
import { songFromState } from './snapshot-song.ts';
import type { LoggedUpdate } from './updates-stream.ts';

/** A session as the server would log it: every update with a seq, and the song after each. */
function session(): { updates: LoggedUpdate[]; songs: Song[]; doc: Y.Doc } {
  const doc = new Y.Doc();
  const updates: LoggedUpdate[] = [];
  const songs: Song[] = [];
  doc.on('update', (update: Uint8Array) => {
    updates.push({ seq: updates.length + 1, update });
    songs.push(readSong(doc));
  });
  initSong(doc, { title: 'Replay me', bpm: 100 });
  const drums = addTrack(doc, { role: 'drums' });
  const clips: string[] = [];
  for (let bar = 0; bar < 12; bar++) clips.push(addClip(doc, { trackId: drums, startBar: bar * 2, lengthBars: 1 }));
  for (let i = 0; i < 6; i++) moveClip(doc, clips[i]!, { startBar: 40 + i });
  deleteClip(doc, clips[11]!);
  setTempo(doc, 128);
  return { updates, songs, doc };
}

test('every state in order matches the song as it was after that update', () => {
  const { updates, songs } = session();
  const states = new ReplayStates(updates, { checkpointEvery: 4 });
  assert.equal(states.length, songs.length);
  for (let i = 0; i < songs.length; i++) assert.deepEqual(states.songAt(i), songs[i], `step ${i}`);
  assert.equal(states.work, updates.length, 'in order: one update applied per step');
  assert.equal(states.seqAt(3), 4);
  states.destroy();
});

test('scrubbing back and forth gives the same states and restarts from checkpoints', () => {
  const { updates, songs } = session();
  const states = new ReplayStates(updates, { checkpointEvery: 4 });
  states.songAt(songs.length - 1);
  const walked = states.work;
  for (const step of [2, 17, 5, 0, 20, 9, 9, songs.length - 1, 13]) assert.deepEqual(states.songAt(step), songs[step], `step ${step}`);
  // Without checkpoints, each jump back would replay from update 0.
  assert.ok(states.work - walked < 9 * 4, `jumps cost at most a checkpoint interval each (${states.work - walked} updates)`);
  assert.throws(() => states.songAt(songs.length), RangeError);
  states.destroy();
});

test('the last state is the session state; songFromState reads a server state the same way', () => {
  const { updates, doc } = session();
  const states = new ReplayStates(updates);
  assert.deepEqual(states.songAt(updates.length - 1), readSong(doc));
  assert.deepEqual(songFromState(Y.encodeStateAsUpdate(doc)), readSong(doc));
  states.destroy();
});
