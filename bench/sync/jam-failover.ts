/**
 * bench:sync jam-failover — does a playing jam's beat survive its owner node dying? Three nodes on
 * one PostgreSQL database (a throwaway cluster on this machine, fsync on), --lease-ms 1500 as in
 * cluster.ts's failover. `JAM_KILLS` rounds (default 10), each:
 *
 *   1. A conductor (an editor's jam client) dials node k % 3 and sets the transport: round 0 a
 *      tempo, a loop and play; later rounds a new tempo (so each round's anchor is new). The node
 *      that then holds the room (from /healthz) is the owner.
 *   2. LISTENERS jam clients (the real JamClient with the app's reconnect and ping settings, each
 *      on a local clock skewed from the truth by a known offset and drift: tests/support/
 *      jam-clients.ts) dial the two other nodes, which relay them to the owner; they wait until
 *      ready and SYNC_MS more for their clock estimates to settle. The conductor leaves.
 *   3. Each listener's timeline before the kill: the downbeats of its transport state over the next
 *      PREDICT_MS, each mapped to the true time at which this listener would play it (its clock
 *      estimate's localAt, then the skewed clock back to true time): what it would go on playing
 *      had nothing happened.
 *   4. The owner is SIGKILLed. Each listener's relay closes, it reconnects with backoff, the
 *      surviving node it dials refuses it while the dead owner's lease runs, then that node (or
 *      the other survivor) opens the room, loading the transport from room_transport.
 *   5. transportBackMs: from the kill until the listener is 'ready' again on a new connection (a
 *      welcome with the transport, and a pong), which is when the app follows the timeline again.
 *      At that moment, and AFTER_MS later (more pings in the estimate), the same mapping of the
 *      downbeats in the following COMPARE_BARS bars; downbeat error = after − before for the
 *      same downbeat (by server time; matched by nearest true time if the timeline moved), the
 *      worst of those bars per listener.
 *   6. The transport must come back as it was: playing, bpm, meter, loop, anchor and revision.
 *   The killed node restarts on its port and id before the next round.
 *
 * The truth is this process's clock (performance.timeOrigin + now), as the nodes' are theirs: on
 * one machine they agree to well under a millisecond, standing in for NTP-synced hosts.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { TransportState } from '../../core/jam/contract.ts';
import { downbeats, type Downbeat } from '../../core/jam/timeline.ts';
import { serverClock } from '../../sync-server/jam/jam-room.ts';
import { startPostgresCluster } from '../../tests/support/postgres-cluster.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from '../../tests/support/server-process.ts';
import { openJam, SkewedClock, waitReady, type TestJamClient } from '../../tests/support/jam-clients.ts';
import { waitFor } from '../../tests/support/yjs-clients.ts';
import { freePorts } from '../../tests/support/deploy-files.ts';
import { distribution, round2, sleep } from './support.ts';

const LEASE_MS = 1_500;
const KILLS = Number(process.env.JAM_KILLS ?? 10);
const LISTENERS = 4;
/** Known clock skews of the listeners (ms, ppm). */
const SKEWS: [number, number][] = [
  [+250, +40],
  [-80, -25],
  [+1_200, 0],
  [-3_000, +100],
];
/** After the listeners are ready, how long their clock estimates settle before the kill. */
const SYNC_MS = 3_000;
const PREDICT_MS = 60_000;
const COMPARE_BARS = 4;
const AFTER_MS = 2_000;
const BACK_TIMEOUT_MS = 30_000;
/** The app's JamClient settings (renderer/jam/connect.ts leaves the defaults). */
const APP_CLIENT = { reconnectMinMs: 250, reconnectMaxMs: 5_000 };
const LOOP = { startBar: 4, endBar: 12 };

function nodeArgs(url: string, i: number, port: number): string[] {
  return [
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
  ];
}

