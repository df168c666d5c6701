import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEntry } from '../../sync-server/contract.ts';
import { takeBackChoices } from './take-back-choices.ts';

const entry = (seq: number, author: string, label: string): HistoryEntry => ({ seq, author, label, time: seq * 1000, bytes: 40 });

test('the AI, each author after the moment and the entry itself are offered, with counts', () => {
  const entries = [
    entry(5, 'alice', 'generated bass riff (seed 2)'),
    entry(4, 'bob', 'moved 2 notes'),
    entry(3, 'alice', 're-rolled bass riff (seed 3)'),
    entry(2, 'alice', 'set tempo to 90 BPM'),
    entry(1, 'bob', 'added track Bass'),
  ];
  assert.deepEqual(
    takeBackChoices(entries, 2).map((c) => [c.key, c.label]),
    [
      ['ai', "the AI's 2 edits since #2"],
      ['author:alice', "alice's 2 edits since #2"],
      ['author:bob', "bob's 1 edit since #2"],
      ['entry:2', 'entry #2 alone'],
    ],
  );
  assert.deepEqual(takeBackChoices(entries, 4)[0]!.source, { kind: 'ai', since: 4 });
  assert.deepEqual(takeBackChoices(entries, 5), [{ key: 'entry:5', label: 'entry #5 alone', source: { kind: 'entry', seq: 5 } }]);
  assert.deepEqual(
    takeBackChoices(entries, 0).map((c) => c.key),
    ['ai', 'author:bob', 'author:alice'],
    'bandmates in the order they first edited; the empty moment has no entry of its own',
  );
  assert.deepEqual(takeBackChoices([], 3), []);
});
