/**
 * bench:sync cluster — the hosted topology on this machine, side by side in one run, on a
 * throwaway PostgreSQL cluster (tests/support/postgres-cluster.ts; fsync on):
 *
 *   propagation  16 stock y-websocket peers in one room, 20 app edits/s each (latency.ts's
 *                workload), delivery p50/p99 for:
 *                  sqlite-1   one node, SQLite store (the default; the baseline),
 *                  pg-1       one node, --store postgres (batched appends, broadcast after commit),
 *                  pg-3       three nodes on one database, peers spread over them: the room's
 *                             owner serves a third, the other two relay theirs to it.
 *   failover     three nodes (the default lease, or CLUSTER_LEASE_MS), two editing peers on the non-owner nodes; the
 *                owner SIGKILLed, then: time until an edit made after the kill reaches the other
 *                peer, and edits acknowledged before the kill missing from the database; the
 *                killed node restarted before the next kill. `CLUSTER_KILLS` kills (default 10).
 *
 * `CLUSTER_PARTS=failover` (or `propagation`) runs only that part; the other keeps its last result
 * in bench/results/sync.json.
 *
 * All nodes share this machine's two cores with PostgreSQL and the peers: the figures are a
 * floor for what separate machines would do, and the pg-3 CPU figures add up every process.
 */
import { rmSync } from 'node:fs';
import { addClip, addTrack, initSong } from '../../core/song/edits.ts';
import { clipsMap } from '../../core/song/schema.ts';
import { startPostgresCluster, type PostgresCluster } from '../../tests/support/postgres-cluster.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from '../../tests/support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from '../../tests/support/yjs-clients.ts';
import { freePorts } from '../../tests/support/deploy-files.ts';
import { burst, readLog } from '../../tests/support/postgres-room.ts';
import { createPool } from '../../sync-server/store/postgres-schema.ts';
import { leaseHolder } from '../../sync-server/store/room-lease.ts';
import { LIMITS } from '../../sync-server/limits.ts';
import { Jam } from './jam.ts';
import { distribution, finishPropagation, processCpuSeconds, PROPAGATION, round2, sleep, startPropagation } from './support.ts';

const { peers: PEERS, editsPerSecondPerPeer: EDITS_PER_SECOND_PER_PEER, warmupMs: WARMUP_MS } = PROPAGATION;
const MEASURE_MS = Number(process.env.CLUSTER_MEASURE_MS ?? 8_000);
// The server's default lease unless CLUSTER_LEASE_MS says otherwise: the figures are what ships.
const LEASE_MS = Number(process.env.CLUSTER_LEASE_MS ?? LIMITS.store.leaseMs);
const KILLS = Number(process.env.CLUSTER_KILLS ?? 10);
const PARTS = new Set((process.env.CLUSTER_PARTS ?? 'propagation,failover').split(',').map((p) => p.trim()));
for (const part of PARTS)
  if (part !== 'propagation' && part !== 'failover') throw new Error(`CLUSTER_PARTS: unknown part ${part} (propagation, failover)`);

type Setup = 'sqlite-1' | 'pg-1' | 'pg-3';

async function startNodes(url: string | null, count: number): Promise<ServerProcess[]> {
  const ports = await freePorts(count);
  return Promise.all(
    ports.map((port, i) =>
      startServerProcess({
        port,
        dataDir: tempDataDir(),
        args: url
          ? [
              '--store',
              url,
              '--node-id',
              `node-${i}`,
              '--lease-ms',
              String(LEASE_MS),
              '--node-url',
              `http://127.0.0.1:${port}`,
              '--trusted-proxy',
              '127.0.0.1',
            ]
          : [],
      }),
    ),
  );
}

async function stopNodes(nodes: ServerProcess[]): Promise<void> {
  for (const node of nodes) {
    await node.kill('SIGTERM');
    rmSync(node.dataDir, { recursive: true, force: true });
  }
}

