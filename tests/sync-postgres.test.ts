/**
 * `riffroom-server --store postgres://…` on a real, throwaway PostgreSQL cluster, with stock
 * y-websocket providers (disableBc) and real server processes:
 *
 * - peers converge and the database log holds every edit exactly once, in order, chain intact;
 * - SIGKILL of the server mid-burst, restart: no acknowledged edit (one another peer received
 *   through the server) is missing from the database, read before anyone reconnects;
 * - `pg_ctl restart -m immediate` mid-burst: writes that fail make the room fail (its peers are
 *   closed and reconnect, resending what the log lacks); nothing acknowledged is lost;
 * - two nodes on one database: the second refuses a room the first owns, naming it (503);
 * - the owner SIGSTOPped past its lease: the second node takes the room; SIGCONT: the first's
 *   writes are fenced, its peers are sent away, and the chain never forks;
 * - the jam transport (playing, tempo, loop, anchor) survives a restart of the server (SIGKILL):
 *   the next owner continues the same beat timeline.
 *
 * Skipped, with the reason, where PostgreSQL is not installed (scripts/setup-postgres.sh).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { addClip, addTrack, initSong } from '../core/song/edits.ts';
import { clipsMap } from '../core/song/schema.ts';
import { findPostgresBinaries, startPostgresCluster, type PostgresCluster } from './support/postgres-cluster.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { PostgresLogStore } from '../sync-server/store/postgres-store.ts';
import { burst, readLog } from './support/postgres-room.ts';
import { openJam, waitReady } from './support/jam-clients.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_MS = 1500;

function storeArgs(url: string, node: string): string[] {
  return ['--store', url, '--node-id', node, '--lease-ms', String(LEASE_MS)];
}

/** The HTTP answer to a websocket upgrade that the server refused. */
function refusedUpgrade(wsUrl: string, room: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}/${room}?token=${token}`);
    ws.once('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('the server on PostgreSQL', { skip: binaries.why }, () => {});
} else {
  describe('the server on PostgreSQL', async () => {
    const cluster: PostgresCluster = await startPostgresCluster();
    after(() => cluster.stop());
    const servers: ServerProcess[] = [];
    const clients: Client[] = [];
    after(async () => {
      clients.forEach(disconnect);
      for (const server of servers) {
        if (server.child.signalCode === 'SIGSTOP') server.child.kill('SIGCONT');
        await server.kill('SIGKILL');
      }
    });
    const start = async (url: string, node: string, dataDir = tempDataDir(), port?: number) => {
      const server = await startServerProcess({ dataDir, port, args: storeArgs(url, node) });
      servers.push(server);
      return server;
    };
    const connect = async (server: ServerProcess, room: string, name: string) => {
      const client = await connectClient(server.wsUrl, room, testToken(room, 'editor', name));
      clients.push(client);
      return client;
    };

    test('stock providers converge; the database has every edit once, in order, chain intact', async () => {
      const url = await cluster.createDatabase('converge');
      const server = await start(url, 'node-a');
      await waitFor(() => /rooms in postgres:\/\/\S+ as node node-a/.test(server.output()), 5000, 'the server names its store and node');
      assert.doesNotMatch(server.output(), /:[^@/]*@/, 'no password printed');
      const room = 'pg-converge';
      const peers = [await connect(server, room, 'ann'), await connect(server, room, 'ben'), await connect(server, room, 'cat')];
      initSong(peers[0]!.doc, { title: 'On PostgreSQL' });
      const trackId = addTrack(peers[0]!.doc, { role: 'drums' });
      await waitFor(() => peers.every((p) => p.doc.getMap('tracks').has(trackId)), 10_000, 'everyone has the track');
      const edits = burst(peers, trackId);
      await sleep(400);
      await edits.stop();
      const all = edits.created.flat();
      await waitFor(() => peers.every((p) => all.every((id) => clipsMap(p.doc).has(id))), 15_000, 'peers converge');
      const ready = await fetch(`${server.url}/readyz`);
      const report = (await ready.json()) as { checks: { name: string; ok: boolean }[] };
      assert.equal(ready.status, 200, JSON.stringify(report));
      assert.ok(
        report.checks.some((c) => c.name === 'store' && c.ok),
        JSON.stringify(report),
      );

      const { broken, clipsPerEntry } = await readLog(url, room);
      assert.equal(broken, null, 'the chain holds');
      const where = new Map<string, number>();
      clipsPerEntry.forEach((ids, seq) => ids.forEach((id) => where.set(id, seq)));
      assert.equal(clipsPerEntry.flat().length, all.length, 'every clip arrived in exactly one entry');
      for (const id of all) assert.ok(where.has(id), `clip ${id} is in the log`);
      for (const ids of edits.created) {
        const seqs = ids.map((id) => where.get(id)!);
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          "each peer's edits are in the order it made them",
        );
      }

      // History reads and restores go through the store too: the state before the first clip,
      // then a restore to it that every peer receives as an ordinary edit.
      const beforeClips = clipsPerEntry.findIndex((ids) => ids.length > 0);
      const auth = { authorization: `Bearer ${testToken(room, 'owner', 'olga')}` };
      const state = await fetch(`${server.url}/api/rooms/${room}/state?at=${beforeClips}`, { headers: auth });
      assert.equal(state.status, 200);
      const past = new Y.Doc();
      Y.applyUpdate(past, new Uint8Array(await state.arrayBuffer()));
      assert.equal(clipsMap(past).size, 0);
      assert.ok(past.getMap('tracks').has(trackId));
      const restored = await fetch(`${server.url}/api/rooms/${room}/restore`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ seq: beforeClips }),
      });
      assert.equal(restored.status, 200, await restored.clone().text());
      assert.equal(((await restored.json()) as { seq: number }).seq, clipsPerEntry.length + 1, 'the restore is the next entry');
      await waitFor(() => peers.every((p) => clipsMap(p.doc).size === 0), 10_000, 'every peer has the restored song');
      assert.equal((await readLog(url, room)).broken, null);
      peers.forEach(disconnect);
    });

    test('SIGKILL mid-burst: every acknowledged edit is in the database; after a restart peers carry on', async () => {
      const url = await cluster.createDatabase('sigkill');
      const dataDir = tempDataDir();
      let server = await start(url, 'node-k', dataDir);
      const port = server.port;
      const room = 'pg-sigkill';
      const peers = [await connect(server, room, 'ann'), await connect(server, room, 'ben')];
      initSong(peers[0]!.doc, { title: 'Killed' });
      const trackId = addTrack(peers[0]!.doc, { role: 'bass' });
      await waitFor(() => peers.every((p) => p.doc.getMap('tracks').has(trackId)), 10_000, 'everyone has the track');
      const edits = burst(peers, trackId);
      await waitFor(() => edits.acked().length > 20, 10_000, 'edits flow');
      await server.kill('SIGKILL');
      const acked = edits.acked();
      const { broken, doc } = await readLog(url, room);
      assert.equal(broken, null);
      const missing = acked.filter((id) => !clipsMap(doc).has(id));
      assert.deepEqual(missing, [], `${acked.length} acknowledged edits, none missing from the database`);

      // The same node (same data dir, same node id) takes its room back at once on restart.
      server = await start(url, 'node-k', dataDir, port);
      await waitFor(() => peers.every((p) => p.provider.wsconnected && p.provider.synced), 15_000, 'peers reconnected');
      await sleep(100);
      await edits.stop();
      const all = edits.created.flat();
      await waitFor(() => peers.every((p) => all.every((id) => clipsMap(p.doc).has(id))), 15_000, 'peers converge');
      await server.kill('SIGTERM');
      const final = await readLog(url, room);
      assert.equal(final.broken, null);
      assert.deepEqual(
        all.filter((id) => !clipsMap(final.doc).has(id)),
        [],
        'every edit is in the database',
      );
      peers.forEach(disconnect);
    });

    test('pg_ctl restart -m immediate mid-burst: nothing acknowledged is lost, peers carry on', async (t) => {
      const url = await cluster.createDatabase('pgrestart');
      const server = await start(url, 'node-r');
      const room = 'pg-restart';
      const peers = [await connect(server, room, 'ann'), await connect(server, room, 'ben')];
      initSong(peers[0]!.doc, { title: 'Database restarts' });
      const trackId = addTrack(peers[0]!.doc, { role: 'keys' });
      await waitFor(() => peers.every((p) => p.doc.getMap('tracks').has(trackId)), 10_000, 'everyone has the track');
      const closes: number[] = [];
      for (const peer of peers) peer.provider.on('connection-close', (event: { code?: number } | null) => closes.push(event?.code ?? 0));
      const edits = burst(peers, trackId);
      await waitFor(() => edits.acked().length > 20, 10_000, 'edits flow');
      await cluster.restart();
      const ackedAtRestart = edits.acked();
      await waitFor(() => edits.acked().length > ackedAtRestart.length + 20, 20_000, 'edits flow again after the restart');
      await edits.stop();
      const all = edits.created.flat();
      await waitFor(() => peers.every((p) => all.every((id) => clipsMap(p.doc).has(id))), 20_000, 'peers converge');
      await server.kill('SIGTERM');
      const { broken, doc } = await readLog(url, room);
      assert.equal(broken, null);
      assert.deepEqual(
        all.filter((id) => !clipsMap(doc).has(id)),
        [],
        'every edit is in the database',
      );
      // Whether a write was in flight when the database went away is up to timing: then the room
      // failed (4500) and its peers reconnected; otherwise the pool's next connection just worked.
      t.diagnostic(
        `peers closed during the restart with: [${closes.join(', ')}]; room failures logged: ${(server.output().match(/disconnecting its peers/g) ?? []).length}`,
      );
      peers.forEach(disconnect);
    });

    test('the jam transport survives the server: the next owner continues the same beat timeline', async () => {
      const url = await cluster.createDatabase('transport');
      const dataDir = tempDataDir();
      let server = await start(url, 'node-t', dataDir);
      const room = 'pg-transport';
      const owner = testToken(room, 'owner', 'olga');
      const first = openJam(server.wsUrl, room, owner);
      await waitReady([first]);
      first.client.request({ action: 'tempo', bpm: 133 });
      first.client.request({ action: 'loop', loop: { startBar: 4, endBar: 12 } });
      first.client.request({ action: 'play', fromBar: 4 });
      await waitFor(() => first.client.transport()?.playing === true && first.client.transport()?.bpm === 133, 10_000, 'playing at 133');
      const kept = first.client.transport()!;
      assert.deepEqual(kept.loop, { startBar: 4, endBar: 12 });
      // Kept through the store: wait until the database has it, then kill the server outright.
      const logs = await PostgresLogStore.connect(url);
      let savedRevision = 0;
      try {
        for (const deadline = Date.now() + 10_000; savedRevision < kept.revision && Date.now() < deadline; await sleep(20)) {
          const { rows } = await logs.pool.query<{ state: string }>('SELECT state FROM room_transport WHERE room = $1', [room]);
          savedRevision = rows[0] ? (JSON.parse(rows[0].state) as { revision: number }).revision : 0;
        }
        assert.equal(savedRevision, kept.revision, 'the transport is in the database');
      } finally {
        await logs.close();
      }
      first.client.close();
      await server.kill('SIGKILL');
      server = await start(url, 'node-t', dataDir);
      const second = openJam(server.wsUrl, room, testToken(room, 'viewer'));
      await waitReady([second]);
      const t = second.client.transport()!;
      second.client.close();
      assert.equal(t.playing, true);
      assert.equal(t.bpm, 133);
      assert.deepEqual(t.loop, { startBar: 4, endBar: 12 });
      assert.equal(t.anchorMs, kept.anchorMs, 'the same anchor: the same beat timeline');
      assert.equal(t.anchorBar, kept.anchorBar);
      assert.equal(t.revision, kept.revision);
      await server.kill('SIGTERM');
    });

    test('two nodes: the second refuses a room the first owns; a paused owner is fenced once the other takes over', async () => {
      const url = await cluster.createDatabase('twonodes');
      const a = await start(url, 'node-a');
      const b = await start(url, 'node-b');
      const room = 'pg-owned';
      const onA = await connect(a, room, 'ann');
      initSong(onA.doc, { title: 'Owned by A' });
      const trackId = addTrack(onA.doc, { role: 'drums' });
      const watcher = await connect(a, room, 'wes');
      await waitFor(() => watcher.doc.getMap('tracks').has(trackId), 10_000, 'the watcher has the track');
      const refused = await refusedUpgrade(b.wsUrl, room, testToken(room));
      assert.equal(refused.status, 503);
      assert.match(refused.body, /room pg-owned is served by node node-a/);
      const api = await fetch(`${b.url}/api/rooms/${room}/history`, { headers: { authorization: `Bearer ${testToken(room, 'viewer')}` } });
      assert.equal(api.status, 503);
      assert.match(await api.text(), /node-a/);

      // A pauses past its lease; B takes the room.
      a.child.kill('SIGSTOP');
      const closes: number[] = [];
      onA.provider.on('connection-close', (event: { code?: number } | null) => closes.push(event?.code ?? 0));
      // Made while A is stopped: they wait in A's socket and reach A when it wakes.
      const lateClip = addClip(onA.doc, { trackId, startBar: 1, lengthBars: 1, name: 'late', notes: [] });
      await sleep(LEASE_MS + 300);
      const onB = await connect(b, room, 'bob');
      clipsMap(onB.doc); // the room loaded on B from the database
      const fromB = addClip(onB.doc, { trackId, startBar: 2, lengthBars: 1, name: 'from-b', notes: [] });
      const seqAfterB = await waitForEntries(url, room, (ids) => ids.includes(fromB));
      a.child.kill('SIGCONT');
      // A's writes are refused (fenced) or its keeper gives up first: either way its room fails
      // and its peers are sent away with 1012, which stock clients answer by reconnecting.
      await waitFor(() => closes.includes(1012), 10_000, `A's peers were closed with 1012 (got ${closes.join(', ')})`);
      await waitFor(() => /lost its lease/.test(a.output()), 5000, `A says it lost the lease:\n${a.output()}`);
      const { broken, clipsPerEntry } = await readLog(url, room);
      assert.equal(broken, null, 'the chain never forks');
      assert.ok(clipsPerEntry.length >= seqAfterB);
      assert.equal(
        clipsPerEntry.flat().filter((id) => id === lateClip).length,
        0,
        'the clip A received while deposed was never appended by A',
      );
      // The deposed node refuses the room from now on, naming B.
      const back = await refusedUpgrade(a.wsUrl, room, testToken(room));
      assert.equal(back.status, 503);
      assert.match(back.body, /node node-b/);
      const ready = await fetch(`${b.url}/readyz`);
      assert.equal(ready.status, 200);
      disconnect(onB);
    });
  });
}

/** Waits until the database log holds an entry matching `found`; returns the number of entries then. */
async function waitForEntries(url: string, room: string, found: (ids: string[]) => boolean): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { clipsPerEntry } = await readLog(url, room);
    if (found(clipsPerEntry.flat())) return clipsPerEntry.length;
    if (Date.now() > deadline) throw new Error('timed out waiting for the entry in the database');
    await sleep(50);
  }
}