/** The node that has the room open (its /healthz counts it), or -1. */
async function servingNode(nodes: (ServerProcess | null)[]): Promise<number> {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (!node) continue;
    try {
      const health = (await (await fetch(`${node.url}/healthz`)).json()) as { rooms: number };
      if (health.rooms > 0) return i;
    } catch {
      // a dead node
    }
  }
  return -1;
}

interface Planned {
  atMs: number;
  bar: number;
  /** The true time this listener plays it. */
  trueMs: number;
}

function plannedDownbeats(listener: TestJamClient, state: TransportState, fromServerMs: number, count: number): Planned[] {
  return downbeats(state, fromServerMs, count).map((d: Downbeat) => ({ atMs: d.atMs, bar: d.bar, trueMs: listener.truePlayTime(d.atMs) }));
}

/** Worst |after − before| (ms) over `after`'s downbeats, each matched to `before`'s same downbeat. */
function worstError(before: Planned[], after: Planned[]): { worstMs: number; matchedByServerTime: boolean; sameBars: boolean } {
  let worst = 0;
  let exact = true;
  let sameBars = true;
  for (const a of after) {
    let match = before.find((b) => Math.abs(b.atMs - a.atMs) < 1e-6);
    if (!match) {
      exact = false;
      match = before.reduce((best, b) => (Math.abs(b.trueMs - a.trueMs) < Math.abs(best.trueMs - a.trueMs) ? b : best));
    }
    if (match.bar !== a.bar) sameBars = false;
    worst = Math.max(worst, Math.abs(a.trueMs - match.trueMs));
  }
  return { worstMs: worst, matchedByServerTime: exact, sameBars };
}

function sameTransport(a: TransportState, b: TransportState): { kept: boolean; differs: string[] } {
  const differs: string[] = [];
  if (a.playing !== b.playing) differs.push('playing');
  if (a.bpm !== b.bpm) differs.push('bpm');
  if (JSON.stringify(a.meter) !== JSON.stringify(b.meter)) differs.push('meter');
  if (JSON.stringify(a.loop) !== JSON.stringify(b.loop)) differs.push('loop');
  if (a.anchorMs !== b.anchorMs) differs.push('anchorMs');
  if (a.anchorBar !== b.anchorBar) differs.push('anchorBar');
  if (a.revision !== b.revision) differs.push('revision');
  return { kept: differs.length === 0, differs };
}

