import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryBookmark, HistoryEntry } from '../../sync-server/contract.ts';
import { HistoryApiError, type HistoryApi } from './history-api.ts';
import { TimelineStore } from './timeline-store.ts';

/** An in-memory room log behind the HistoryApi interface, counting requests. */
function fakeRoom(count = 0) {
  const log: HistoryEntry[] = [];
  const bookmarks: HistoryBookmark[] = [];
  const requests: string[] = [];
  let failing: HistoryApiError | null = null;
  const append = (n: number, author = 'alice') => {
    for (let i = 0; i < n; i++)
      log.push({ seq: log.length + 1, time: 1000 + log.length, author, label: `edit ${log.length + 1}`, bytes: 40 });
  };
  append(count);
  const check = () => {
    if (failing) throw failing;
  };
  const api: HistoryApi = {
    async history(after, limit) {
      requests.push(`history ${after} ${limit}`);
      check();
      if (!log.length) throw new HistoryApiError('not-found', 404, 'no room');
      return { entries: log.filter((e) => e.seq > after).slice(0, limit), lastSeq: log.length };
    },
    async lastSeq() {
      requests.push('lastSeq');
      check();
      return log.length;
    },
    async stateAt() {
      throw new Error('not used');
    },
    async updates() {
      throw new Error('not used');
    },
    async restore(seq) {
      check();
      log.push({ seq: log.length + 1, time: 5000, author: 'alice', label: `restored #${seq}`, bytes: 80 });
      return log.length;
    },
    async takeBack(source) {
      check();
      log.push({ seq: log.length + 1, time: 5000, author: 'alice', label: `took back ${JSON.stringify(source)}`, bytes: 80 });
      return { seq: log.length, taken: 1 };
    },
    async bookmarks() {
      check();
      return [...bookmarks];
    },
    async addBookmark(seq, name) {
      check();
      const b = { seq, name, author: 'alice', time: 1 };
      bookmarks.push(b);
      return b;
    },
  };
  return { api, log, append, requests, bookmarks, fail: (e: HistoryApiError | null) => (failing = e) };
}

const seqs = (store: TimelineStore) => store.getState().entries.map((e) => e.seq);

test('an empty room loads as an empty, loaded timeline', async () => {
  const room = fakeRoom(0);
  const store = new TimelineStore(room.api);
  await store.refresh();
  assert.deepEqual(store.getState().entries, []);
  assert.equal(store.getState().loaded, true);
  assert.equal(store.getState().error, null);
  room.append(2);
  await store.refresh();
  assert.deepEqual(seqs(store), [2, 1]);
});

test('the newest page first, newest first; older pages on demand, down to #1 without gaps', async () => {
  const room = fakeRoom(25);
  const store = new TimelineStore(room.api, { pageSize: 10 });
  await store.refresh();
  assert.deepEqual(seqs(store), [25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
  assert.equal(store.getState().hasOlder, true);
  await store.loadOlder();
  await store.loadOlder();
  assert.deepEqual(
    seqs(store),
    Array.from({ length: 25 }, (_, i) => 25 - i),
  );
  assert.equal(store.getState().hasOlder, false);
  const before = room.requests.length;
  await store.loadOlder();
  assert.equal(room.requests.length, before, 'nothing older to ask for');
  assert.equal(store.entry(7)?.label, 'edit 7');
});

test('refresh adds what was logged since, across pages, and folds concurrent calls into one more run', async () => {
  const room = fakeRoom(5);
  const store = new TimelineStore(room.api, { pageSize: 4 });
  await store.refresh();
  room.append(9, 'bob');
  let notified = 0;
  store.subscribe(() => notified++);
  const runs = [store.refresh(), store.refresh(), store.refresh()];
  await Promise.all(runs);
  // The first page held #5..#2 (#1 is older, loaded on demand); everything newer is there.
  assert.deepEqual(
    seqs(store),
    Array.from({ length: 13 }, (_, i) => 14 - i),
  );
  assert.equal(store.getState().lastSeq, 14);
  assert.equal(store.getState().hasOlder, true);
  assert.ok(notified > 0);
  // One run plus one folded re-run: the three calls did not make three runs.
  const pages = room.requests.filter((r) => r.startsWith('history 5') || r.startsWith('history 14'));
  assert.ok(pages.length <= 3, room.requests.join(', '));
});

test('after a long time away, the timeline starts over from the newest page', async () => {
  const room = fakeRoom(3);
  const store = new TimelineStore(room.api, { pageSize: 5, maxCatchUp: 20 });
  await store.refresh();
  room.append(100);
  await store.refresh();
  assert.deepEqual(seqs(store), [103, 102, 101, 100, 99]);
  assert.equal(store.getState().hasOlder, true);
});

test('failures become words in the state, keep what was loaded, and clear on the next success', async () => {
  const room = fakeRoom(3);
  const store = new TimelineStore(room.api);
  await store.refresh();
  room.fail(new HistoryApiError('network', null, 'down'));
  room.append(1);
  await store.refresh();
  assert.match(store.getState().error ?? '', /not reachable/);
  assert.deepEqual(seqs(store), [3, 2, 1]);
  room.fail(null);
  await store.refresh();
  assert.equal(store.getState().error, null);
  assert.deepEqual(seqs(store), [4, 3, 2, 1]);
});

test('a take-back resolves once its entry is in the timeline', async () => {
  const room = fakeRoom(3);
  const store = new TimelineStore(room.api);
  await store.refresh();
  const done = await store.takeBack({ kind: 'author', name: 'bob', since: 1 });
  assert.equal(done.seq, 4);
  assert.equal(store.getState().entries[0]?.seq, 4);
  assert.match(store.getState().entries[0]!.label, /took back/);
});

test('restore resolves once the restore entry is in the timeline; bookmarks are listed after adding', async () => {
  const room = fakeRoom(4);
  const store = new TimelineStore(room.api);
  await store.refresh();
  const seq = await store.restore(2);
  assert.equal(seq, 5);
  assert.equal(store.getState().entries[0]?.label, 'restored #2');
  await store.addBookmark(3, 'chorus');
  assert.deepEqual(
    store.getState().bookmarks.map((b) => b.name),
    ['chorus'],
  );
  await store.refreshBookmarks();
  assert.deepEqual(
    store.getState().bookmarks.map((b) => b.seq),
    [3],
  );
});
