/**
 * The one test suite every RoomStore implementation passes (sqlite-store.test.ts runs it on
 * SQLite files, tests/store-postgres.test.ts on a real PostgreSQL cluster). It speaks only the
 * interface, so both stores are held to the same behaviour: seq order, the chain, paging,
 * snapshots, states, bookmarks, rules, reopening, and refusing bad input without writing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_UPDATE } from './room-log.ts';
import { LIMITS } from '../limits.ts';
import { StoreInputError } from './store-input.ts';
import type { LogEntry, NewEntry, RoomStore } from './room-store.ts';

export interface StoreHarness {
  /** Opens (creating) `room`, ready to write; the same room again after close() reopens it. */
  open(room: string): Promise<RoomStore>;
  /** Opens an existing room without creating it (it throws when there is none). */
  openExisting(room: string): Promise<RoomStore>;
}

let roomCounter = 0;
/** A room name no other test of the run uses. */
export const freshRoom = (prefix = 'room'): string => `${prefix}-${process.pid}-${++roomCounter}`;

export const edit = (i: number, overrides: Partial<NewEntry> = {}): NewEntry => ({
  time: 1_700_000_000_000 + i,
  author: i % 2 ? 'ann' : 'ben',
  label: `edit ${i}`,
  update: Uint8Array.from([i & 0xff, (i >> 8) & 0xff, 7]),
  concurrent: i % 5 === 0,
  ...overrides,
});

export const edits = (from: number, count: number): NewEntry[] => Array.from({ length: count }, (_, k) => edit(from + k));

/** Entries as plain comparable values (bytes as hex: Buffer and Uint8Array compare alike). */
export const comparable = (entries: LogEntry[]) =>
  entries.map((e) => ({ seq: e.seq, time: e.time, author: e.author, label: e.label, update: hex(e.update), concurrent: e.concurrent }));

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function withRoom<T>(harness: StoreHarness, use: (store: RoomStore, room: string) => Promise<T>): Promise<T> {
  const room = freshRoom();
  const store = await harness.open(room);
  try {
    return await use(store, room);
  } finally {
    await store.close();
  }
}

