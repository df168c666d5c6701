/**
 * npm run bench:relay — what the cluster relay (sync-server/cluster/relay.ts) costs, written to
 * bench/results/relay.json: edit propagation with 16 stock y-websocket peers in one room, each
 * making 20 app edits a second (latency.ts's workload), the room served by node A, with
 *   same    all 16 peers on A (no relay: the baseline),
 *   split   8 peers on A and 8 on node B, which relays them to A (--route): an edit between the
 *           halves crosses the relay once,
 *   across  all 16 peers on B: every edit crosses the relay twice (sender → B → A → B → receiver).
 * Both nodes are child processes on this machine (loopback between them); the peers are in the
 * bench process. The kinds take turns (same, split, across, twice over), every turn with fresh
 * processes and a fresh room, and each kind's samples are pooled. A sample is one (edit, receiver)
 * delivery, as in latency.ts. A turn during which other processes on this machine used more than
 * a quarter of a core is run again (twice at most) and recorded in discardedTurns.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { testToken } from '../../tests/support/server-process.ts';
import { connectClient } from '../../tests/support/yjs-clients.ts';
import { Jam } from './jam.ts';
import {
  finishPropagation,
  markCpu,
  othersCores,
  processCpuSeconds,
  PROPAGATION,
  round2,
  sleep,
  startOurs,
  startPropagation,
  summarizeTurns,
  type BenchServer,
  type PropagationTurn,
} from './support.ts';

const { peers: PEERS, editsPerSecondPerPeer: EDITS_PER_SECOND_PER_PEER, warmupMs: WARMUP_MS } = PROPAGATION;
const MEASURE_MS = Number(process.env.RELAY_MEASURE_MS ?? 10_000);
const ORDER = ['same', 'split', 'across', 'same', 'split', 'across'] as const;
const TARGET_ACROSS_P99_MS = 15;

type Kind = (typeof ORDER)[number];

interface Turn extends PropagationTurn {
  kind: Kind;
  /** CPU of node A and node B during the measured window, as shares of one core. */
  cpuA: number;
  cpuB: number;
  /** Cores other processes on this machine used during the window. */
  otherProcessesCores: number;
}

async function turn(kind: Kind, index: number): Promise<{ turn: Turn; delivery: number[]; allPeers: number[] }> {
  const room = `relay-${index}`;
  const a = await startOurs();
  let b: BenchServer | null = null;
  let jam: Jam | null = null;
  try {
    b = await startOurs(['--route', `${room}=${a.url}`]);
    const viaB = b.wsUrl;
    let next = 0;
    // Which node each peer dials, in the order Jam.open connects them.
    const connect: typeof connectClient = (_url, r, token, options) => {
      const i = next++;
      const onB = kind === 'across' || (kind === 'split' && i % 2 === 1);
      return connectClient(onB ? viaB : a.wsUrl, r, token, options);
    };
    jam = await Jam.open(a.wsUrl, room, PEERS, (i) => testToken(room, 'editor', `peer${i + 1}`), undefined, connect);
    const pids = [a.pid, b.pid];
    const { from, to } = await startPropagation(jam, pids, MEASURE_MS);
    const cpu0 = [processCpuSeconds(a.pid), processCpuSeconds(b.pid)];
    const mark = markCpu(pids);
    await sleep(to - performance.now());
    const seconds = (performance.now() - from) / 1000;
    const cpu1 = [processCpuSeconds(a.pid), processCpuSeconds(b.pid)];
    const others = othersCores(mark, pids);
    const { measured, delivery, allPeers } = await finishPropagation(jam, from, to);
    return {
      turn: {
        kind,
        ...measured,
        cpuA: round2((cpu1[0]! - cpu0[0]!) / seconds),
        cpuB: round2((cpu1[1]! - cpu0[1]!) / seconds),
        otherProcessesCores: round2(others),
      },
      delivery,
      allPeers,
    };
  } finally {
    jam?.close();
    await b?.stop();
    await a.stop();
  }
}

const pooled = Object.fromEntries(
  ['same', 'split', 'across'].map((k) => [k, { delivery: [] as number[], allPeers: [] as number[], turns: [] as Turn[] }]),
) as Record<Kind, { delivery: number[]; allPeers: number[]; turns: Turn[] }>;
const maxListeners = process.getMaxListeners();
process.setMaxListeners(Math.max(maxListeners, PEERS + 10));
const started = performance.now();
/** A turn during which other processes used more than this many cores is run again (twice at most). */
const MAX_OTHER_CORES = 0.25;
const discarded: { kind: Kind; otherProcessesCores: number; deliveryP99Ms: number | null }[] = [];
for (const [i, kind] of ORDER.entries()) {
  let measured = await turn(kind, (i + 1) * 10);
  for (let retry = 1; retry <= 2 && measured.turn.otherProcessesCores > MAX_OTHER_CORES; retry++) {
    discarded.push({ kind, otherProcessesCores: measured.turn.otherProcessesCores, deliveryP99Ms: measured.turn.deliveryP99Ms });
    console.error(`  relay ${kind}: other processes used ${measured.turn.otherProcessesCores} cores during the turn; running it again`);
    measured = await turn(kind, (i + 1) * 10 + retry);
  }
  const { turn: t, delivery, allPeers } = measured;
  pooled[kind].delivery.push(...delivery);
  pooled[kind].allPeers.push(...allPeers);
  pooled[kind].turns.push(t);
  console.error(
    `  relay ${kind}: p50 ${t.deliveryP50Ms} ms, p99 ${t.deliveryP99Ms} ms, lost ${t.lost}, cpu A ${t.cpuA} B ${t.cpuB}, others ${t.otherProcessesCores} cores`,
  );
}
const summary = (kind: Kind) => summarizeTurns(pooled[kind]);
const results = {
  setup: {
    peers: PEERS,
    editsPerSecondPerPeer: EDITS_PER_SECOND_PER_PEER,
    warmupS: WARMUP_MS / 1000,
    measureS: MEASURE_MS / 1000,
    order: ORDER,
    kinds: {
      same: 'all peers on node A, which serves the room',
      split: 'half the peers on A, half on node B relaying to A',
      across: 'all peers on B relaying to A: every delivery crosses the relay twice',
    },
    nodes: 'two sync-server processes on this machine (SQLite stores), B started with --route <room>=<A>',
    clients: 'stock y-websocket WebsocketProvider, all in the bench process',
    unit: 'ms',
  },
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  same: summary('same'),
  split: summary('split'),
  across: summary('across'),
  targets: { acrossDeliveryP99Ms: TARGET_ACROSS_P99_MS },
  meetsTargets: {
    acrossDeliveryP99: (() => {
      const s = summary('across');
      return s.lost === 0 && s.delivery.p99 !== null && s.delivery.p99 < TARGET_ACROSS_P99_MS;
    })(),
    nothingLost: ORDER.every((k) => summary(k).lost === 0),
  },
  /** Turns run again because other processes loaded the machine during them. */
  discardedTurns: discarded,
  durationS: Math.round((performance.now() - started) / 1000),
  measuredAt: new Date().toISOString(),
};
process.setMaxListeners(maxListeners);
const out = fileURLToPath(new URL('../results/relay.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
const line = (k: Kind) =>
  `${k}: p50 ${results[k].delivery.p50} ms, p99 ${results[k].delivery.p99} ms, all-peers p99 ${results[k].allPeers.p99} ms, lost ${results[k].lost}`;
console.log(['same', 'split', 'across'].map((k) => line(k as Kind)).join('\n'));
console.error(`bench:relay: results in ${out}`);
