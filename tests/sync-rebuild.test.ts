/**
 * Any past moment is rebuildable: for seeded random editing sessions (every kind of typed edit),
 * GET /state?at=<seq> gives exactly the song as it was right after entry <seq>, with snapshots in
 * play (a server with a tiny snapshot policy), before and after a restart of the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { readSong } from '../core/song/schema.ts';
import type { Song } from '../core/song/types.ts';
import { testToken } from './support/server-process.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getLastSeq, getSong, getUpdates, waitForSeq } from './support/room-api.ts';
import { EDIT_KINDS, Rng, randomEdit, seedSong, type EditKind } from './support/random-edits.ts';

const SNAPSHOT_POLICY = { minEntries: 5, bytesRatio: 0.5 };

const songJson = (doc: Y.Doc) => JSON.stringify(readSong(doc));

/** Checks GET /state?at=seq against the expected song for every seq 0..lastSeq. */
async function checkEverySeq(target: TestServer, room: string, expected: Map<number, Song>, lastSeq: number): Promise<void> {
  const token = testToken(room, 'viewer');
  for (let seq = 0; seq <= lastSeq; seq++) {
    const want = expected.get(seq);
    assert.ok(want, `an expected song for seq ${seq}`);
    assert.deepEqual(await getSong(target, room, token, seq), want, `state at seq ${seq}`);
  }
}

for (const seed of [1, 7, 2024]) {
  test(`state at every seq equals what the editor saw (seed ${seed}, snapshots every few entries)`, async () => {
    const target = await startTestServer({ snapshotPolicy: SNAPSHOT_POLICY });
    let restarted: TestServer | null = null;
    const room = `rebuild-${seed}`;
    const viewer = testToken(room, 'viewer');
    let client: Client | null = null;
    try {
      client = await connectClient(target.wsUrl, room, testToken(room, 'editor', 'alice'));
      const rng = new Rng(seed);
      const expected = new Map<number, Song>([[0, readSong(new Y.Doc())]]);
      const used = new Set<EditKind>();
      let seq = 0;
      const record = async () => {
        // One typed edit is one transaction, so exactly one new log entry.
        const last = await waitForSeq(target, room, viewer, seq + 1);
        assert.equal(last, seq + 1, 'one edit, one entry');
        seq = last;
        expected.set(seq, readSong(client!.doc));
      };
      // seedSong makes several edits; send them one at a time as well.
      const seedRng = new Rng(seed ^ 0x5eed);
      const seedDoc = new Y.Doc();
      seedDoc.on('update', (u: Uint8Array) => pending.push(u));
      const pending: Uint8Array[] = [];
      seedSong(seedDoc, seedRng);
      for (const update of pending) {
        Y.applyUpdate(client.doc, update);
        await record();
      }
      // An edit that changes nothing (clearing an empty chord range) makes no update and no entry.
      let localUpdates = 0;
      client.doc.on('update', (_u: Uint8Array, origin: unknown) => {
        if (origin !== client!.provider) localUpdates++;
      });
      while (seq < 90) {
        const before = localUpdates;
        const kind = randomEdit(client.doc, rng);
        if (!kind) continue;
        used.add(kind);
        if (localUpdates === before) continue;
        await record();
      }
      assert.ok(used.size >= EDIT_KINDS.length - 3, `most edit kinds were exercised (${[...used].join(', ')})`);
      assert.ok(target.server.metrics.snapshots.get() > 0, 'snapshots were written');
      await checkEverySeq(target, room, expected, seq);

      // A fresh server on the same data dir loads the room from snapshot + tail and agrees.
      disconnect(client);
      client = null;
      await target.close();
      restarted = await startTestServer({ dataDir: target.dataDir, snapshotPolicy: SNAPSHOT_POLICY });
      assert.equal(await getLastSeq(restarted, room, viewer), seq);
      await checkEverySeq(restarted, room, expected, seq);
      client = await connectClient(restarted.wsUrl, room, testToken(room, 'editor', 'alice'));
      assert.deepEqual(readSong(client.doc), expected.get(seq), 'a reconnecting client gets the last state');
    } finally {
      if (client) disconnect(client);
      await target.close();
      await restarted?.close();
    }
  });
}

test('with two concurrent editors, state at every seq equals the log replayed entry by entry', async () => {
  const target = await startTestServer({ snapshotPolicy: SNAPSHOT_POLICY });
  const room = 'rebuild-concurrent';
  const viewer = testToken(room, 'viewer');
  const clients: Client[] = [];
  try {
    clients.push(await connectClient(target.wsUrl, room, testToken(room, 'editor', 'alice')));
    clients.push(await connectClient(target.wsUrl, room, testToken(room, 'editor', 'bob')));
    const [a, b] = clients as [Client, Client];
    seedSong(a.doc, new Rng(99));
    await waitFor(() => songJson(a.doc) === songJson(b.doc), 5000, 'b has the seed song');
    const rngA = new Rng(11);
    const rngB = new Rng(12);
    // Both edit without waiting for each other; a yields to the event loop now and then so
    // updates interleave on the server.
    for (let i = 0; i < 120; i++) {
      randomEdit(a.doc, rngA);
      randomEdit(b.doc, rngB);
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => songJson(a.doc) === songJson(b.doc), 10_000, 'a and b converge');
    const lastSeq = await getLastSeq(target, room, viewer);
    assert.deepEqual(await getSong(target, room, viewer), readSong(a.doc), 'the server agrees with the clients');
    assert.ok(target.server.metrics.snapshots.get() > 0, 'snapshots were written');

    const updates = await getUpdates(target, room, viewer, 0);
    assert.deepEqual(
      updates.map((u) => u.seq),
      Array.from({ length: lastSeq }, (_, i) => i + 1),
      'the replay stream has every seq once',
    );
    const replay = new Y.Doc();
    assert.deepEqual(await getSong(target, room, viewer, 0), readSong(replay));
    for (const { seq, update } of updates) {
      Y.applyUpdate(replay, update);
      assert.deepEqual(await getSong(target, room, viewer, seq), readSong(replay), `state at seq ${seq}`);
    }
    assert.deepEqual(readSong(replay), readSong(a.doc), 'the replayed log ends at the live state');
    const after = await getUpdates(target, room, viewer, lastSeq - 3);
    assert.deepEqual(
      after.map((u) => u.seq),
      [lastSeq - 2, lastSeq - 1, lastSeq],
      'updates?after= starts after the given seq',
    );
  } finally {
    clients.forEach(disconnect);
    await target.close();
  }
});
