import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip, addNotes, addTrack, initSong, moveClip, removeTrack, setTrackOwner, updateTrack } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import { ownsTrack, tracksNotYours } from './own-track.ts';

/** Two invitees of one invite: the same name, their own ids. */
const BEN = { id: 'id-ben', name: 'Student' };
const KIM = { id: 'id-kim', name: 'Student' };

function classroom() {
  const doc = new Y.Doc();
  initSong(doc);
  const ben = addTrack(doc, { role: 'bass' }, { author: BEN });
  const kim = addTrack(doc, { role: 'keys' }, { author: KIM });
  const nobody = addTrack(doc, { role: 'drums' }, { author: null });
  return { doc, ben, kim, nobody };
}

/** The tracks `myId` was not allowed to touch in `edit`. */
function judge(doc: Y.Doc, myId: string, edit: () => void): string[] {
  const before = readSong(doc);
  edit();
  return tracksNotYours(before, readSong(doc), myId);
}

test('ownership compares identity ids, never names', () => {
  assert.equal(ownsTrack({ ownerId: 'id-ben' }, 'id-ben'), true);
  assert.equal(ownsTrack({ ownerId: 'id-ben' }, 'id-kim'), false);
  assert.equal(ownsTrack({ ownerId: null }, 'id-ben'), false);
  assert.equal(ownsTrack({}, 'id-ben'), false);
  assert.equal(ownsTrack({ ownerId: 'id-ben' }, ''), false);
  const { doc, ben, kim } = classroom();
  const clip = addClip(doc, { trackId: kim, startBar: 0, lengthBars: 1 });
  // Kim's track, though Ben's token carries the same name.
  assert.deepEqual(
    judge(doc, BEN.id, () => addNotes(doc, clip, [{ pitch: 60, tick: 0, duration: 240, velocity: 90 }])),
    [kim],
  );
  assert.deepEqual(
    judge(doc, BEN.id, () => updateTrack(doc, ben, { mute: true })),
    [],
  );
});

test("my track, a track I add: mine; another's and nobody's: not", () => {
  const { doc, ben, kim, nobody } = classroom();
  assert.deepEqual(
    judge(doc, BEN.id, () => addClip(doc, { trackId: ben, startBar: 0, lengthBars: 1 })),
    [],
  );
  assert.deepEqual(
    judge(doc, BEN.id, () => addTrack(doc, { role: 'lead' }, { author: BEN })),
    [],
  );
  assert.deepEqual(
    judge(doc, BEN.id, () => addClip(doc, { trackId: kim, startBar: 0, lengthBars: 1 })),
    [kim],
  );
  assert.deepEqual(
    judge(doc, BEN.id, () => addClip(doc, { trackId: nobody, startBar: 0, lengthBars: 1 })),
    [nobody],
  );
  assert.deepEqual(judge(doc, BEN.id, () => addTrack(doc, { role: 'lead' }, { author: KIM })).length, 1, 'a new track that is not mine');
});

test('only the room owner gives tracks: a change of owner is refused either way', () => {
  const { doc, ben, nobody } = classroom();
  assert.deepEqual(
    judge(doc, BEN.id, () => setTrackOwner(doc, nobody, BEN)),
    [nobody],
  );
  assert.deepEqual(
    judge(doc, BEN.id, () => setTrackOwner(doc, ben, KIM)),
    [ben],
  );
  // Renaming the owner shown on my own track is a change of owner too.
  assert.deepEqual(
    judge(doc, BEN.id, () => doc.getMap<Y.Map<unknown>>('tracks').get(ben)!.set('owner', 'Teacher')),
    [ben],
  );
});

test("a track of an older document that names an owner without an id is nobody's", () => {
  const { doc, nobody } = classroom();
  doc.getMap<Y.Map<unknown>>('tracks').get(nobody)!.set('owner', 'Student');
  const track = readSong(doc).tracks.find((t) => t.id === nobody)!;
  assert.deepEqual([track.ownerId, track.owner], [null, null]);
  const clip = addClip(doc, { trackId: nobody, startBar: 0, lengthBars: 1 });
  assert.deepEqual(
    judge(doc, BEN.id, () => addNotes(doc, clip, [{ pitch: 60, tick: 0, duration: 240, velocity: 90 }])),
    [nobody],
  );
});

test("a clip moved between tracks touches both; notes on another's clip touch their track", () => {
  const { doc, ben, kim } = classroom();
  const theirs = addClip(doc, { trackId: kim, startBar: 0, lengthBars: 1 });
  assert.deepEqual(
    judge(doc, BEN.id, () => addNotes(doc, theirs, [{ pitch: 60, tick: 0, duration: 240, velocity: 90 }])),
    [kim],
  );
  const mine = addClip(doc, { trackId: ben, startBar: 0, lengthBars: 1 });
  const moved = judge(doc, BEN.id, () => moveClip(doc, mine, { startBar: 0, trackId: kim }));
  assert.deepEqual(new Set(moved), new Set([kim]), 'onto their track: theirs is touched (mine is fine)');
  assert.deepEqual(
    judge(doc, BEN.id, () => removeTrack(doc, kim)),
    [kim],
  );
});
