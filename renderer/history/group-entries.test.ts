import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEntry } from '../../sync-server/contract.ts';
import { groupEntries, summarizeLabels, type TimelineItem } from './group-entries.ts';

const T0 = 1_700_000_000_000;

/** Entries from a compact script, oldest first: [author, label, bytes, seconds after T0]. */
function log(script: [string, string, number, number][]): HistoryEntry[] {
  return script.map(([author, label, bytes, s], i) => ({ seq: i + 1, author, label, bytes, time: T0 + s * 1000 }));
}

const newestFirst = (entries: HistoryEntry[]) => [...entries].reverse();

/** Rows as short strings: "5" for an entry, "g:alice:4-2" for a group (newest-oldest). */
function shape(items: TimelineItem[]): string[] {
  return items.map((i) => (i.kind === 'entry' ? String(i.entry.seq) : `g:${i.author}:${i.entries[0]!.seq}-${i.entries.at(-1)!.seq}`));
}

test('a run of small edits by one author becomes one group; every entry stays inside it', () => {
  const entries = log([
    ['alice', 'added track Drums', 900, 0],
    ['alice', 'moved clip', 40, 1],
    ['alice', 'moved clip', 40, 2],
    ['alice', 'moved clip', 40, 3],
    ['bob', 'set tempo to 90 BPM', 30, 4],
  ]);
  const items = groupEntries(newestFirst(entries));
  assert.deepEqual(shape(items), ['5', 'g:alice:4-2', '1']);
  const all = items.flatMap((i) => (i.kind === 'entry' ? [i.entry.seq] : i.entries.map((e) => e.seq)));
  assert.deepEqual(all, [5, 4, 3, 2, 1]);
});

test('short runs, other authors, big edits and long pauses break runs', () => {
  const entries = log([
    ['alice', 'a', 40, 0],
    ['alice', 'b', 40, 1],
    ['bob', 'c', 40, 2],
    ['alice', 'd', 40, 3],
    ['alice', 'e', 5000, 4],
    ['alice', 'f', 40, 5],
    ['alice', 'g', 40, 500],
    ['alice', 'h', 40, 501],
  ]);
  assert.deepEqual(shape(groupEntries(newestFirst(entries))), ['8', '7', '6', '5', '4', '3', '2', '1']);
});

test('restores, take-backs and bookmarked entries are never hidden in a group', () => {
  const entries = log([
    ['alice', 'moved clip', 40, 0],
    ['alice', 'moved clip', 40, 1],
    ['alice', 'moved clip', 40, 2],
    ['alice', 'restored #1', 40, 3],
    ['alice', 'moved clip', 40, 4],
    ['alice', 'moved clip', 40, 5],
    ['alice', 'moved clip', 40, 6],
    ['alice', 'moved clip', 40, 7],
  ]);
  assert.deepEqual(shape(groupEntries(newestFirst(entries))), ['g:alice:8-5', '4', 'g:alice:3-1']);
  // A take-back stands alone the same way.
  const tookBack = entries.map((e) => (e.seq === 4 ? { ...e, label: "took back bob's 2 edits since #1" } : e));
  assert.deepEqual(shape(groupEntries(newestFirst(tookBack))), ['g:alice:8-5', '4', 'g:alice:3-1']);
  // Bookmarking #6 splits the later run into rows too short to group.
  assert.deepEqual(shape(groupEntries(newestFirst(entries), new Set([6]))), ['8', '7', '6', '5', '4', 'g:alice:3-1']);
});

test('a group keeps its key while live edits join it at the newer end', () => {
  const entries = log([
    ['alice', 'moved clip', 40, 0],
    ['alice', 'moved clip', 40, 1],
    ['alice', 'moved clip', 40, 2],
    ['alice', 'moved clip', 40, 3],
  ]);
  const before = groupEntries(newestFirst(entries.slice(0, 3)));
  const after = groupEntries(newestFirst(entries));
  assert.equal(before[0]!.kind === 'group' && before[0]!.key, 1);
  assert.equal(after[0]!.kind === 'group' && after[0]!.key, 1);
});

test('summaries name what a group did, most frequent first', () => {
  const entries = log([
    ['alice', 'moved clip', 40, 0],
    ['alice', 'moved clip', 40, 1],
    ['alice', 'set tempo to 90 BPM', 40, 2],
    ['alice', 'renamed clip to "x"', 40, 3],
    ['alice', 'moved clip', 40, 4],
  ]);
  assert.equal(summarizeLabels(entries), 'moved clip ×3, set tempo to 90 BPM and 1 more');
  assert.equal(summarizeLabels(entries.slice(0, 2)), 'moved clip ×2');
});
