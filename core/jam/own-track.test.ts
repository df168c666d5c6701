import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip, addNotes, addTrack, initSong, moveClip, removeTrack, setTrackOwner } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import { tracksNotYours } from './own-track.ts';

function classroom() {
  const doc = new Y.Doc();
  initSong(doc);
  const ben = addTrack(doc, { role: 'bass' }, { author: 'Ben' });
  const kim = addTrack(doc, { role: 'keys' }, { author: 'Kim' });
  const nobody = addTrack(doc, { role: 'drums' }, { author: null });
  return { doc, ben, kim, nobody };
}

/** The tracks `me` was not allowed to touch in `edit`. */
function judge(doc: Y.Doc, me: string, edit: () => void): string[] {
  const before = readSong(doc);
  edit();
  return tracksNotYours(before, readSong(doc), me);
}

test('my track, a track I add: mine; another\'s and nobody\'s: not', () => {
  const { doc, ben, kim, nobody } = classroom();
  assert.deepEqual(judge(doc, 'ben', () => addClip(doc, { trackId: ben, startBar: 0, lengthBars: 1 })), []);
  assert.deepEqual(judge(doc, 'ben', () => addTrack(doc, { role: 'lead' }, { author: 'Ben' })), []);
  assert.deepEqual(judge(doc, 'ben', () => addClip(doc, { trackId: kim, startBar: 0, lengthBars: 1 })), [kim]);
  assert.deepEqual(judge(doc, 'ben', () => addClip(doc, { trackId: nobody, startBar: 0, lengthBars: 1 })), [nobody]);
  assert.deepEqual(judge(doc, 'ben', () => addTrack(doc, { role: 'lead' }, { author: 'Kim' })).length, 1, 'a new track that is not mine');
});

test('only the room owner gives tracks: a change of owner is refused either way', () => {
  const { doc, ben, nobody } = classroom();
  assert.deepEqual(judge(doc, 'ben', () => setTrackOwner(doc, nobody, 'Ben')), [nobody]);
  assert.deepEqual(judge(doc, 'ben', () => setTrackOwner(doc, ben, 'Kim')), [ben]);
});

test('a clip moved between tracks touches both; notes on another\'s clip touch their track', () => {
  const { doc, ben, kim } = classroom();
  const theirs = addClip(doc, { trackId: kim, startBar: 0, lengthBars: 1 });
  assert.deepEqual(judge(doc, 'ben', () => addNotes(doc, theirs, [{ pitch: 60, tick: 0, duration: 240, velocity: 90 }])), [kim]);
  const mine = addClip(doc, { trackId: ben, startBar: 0, lengthBars: 1 });
  const moved = judge(doc, 'ben', () => moveClip(doc, mine, { startBar: 0, trackId: kim }));
  assert.deepEqual(new Set(moved), new Set([kim]), 'onto their track: theirs is touched (mine is fine)');
  assert.deepEqual(judge(doc, 'ben', () => removeTrack(doc, kim)), [kim]);
});