export async function benchJamFailover() {
  const started = performance.now();
  const loadAtStart = loadavg().map(round2);
  const db = await startPostgresCluster({ durable: true });
  const url = await db.createDatabase('jam_failover');
  const ports = await freePorts(3);
  const nodes: (ServerProcess | null)[] = await Promise.all(
    ports.map((port, i) => startServerProcess({ port, dataDir: tempDataDir(), args: nodeArgs(url, i, port) })),
  );
  const room = 'jam-failover';
  const open: TestJamClient[] = [];
  const kills: {
    owner: number;
    newOwner: number;
    bpm: number;
    transportBackMs: number[];
    transportKept: boolean;
    differs: string[];
    errorAtReadyMs: number[];
    errorAfterMs: number[];
    matchedByServerTime: boolean;
    sameBars: boolean;
    clockErrorBeforeMs: number[];
    clockErrorAfterMs: number[];
    reconnects: number[];
    loadavg: number[];
  }[] = [];
  try {
    for (let k = 0; k < KILLS; k++) {
      // 1. The conductor sets the transport through node k % 3.
      const conductor = openJam(nodes[k % 3]!.wsUrl, room, testToken(room, 'editor', `conductor${k}`), new SkewedClock(0), APP_CLIENT);
      open.push(conductor);
      await waitReady([conductor], 20_000);
      const bpm = 90 + 7 * k;
      const before = conductor.client.transport()!;
      if (k === 0) {
        conductor.client.request({ action: 'loop', loop: LOOP });
        conductor.client.request({ action: 'play', fromBar: 0 });
      }
      conductor.client.request({ action: 'tempo', bpm });
      await waitFor(
        () => {
          const t = conductor.client.transport();
          return !!t && t.playing && t.bpm === bpm && JSON.stringify(t.loop) === JSON.stringify(LOOP) && t.revision > before.revision;
        },
        10_000,
        'the transport plays at the new tempo',
      );
      const owner = await servingNode(nodes);
      if (owner < 0) throw new Error(`round ${k}: no node serves the room`);
      const others = [0, 1, 2].filter((i) => i !== owner);

      // 2. Listeners on the two non-owner nodes, relayed to the owner.
      const listeners = SKEWS.slice(0, LISTENERS).map(([offset, drift], j) => {
        const l = openJam(
          nodes[others[j % 2]!]!.wsUrl,
          room,
          testToken(room, 'editor', `listener${k}-${j}`),
          new SkewedClock(offset, drift),
          APP_CLIENT,
        );
        open.push(l);
        return l;
      });
      await waitReady(listeners, 20_000);
      const anchor = conductor.client.transport()!.anchorMs;
      // The tempo change has sounded (its anchor is past) and the estimates have a few pings.
      await sleep(Math.max(SYNC_MS, anchor - serverClock() + 200));
      conductor.client.close();
      if ((await servingNode(nodes)) !== owner) throw new Error(`round ${k}: the room moved before the kill`);

      // 3. Each listener's timeline before the kill.
      const states = listeners.map((l) => l.client.transport()!);
      if (!states.every((s) => s.revision === states[0]!.revision)) throw new Error(`round ${k}: listeners disagree on the transport`);
      const now = serverClock();
      const predicted = listeners.map((l, j) => plannedDownbeats(l, states[j]!, now, Math.ceil(PREDICT_MS / 1000)));
      const clockErrorBeforeMs = listeners.map((l) => round2(l.error()));
      const connections = listeners.map((l) => l.client.connections);

      // 4. Kill the owner; 5. wait for every listener to be back.
      const back: (number | null)[] = listeners.map(() => null);
      const atReady: { worstMs: number; matchedByServerTime: boolean; sameBars: boolean }[] = [];
      const unsubscribe = listeners.map((l, j) =>
        l.client.onChange((kind) => {
          if (kind !== 'status' || back[j] !== null || l.client.status !== 'ready' || l.client.connections <= connections[j]!) return;
          back[j] = performance.now();
          const state = l.client.transport()!;
          atReady[j] = worstError(predicted[j]!, plannedDownbeats(l, state, l.client.serverNow(), COMPARE_BARS));
        }),
      );
      const killedAt = performance.now();
      await nodes[owner]!.kill('SIGKILL');
      const dead = nodes[owner]!;
      nodes[owner] = null;
      await waitFor(() => back.every((b) => b !== null), BACK_TIMEOUT_MS, `round ${k}: listeners back after the kill`);
      unsubscribe.forEach((u) => u());
      await sleep(AFTER_MS);
      const afterStates = listeners.map((l) => l.client.transport()!);
      const later = listeners.map((l, j) =>
        worstError(predicted[j]!, plannedDownbeats(l, afterStates[j]!, l.client.serverNow(), COMPARE_BARS)),
      );
      const kept = afterStates.map((s, j) => sameTransport(states[j]!, s));
      const newOwner = await servingNode(nodes);
      const record = {
        owner,
        newOwner,
        bpm,
        transportBackMs: back.map((b) => Math.round(b! - killedAt)),
        transportKept: kept.every((x) => x.kept),
        differs: [...new Set(kept.flatMap((x) => x.differs))],
        errorAtReadyMs: atReady.map((e) => round2(e.worstMs)),
        errorAfterMs: later.map((e) => round2(e.worstMs)),
        matchedByServerTime: [...atReady, ...later].every((e) => e.matchedByServerTime),
        sameBars: [...atReady, ...later].every((e) => e.sameBars),
        clockErrorBeforeMs,
        clockErrorAfterMs: listeners.map((l) => round2(l.error())),
        reconnects: listeners.map((l, j) => l.client.connections - connections[j]!),
        loadavg: loadavg().map(round2),
      };
      kills.push(record);
      console.error(
        `  jam failover ${k + 1}/${KILLS}: node-${owner} killed, node-${newOwner} took over; back after ${record.transportBackMs.join('/')} ms; ` +
          `downbeat error at ready ${record.errorAtReadyMs.join('/')} ms, +${AFTER_MS / 1000} s ${record.errorAfterMs.join('/')} ms; ` +
          `transport ${record.transportKept ? 'kept' : `RESET (${record.differs.join(', ')})`}`,
      );
      for (const l of listeners) l.client.close();
      // The killed node comes back on its port and id before the next round.
      nodes[owner] = await startServerProcess({ port: dead.port, dataDir: dead.dataDir, args: nodeArgs(url, owner, dead.port) });
    }
  } finally {
    for (const c of open) c.client.close();
    for (const node of nodes) {
      if (!node) continue;
      await node.kill('SIGTERM');
      rmSync(node.dataDir, { recursive: true, force: true });
    }
    await db.stop();
  }
  const all = (pick: (k: (typeof kills)[number]) => number[]) => kills.flatMap(pick);
  const summary = (values: number[]) => {
    const d = distribution(values);
    return { p50: d.p50, max: d.max, count: d.count };
  };
  return {
    setup: {
      nodes: 3,
      leaseMs: LEASE_MS,
      postgres: 'throwaway cluster on this machine, fsync on (durable: true)',
      listeners: LISTENERS,
      listenerClockSkews: SKEWS.slice(0, LISTENERS).map(([offsetMs, driftPpm]) => ({ offsetMs, driftPpm })),
      listenerPlacement: 'on the two non-owner nodes (relayed to the owner), alternating',
      jamClient: `the real JamClient, app defaults (reconnect ${APP_CLIENT.reconnectMinMs}..${APP_CLIENT.reconnectMaxMs} ms backoff, ping every ~1.5 s after a burst of 8)`,
      transport: `4/4, loop bars ${LOOP.startBar}-${LOOP.endBar}, playing; round k sets tempo 90 + 7k bpm`,
      syncBeforeKillMs: SYNC_MS,
      compareBars: COMPARE_BARS,
      afterMs: AFTER_MS,
      definitions: {
        downbeatErrorMs: `per listener: worst |t_after − t_before| over the ${COMPARE_BARS} downbeats after it is back, t = the true time at which it would play the downbeat (transport state + its clock estimate, mapped through its skewed clock), before = as computed just before the kill, after = from the state and estimate it has once back`,
        transportBackMs:
          "SIGKILL of the owner until the listener is 'ready' again on a new connection (welcome with the transport + a pong)",
        transportKept: 'playing, bpm, meter, loop, anchorMs, anchorBar and revision as before the kill',
        clockErrorMs: "the listener's estimate of the server clock minus this process's clock (the truth), just before the kill and after",
      },
    },
    kills: kills.length,
    transportBackMs: summary(all((k) => k.transportBackMs)),
    downbeatErrorAtReadyMs: summary(all((k) => k.errorAtReadyMs)),
    downbeatErrorAfterMs: summary(all((k) => k.errorAfterMs)),
    transportResets: kills.filter((k) => !k.transportKept).length,
    sameTimelineEveryKill: kills.every((k) => k.matchedByServerTime && k.sameBars),
    newOwners: kills.map((k) => `node-${k.owner} -> node-${k.newOwner}`),
    perKill: kills,
    loadavg: { start: loadAtStart, end: loadavg().map(round2) },
    durationS: Math.round((performance.now() - started) / 1000),
  };
}
