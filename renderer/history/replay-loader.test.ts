import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEntry } from '../../sync-server/contract.ts';
import type { HistoryApi } from './history-api.ts';
import { alignReplay, loadReplay } from './replay-loader.ts';

function fakeApi(count: number, grows = 0): { api: HistoryApi; calls: string[] } {
  const calls: string[] = [];
  let last = count;
  const entry = (seq: number): HistoryEntry => ({ seq, time: seq * 100, author: 'a', label: `e${seq}`, bytes: 3 });
  const api = {
    async lastSeq() {
      const now = last;
      last += grows; // edits keep arriving while the replay loads
      return now;
    },
    async history(after: number, limit: number) {
      calls.push(`history ${after} ${limit}`);
      const entries = [];
      for (let s = after + 1; s <= Math.min(last, after + limit); s++) entries.push(entry(s));
      return { entries, lastSeq: last };
    },
    async updates(after: number, limit: number) {
      calls.push(`updates ${after} ${limit}`);
      const out = [];
      for (let s = after + 1; s <= Math.min(last, after + limit); s++) out.push({ seq: s, update: new Uint8Array([s & 0xff]) });
      return out;
    },
  } as unknown as HistoryApi;
  return { api, calls };
}

test('pages through entries and updates up to the newest seq at the start, reporting progress', async () => {
  const { api, calls } = fakeApi(23, 50);
  const progress: number[] = [];
  const data = await loadReplay(api, { pageSize: 10, onProgress: (done, total) => progress.push(done / total) });
  assert.deepEqual(
    data.updates.map((u) => u.seq),
    Array.from({ length: 23 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    data.entries.map((e) => e.label),
    data.updates.map((u) => `e${u.seq}`),
  );
  assert.deepEqual(calls, ['history 0 10', 'history 10 10', 'history 20 3', 'updates 0 10', 'updates 10 10', 'updates 20 3']);
  assert.equal(progress.at(-1), 1);
});

test('an empty room is an empty replay; an abort stops between pages', async () => {
  assert.deepEqual(await loadReplay(fakeApi(0).api), { updates: [], entries: [] });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(loadReplay(fakeApi(5).api, { signal: controller.signal }), { name: 'AbortError' });
});

test('alignment keeps every update and captions one without an entry', () => {
  const data = alignReplay(
    [
      { seq: 1, time: 100, author: 'a', label: 'one', bytes: 1 },
      { seq: 3, time: 300, author: 'b', label: 'three', bytes: 1 },
    ],
    [1, 2, 3].map((seq) => ({ seq, update: new Uint8Array([seq]) })),
  );
  assert.deepEqual(
    data.entries.map((e) => [e.seq, e.label, e.time]),
    [
      [1, 'one', 100],
      [2, '#2', 100],
      [3, 'three', 300],
    ],
  );
});