async function propagation(setup: Setup, db: PostgresCluster) {
  const url = setup === 'sqlite-1' ? null : await db.createDatabase(`prop_${setup.replace('-', '')}`);
  const nodes = await startNodes(url, setup === 'pg-3' ? 3 : 1);
  const room = `cluster-${setup}`;
  let jam: Jam | null = null;
  // A silent peer on node 0 opens the room first, so node 0 owns it (the 16 connect at once).
  const opener = await connectClient(nodes[0]!.wsUrl, room, testToken(room, 'viewer', 'opener'));
  try {
    let next = 0;
    // Peer i dials node i % n; the first peer (node 0) opens the room, so node 0 owns it.
    const connect: typeof connectClient = (_url, r, token, options) =>
      connectClient(nodes[next++ % nodes.length]!.wsUrl, r, token, options);
    jam = await Jam.open(nodes[0]!.wsUrl, room, PEERS, (i) => testToken(room, 'editor', `peer${i + 1}`), undefined, connect);
    const pids = nodes.map((n) => n.child.pid!);
    const { from, to } = await startPropagation(jam, pids, MEASURE_MS);
    const cpu0 = pids.map(processCpuSeconds);
    await sleep(to - performance.now());
    const seconds = (performance.now() - from) / 1000;
    const cpu1 = pids.map(processCpuSeconds);
    const { measured, delivery } = await finishPropagation(jam, from, to);
    const cores = pids.map((_, i) => round2((cpu1[i]! - cpu0[i]!) / seconds));
    const totalCores = cores.reduce((s, c) => s + c, 0);
    return {
      setup,
      edits: measured.edits,
      lost: measured.lost,
      docsEqual: measured.docsEqual,
      delivery: distribution(delivery),
      nodeCores: cores,
      editsPerServerCpuSecond: totalCores > 0 ? Math.round(measured.edits / seconds / totalCores) : null,
    };
  } finally {
    jam?.close();
    disconnect(opener);
    await stopNodes(nodes);
  }
}

/** The node that has the room open (its /healthz counts it), or -1. */
async function servingNode(nodes: ServerProcess[]): Promise<number> {
  for (let i = 0; i < nodes.length; i++) {
    const health = (await (await fetch(`${nodes[i]!.url}/healthz`)).json()) as { rooms: number };
    if (health.rooms > 0) return i;
  }
  return -1;
}

