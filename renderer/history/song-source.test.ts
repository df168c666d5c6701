import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { readSong } from '../../core/song/schema.ts';
import { createSongSource } from './song-source.ts';

test('set swaps the song and tells subscribers once per change', () => {
  const a = readSong(new Y.Doc());
  const b = { ...a, meta: { ...a.meta, bpm: 90 } };
  const source = createSongSource(a);
  let calls = 0;
  const off = source.subscribe(() => calls++);
  source.set(a);
  assert.equal(calls, 0, 'the same song is no change');
  source.set(b);
  assert.equal(source.getSong(), b);
  assert.equal(calls, 1);
  off();
  source.set(a);
  assert.equal(calls, 1);
});