export function roomStoreSuite(name: string, harness: () => StoreHarness): void {
  describe(`${name}: the RoomStore contract`, () => {
    test('appendBatch numbers entries from 1 in call order; reads give them back whole', async () => {
      await withRoom(harness(), async (store) => {
        assert.equal(store.lastSeq, 0);
        assert.deepEqual(await store.appendBatch([]), [], 'an empty batch writes nothing');
        assert.deepEqual(await store.appendBatch(edits(1, 3)), [1, 2, 3]);
        assert.deepEqual(await store.appendBatch([edit(4)]), [4]);
        // Batches called without waiting still chain in call order.
        const results = await Promise.all([store.appendBatch(edits(5, 2)), store.appendBatch(edits(7, 3)), store.appendBatch([edit(10)])]);
        assert.deepEqual(results, [[5, 6], [7, 8, 9], [10]]);
        assert.equal(store.lastSeq, 10);
        const expected = edits(1, 10).map((e, i) => ({
          seq: i + 1,
          time: e.time,
          author: e.author,
          label: e.label,
          update: hex(e.update),
          concurrent: e.concurrent ?? false,
        }));
        assert.deepEqual(comparable(await collect(store.entries(0))), expected);
        assert.deepEqual(comparable(await collect(store.entries(3, 5))), expected.slice(3, 5), 'after < seq <= upTo');
        assert.deepEqual(
          (await collect(store.updates(8))).map((u) => ({ update: hex(u.update), concurrent: u.concurrent })),
          expected.slice(8).map((e) => ({ update: e.update, concurrent: e.concurrent })),
        );
        assert.deepEqual(
          await store.history(0, 3),
          expected.slice(0, 3).map((e) => ({ seq: e.seq, time: e.time, author: e.author, label: e.label, bytes: 3 })),
        );
        assert.deepEqual(
          (await store.history(8, 100)).map((e) => e.seq),
          [9, 10],
        );
        assert.equal(await store.updateBytesAfter(0), 30);
        assert.equal(await store.updateBytesAfter(7), 9);
        assert.equal(await store.verify(), null, 'the chain holds');
      });
    });

    test('streams long logs a page at a time, in order, with nothing skipped', async () => {
      await withRoom(harness(), async (store) => {
        const total = LIMITS.store.readPageRows + 500;
        for (let from = 1; from <= total; from += LIMITS.store.maxBatchEntries) {
          await store.appendBatch(edits(from, Math.min(LIMITS.store.maxBatchEntries, total - from + 1)));
        }
        const seqs = (await collect(store.entries(0))).map((e) => e.seq);
        assert.equal(seqs.length, total);
        assert.ok(
          seqs.every((seq, i) => seq === i + 1),
          'every seq once, in order',
        );
        assert.equal((await collect(store.updates(100, total - 100))).length, total - 200);
        assert.equal(await store.verify(), null);
      });
    });

    test('updatePage: as many updates as fit in the bytes (at least one), at most the count', async () => {
      await withRoom(harness(), async (store) => {
        await store.appendBatch([10, 20, 30, 40].map((size, i) => edit(i + 1, { update: new Uint8Array(size).fill(i + 1) })));
        const page = (after: number, upTo: number, maxBytes: number, maxEntries: number) =>
          store.updatePage(after, upTo, maxBytes, maxEntries).then((rows) => rows.map((r) => [r.seq, r.update.byteLength]));
        assert.deepEqual(await page(0, 4, 30, 10), [
          [1, 10],
          [2, 20],
        ]);
        assert.deepEqual(await page(0, 4, 5, 10), [[1, 10]], 'one entry even when it alone is over');
        assert.deepEqual(await page(1, 4, 1000, 2), [
          [2, 20],
          [3, 30],
        ]);
        assert.deepEqual(await page(2, 3, 1000, 10), [[3, 30]]);
        assert.deepEqual(await page(4, 10, 1000, 10), []);
        const [first] = await store.updatePage(3, 4, 1000, 1);
        assert.equal(hex(first!.update), hex(new Uint8Array(40).fill(4)));
      });
    });

    test('snapshots and the room state round-trip; both name an entry that exists', async () => {
      await withRoom(harness(), async (store) => {
        assert.equal(await store.roomState(), null);
        assert.equal(await store.lastSnapshotInfo(), null);
        await store.appendBatch(edits(1, 6));
        const state = (n: number) => new Uint8Array(500).map((_, i) => (i * n) & 0xff);
        const stored = await store.saveSnapshot(2, state(2));
        assert.ok(stored > 0 && stored < 500, 'deflated');
        await store.saveSnapshot(5, state(5));
        assert.deepEqual(await store.snapshotSeqsAtOrBefore(6), [5, 2]);
        assert.deepEqual(await store.snapshotSeqsAtOrBefore(4), [2]);
        assert.deepEqual(await store.snapshotSeqsAtOrBefore(1), []);
        assert.equal(hex((await store.snapshotAt(5))!.state), hex(state(5)));
        assert.equal(await store.snapshotAt(3), null);
        assert.equal((await store.lastSnapshotInfo())!.seq, 5);
        await store.saveRoomState(3, state(3));
        await store.saveRoomState(6, state(6));
        const full = await store.roomState();
        assert.equal(full!.seq, 6, 'the newest replaces the last');
        assert.equal(hex(full!.state), hex(state(6)));
        await assert.rejects(
          store.saveSnapshot(7, state(7)),
          (err: Error) =>
            err instanceof StoreInputError && /snapshot: seq must name an entry of the log, 1 to 6 \(got 7\)/.test(err.message),
        );
        await assert.rejects(store.saveRoomState(0, state(0)), StoreInputError);
        await assert.rejects(store.saveSnapshot(1, 'not bytes' as unknown as Uint8Array), /state must be bytes/);
        assert.deepEqual(await store.snapshotSeqsAtOrBefore(100), [5, 2], 'nothing refused was written');
      });
    });

    test('bookmarks are kept in seq order; one past the log is refused', async () => {
      await withRoom(harness(), async (store) => {
        await store.appendBatch(edits(1, 4));
        assert.equal(await store.bookmarkCount(), 0);
        await store.addBookmark({ seq: 3, name: 'chorus idea', author: 'ann', time: 11 });
        await store.addBookmark({ seq: 1, name: 'start', author: 'ben', time: 12 });
        await store.addBookmark({ seq: 3, name: 'again', author: 'ben', time: 13 });
        assert.equal(await store.bookmarkCount(), 3);
        assert.deepEqual(await store.bookmarks(), [
          { seq: 1, name: 'start', author: 'ben', time: 12 },
          { seq: 3, name: 'chorus idea', author: 'ann', time: 11 },
          { seq: 3, name: 'again', author: 'ben', time: 13 },
        ]);
        await assert.rejects(
          store.addBookmark({ seq: 5, name: 'future', author: 'ann', time: 1 }),
          /bookmark: seq must name an entry of the log, 1 to 4 \(got 5\)/,
        );
        await assert.rejects(store.addBookmark({ seq: 2, name: '', author: 'ann', time: 1 }), /bookmark: name is empty/);
        assert.equal(await store.bookmarkCount(), 3);
      });
    });

    test('rules: an entry of the log and the rules row, both; the newest is in force', async () => {
      await withRoom(harness(), async (store) => {
        assert.equal(await store.storedRules(), null);
        await store.appendBatch(edits(1, 2));
        const rules = { mode: 'own-track', transportLocked: true, tracks: { s1: ['t1'] } };
        assert.equal(await store.saveRules({ rules, author: 'teacher', label: 'set the rules: own track', time: 50 }), 3);
        assert.deepEqual(await store.storedRules(), { seq: 3, rules, author: 'teacher', time: 50 });
        const [entry] = await collect(store.entries(2));
        assert.deepEqual(comparable([entry!]), [
          { seq: 3, time: 50, author: 'teacher', label: 'set the rules: own track', update: hex(EMPTY_UPDATE), concurrent: false },
        ]);
        assert.equal(await store.saveRules({ rules: { mode: 'open' }, author: 'teacher', label: 'set the rules: open', time: 60 }), 4);
        assert.deepEqual(await store.storedRules(), { seq: 4, rules: { mode: 'open' }, author: 'teacher', time: 60 });
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        await assert.rejects(store.saveRules({ rules: cyclic, author: 'teacher', label: 'x', time: 1 }), /rules cannot be stored as JSON/);
        await assert.rejects(store.saveRules({ rules: {}, author: '', label: 'x', time: 1 }), /rules change: author is empty/);
        assert.equal(store.lastSeq, 4, 'a refused change writes no entry');
        assert.equal(await store.verify(), null);
      });
    });

    test('reopened after close, a room has everything, and its chain goes on', async () => {
      const h = harness();
      const room = freshRoom();
      const first = await h.open(room);
      await first.appendBatch(edits(1, 5));
      await first.saveSnapshot(3, new Uint8Array([1, 2, 3]));
      await first.saveRoomState(5, new Uint8Array([4, 5, 6]));
      await first.addBookmark({ seq: 2, name: 'verse', author: 'ann', time: 9 });
      await first.saveRules({ rules: { mode: 'open' }, author: 'ann', label: 'set the rules', time: 10 });
      const before = comparable(await collect(first.entries(0)));
      await first.close();
      await first.close(); // idempotent
      await assert.rejects(first.appendBatch([edit(7)]), /closed/);

      const again = await h.openExisting(room);
      try {
        assert.equal(again.lastSeq, 6);
        assert.deepEqual(comparable(await collect(again.entries(0))), before);
        assert.equal(hex((await again.snapshotAt(3))!.state), '010203');
        assert.deepEqual(await again.roomState().then((s) => [s!.seq, hex(s!.state)]), [5, '040506']);
        assert.deepEqual(await again.bookmarks(), [{ seq: 2, name: 'verse', author: 'ann', time: 9 }]);
        assert.deepEqual((await again.storedRules())!.rules, { mode: 'open' });
        assert.deepEqual(await again.appendBatch(edits(7, 2)), [7, 8]);
        assert.equal(await again.verify(), null, 'the chain continues across the reopen');
      } finally {
        await again.close();
      }
      await assert.rejects(h.openExisting(freshRoom('never-made')), /no such room|no Riffroom project/);
    });

    test('bad input is refused with a clear error, and a batch is all or nothing', async () => {
      await withRoom(harness(), async (store) => {
        await store.appendBatch(edits(1, 2));
        const bad: [Partial<NewEntry> | Record<string, unknown>, RegExp][] = [
          [{ time: -1 }, /time must be milliseconds since 1970/],
          [{ time: 1.5 }, /time must be milliseconds since 1970/],
          [{ author: '' }, /author is empty/],
          [{ author: 42 as unknown as string }, /author must be text/],
          [{ label: 'x'.repeat(LIMITS.projectFile.maxTextChars + 1) }, /label is over 4096 characters/],
          [{ label: 'a\u0000b' }, /label contains a NUL character/],
          [{ label: 'half \ud800 a pair' }, /label is not well-formed Unicode/],
          [{ update: new Uint8Array(0) }, /update is empty/],
          [{ update: [1, 2] as unknown as Uint8Array }, /update must be bytes/],
          [{ update: new Uint8Array(LIMITS.projectFile.maxUpdateBytes + 1) }, /over the 8388608-byte limit/],
          [{ concurrent: 'yes' as unknown as boolean }, /concurrent must be true or false/],
        ];
        for (const [overrides, message] of bad) {
          // The bad entry second in its batch: the good one before it is not written either.
          await assert.rejects(store.appendBatch([edit(3), edit(4, overrides as Partial<NewEntry>)]), (err: Error) => {
            assert.ok(err instanceof StoreInputError, `${err.name}: ${err.message}`);
            assert.match(err.message, /entry 2 of the batch/);
            assert.match(err.message, message);
            return true;
          });
        }
        const tooMany = edits(3, LIMITS.store.maxBatchEntries + 1);
        await assert.rejects(store.appendBatch(tooMany), /a batch holds at most 1000 entries/);
        await assert.rejects(store.history(-1, 10), /after must be a whole number from 0/);
        await assert.rejects(store.history(0, 0), /limit must be a whole number from 1/);
        assert.equal(store.lastSeq, 2, 'nothing was written');
        assert.equal((await collect(store.entries(0))).length, 2);
        assert.deepEqual(await store.appendBatch([edit(3)]), [3], 'and the log goes on');
        assert.equal(await store.verify(), null);
      });
    });
  });
}