async function failover(db: PostgresCluster) {
  const url = await db.createDatabase('failover');
  const nodes = await startNodes(url, 3);
  const room = 'cluster-failover';
  const clients: Client[] = [];
  const kills: { flowingAfterMs: number; leaseLeftMs: number; ackedBeforeKill: number; missing: number }[] = [];
  // Reads the lease the killed owner left behind (how long the survivors must wait for it, at most).
  const pool = createPool(url, { max: 1, applicationName: 'bench' });
  try {
    for (let k = 0; k < KILLS; k++) {
      // A fresh peer opens the room on node k % 3; whichever node then holds it (it may still be a
      // survivor of the last round) is the one killed, with the editors on the other two.
      const opener = await connectClient(nodes[k % 3]!.wsUrl, room, testToken(room, 'owner', `owner${k}`));
      clients.push(opener);
      if (k === 0) initSong(opener.doc, { title: 'Failover' });
      await waitFor(() => opener.provider.synced, 20_000, 'the opener is synced');
      const trackId = k === 0 ? addTrack(opener.doc, { role: 'bass' }) : [...opener.doc.getMap('tracks').keys()][0]!;
      const ownerIndex = await servingNode(nodes);
      if (ownerIndex < 0) throw new Error(`round ${k}: no node serves the room`);
      const others = [0, 1, 2].filter((i) => i !== ownerIndex);
      const editors = await Promise.all(
        others.map(async (i, j) => {
          const c = await connectClient(nodes[i]!.wsUrl, room, testToken(room, 'editor', `ed${k}-${j}`));
          clients.push(c);
          return c;
        }),
      );
      await waitFor(() => editors.every((p) => p.doc.getMap('tracks').has(trackId)), 20_000, 'editors have the track');
      const edits = burst(editors, trackId);
      await waitFor(() => edits.acked().length > 20, 20_000, 'edits flow');
      disconnect(opener);
      const killedAt = performance.now();
      await nodes[ownerIndex]!.kill('SIGKILL');
      const acked = edits.acked();
      const left = await leaseHolder(pool, room);
      const leaseLeftMs =
        left?.live && left.expiresAt ? Math.round(left.expiresAt.getTime() - Date.now() + (performance.now() - killedAt)) : 0;
      const probe = addClip(editors[0]!.doc, { trackId, startBar: 4050 + k, lengthBars: 1, name: `after kill ${k}`, notes: [] });
      await waitFor(() => clipsMap(editors[1]!.doc).has(probe), 30_000, 'an edit flows again');
      const flowingAfterMs = Math.round(performance.now() - killedAt);
      await edits.stop();
      const { broken, doc } = await readLog(url, room);
      if (broken) throw new Error(`kill ${k}: the chain broke: ${JSON.stringify(broken)}`);
      const missing = acked.filter((id) => !clipsMap(doc).has(id)).length;
      kills.push({ flowingAfterMs, leaseLeftMs, ackedBeforeKill: acked.length, missing });
      console.error(
        `  failover ${k + 1}/${KILLS}: flowing again after ${flowingAfterMs} ms (the lease had ${leaseLeftMs} ms left), ${missing} of ${acked.length} acknowledged missing`,
      );
      editors.forEach(disconnect);
      // The killed node comes back on its port and id before the next round.
      const dead = nodes[ownerIndex]!;
      nodes[ownerIndex] = await startServerProcess({
        port: dead.port,
        dataDir: dead.dataDir,
        args: [
          '--store',
          url,
          '--node-id',
          `node-${ownerIndex}`,
          '--lease-ms',
          String(LEASE_MS),
          '--node-url',
          `http://127.0.0.1:${dead.port}`,
          '--trusted-proxy',
          '127.0.0.1',
        ],
      });
    }
  } finally {
    clients.forEach(disconnect);
    await pool.end();
    await stopNodes(nodes);
  }
  const times = kills.map((k) => k.flowingAfterMs);
  return {
    leaseMs: LEASE_MS,
    kills: kills.length,
    flowingAgainMs: { p50: distribution(times).p50, max: Math.max(...times) },
    editsLost: kills.reduce((s, k) => s + k.missing, 0),
    acknowledgedBeforeKills: kills.reduce((s, k) => s + k.ackedBeforeKill, 0),
    perKill: kills,
  };
}

export async function benchCluster() {
  const db = await startPostgresCluster({ durable: true });
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(Math.max(maxListeners, PEERS + 10));
  try {
    const turns = [];
    for (const setup of PARTS.has('propagation') ? (['sqlite-1', 'pg-1', 'pg-3'] as const) : []) {
      const t = await propagation(setup, db);
      console.error(`  ${setup}: p50 ${t.delivery.p50} ms, p99 ${t.delivery.p99} ms, lost ${t.lost}, cores ${t.nodeCores.join('+')}`);
      turns.push(t);
    }
    return {
      setup: {
        peers: PEERS,
        editsPerSecondPerPeer: EDITS_PER_SECOND_PER_PEER,
        warmupS: WARMUP_MS / 1000,
        measureS: MEASURE_MS / 1000,
        postgres: 'throwaway cluster on this machine, fsync on',
        machine: "every node, PostgreSQL and the peers share this machine's cores",
        unit: 'ms',
      },
      ...(PARTS.has('propagation') ? { propagation: turns } : {}),
      ...(PARTS.has('failover') ? { failover: await failover(db) } : {}),
      targets: { crossNodeP99Ms: 15, failoverMs: 3000, editsLost: 0 },
    };
  } finally {
    process.setMaxListeners(maxListeners);
    await db.stop();
  }
}
