import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { DEFAULT_RULES, type RoomRules } from './contract.ts';
import {
  addBookmark,
  addClip,
  addTrack,
  initSong,
  setChords,
  setKey,
  setLoop,
  setMeter,
  setSwing,
  setTempo,
  setTitle,
} from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import { editRefusal, RULE_REASONS, takeBackRefusal, wholeWriteRefusal, type RulesRole } from './student-rules.ts';

const ME = { id: 'id-ann', name: 'Student' };
const rules = (patch: Partial<RoomRules>): RoomRules => ({ ...DEFAULT_RULES, ...patch });

function song() {
  const doc = new Y.Doc();
  initSong(doc, { bpm: 100 });
  const mine = addTrack(doc, { role: 'bass' }, { author: ME });
  const theirs = addTrack(doc, { role: 'keys' }, { author: { id: 'id-teacher', name: 'Teacher' } });
  setChords(doc, 0, 1920, [{ tick: 0, duration: 1920, symbol: 'C' }]);
  const verse = addBookmark(doc, 'Verse', 0);
  return { doc, mine, theirs, verse };
}

function judge(doc: Y.Doc, r: RoomRules, edit: () => void, role: RulesRole = 'editor') {
  const before = readSong(doc);
  edit();
  return editRefusal(r, role, before, readSong(doc), ME.id);
}

test("a take-back is the owner's in teacher mode (any rule set), anyone's with the defaults; viewers never reach it", () => {
  assert.equal(takeBackRefusal(DEFAULT_RULES, 'editor'), null);
  assert.equal(takeBackRefusal(rules({ spotlightTrackId: 't1' }), 'editor'), null, 'a spotlight alone is not teacher mode');
  for (const r of [rules({ students: 'live-only' }), rules({ students: 'own-track' }), rules({ transportLocked: true })]) {
    assert.equal(takeBackRefusal(r, 'editor'), RULE_REASONS.takeBackOwner, JSON.stringify(r));
    assert.equal(takeBackRefusal(r, 'owner'), null);
  }
});

test('live-only refuses every whole write by a student; own-track only restores; the owner never', () => {
  const writes = ['document', 'restore', 'bookmark'] as const;
  for (const w of writes) assert.equal(wholeWriteRefusal(rules({ students: 'live-only' }), 'editor', w), RULE_REASONS.liveOnly);
  assert.deepEqual(
    writes.map((w) => wholeWriteRefusal(rules({ students: 'own-track' }), 'editor', w)),
    [null, RULE_REASONS.restoreOwnTrack, null],
  );
  assert.deepEqual(
    writes.map((w) => wholeWriteRefusal(rules({ students: 'edit', transportLocked: true }), 'editor', w)),
    [null, null, null],
  );
  for (const students of ['edit', 'own-track', 'live-only'] as const) {
    for (const w of writes) assert.equal(wholeWriteRefusal(rules({ students }), 'owner', w), null);
  }
});

test("own-track: the song's meta, chords and sections are the room owner's; my own track is mine", () => {
  const { doc, mine, theirs, verse } = song();
  const own = rules({ students: 'own-track' });
  for (const [what, edit] of [
    ['tempo', () => setTempo(doc, 333)],
    ['key', () => setKey(doc, { tonic: 2, mode: 'minor' })],
    ['meter', () => setMeter(doc, { numerator: 3, denominator: 4 })],
    ['title', () => setTitle(doc, 'x')],
    ['swing', () => setSwing(doc, 0.5)],
    ['loop', () => setLoop(doc, { startBar: 0, endBar: 2 })],
  ] as const) {
    assert.deepEqual(judge(doc, own, edit), { rule: 'own-track', reason: RULE_REASONS.ownTrack, tracks: [], parts: ['meta'] }, what);
  }
  assert.deepEqual(judge(doc, own, () => setChords(doc, 0, 1920, []))?.parts, ['chords']);
  assert.deepEqual(judge(doc, own, () => addBookmark(doc, 'Bridge', 4))?.parts, ['bookmarks']);
  assert.deepEqual(judge(doc, own, () => doc.getMap('bookmarks').delete(verse))?.parts, ['bookmarks']);
  assert.deepEqual(judge(doc, own, () => addClip(doc, { trackId: theirs, startBar: 0, lengthBars: 1 }))?.tracks, [theirs]);
  assert.equal(
    judge(doc, own, () => addClip(doc, { trackId: mine, startBar: 0, lengthBars: 1 })),
    null,
  );
  // The owner is never judged.
  assert.equal(
    judge(doc, own, () => setTempo(doc, 90), 'owner'),
    null,
  );
});

test("transport locked: a student's tempo, meter and loop are refused, anything else stands (students: edit)", () => {
  const { doc, theirs } = song();
  const locked = rules({ transportLocked: true });
  for (const edit of [
    () => setTempo(doc, 333),
    () => setMeter(doc, { numerator: 7, denominator: 8 }),
    () => setLoop(doc, { startBar: 1, endBar: 2 }),
  ]) {
    assert.deepEqual(judge(doc, locked, edit), {
      rule: 'transport-locked',
      reason: RULE_REASONS.transportLocked,
      tracks: [],
      parts: ['meta'],
    });
  }
  assert.equal(
    judge(doc, locked, () => setKey(doc, { tonic: 5, mode: 'major' })),
    null,
  );
  assert.equal(
    judge(doc, locked, () => addClip(doc, { trackId: theirs, startBar: 0, lengthBars: 1 })),
    null,
  );
  assert.equal(
    judge(doc, rules({}), () => setTempo(doc, 200)),
    null,
    'unlocked: free',
  );
  assert.equal(
    judge(doc, locked, () => setTempo(doc, 150), 'owner'),
    null,
  );
});
