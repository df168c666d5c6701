/**
 * Propagation latency: 16 peers in one room, each making 20 app edits a second (320 edits/s in
 * all), through our server and through the stock @y/websocket-server, side by side in one run.
 *
 * Both servers run as child processes; the 16 peers are stock y-websocket WebsocketProviders in
 * this process (see jam.ts for how each edit is identified on arrival). A sample is one
 * (edit, receiver) delivery: performance.now() when the receiver's document observed the edit
 * minus performance.now() just before the sender made it, so it includes the sender's
 * transaction and encoding, the server and the receiver's decoding and integration. "All peers"
 * is, per edit, the time until the last of the 15 others had it.
 *
 * The servers take turns (ours, stock, ours, stock) and each side's samples are pooled, so a
 * drift in the machine's load over the run is not charged to one side. Every turn starts a fresh
 * server process and room.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { testToken } from '../../tests/support/server-process.ts';
import { getLastSeq } from '../../tests/support/room-api.ts';
import { Jam } from './jam.ts';
import {
  finishPropagation,
  mainThreadSched,
  markCpu,
  othersCores,
  ownCpuSeconds,
  processCpuSeconds,
  PROPAGATION,
  round2,
  sleep,
  startOurs,
  startPropagation,
  startStock,
  summarizeTurns,
  type BenchServer,
  type Distribution,
  type PropagationTurn,
} from './support.ts';

const { peers: PEERS, editsPerSecondPerPeer: EDITS_PER_SECOND_PER_PEER, warmupMs: WARMUP_MS, lostAfterMs: LOST_AFTER_MS } = PROPAGATION;
const MEASURE_MS = 15_000;
const ORDER = ['ours', 'stock', 'ours', 'stock'] as const;
/** A turn during which other processes used more than this many cores is run again. */
const MAX_OTHER_CORES = 0.25;
const MAX_RETRIES = 2;
const TARGET_P99_MS = 10;
const TARGET_RATIO = 1.2;

type Kind = (typeof ORDER)[number];

interface Turn extends PropagationTurn {
  server: Kind;
  editsPerSecond: number;
  /** Ours only: the room's log holds exactly the updates the peers made. */
  logComplete: boolean | null;
  /** CPU used during the measured window, as a share of one core. */
  serverCpu: number;
  /** Share of the window the server's event loop was runnable but waiting for a core. */
  serverRunqueueWait: number;
  benchCpu: number;
  /** This process's event loop delay during the window: how late timers and socket reads ran. */
  benchLoopDelayP99Ms: number;
  /**
   * Cores used by other processes on this machine just before and during the window (the turn
   * waits up to a minute for them to go quiet first); anything but ~0 taints the turn.
   */
  otherProcessesCores: { before: number; during: number };
}

export async function benchLatency(): Promise<object> {
  const pooled: Record<Kind, { delivery: number[]; allPeers: number[]; turns: Turn[] }> = {
    ours: { delivery: [], allPeers: [], turns: [] },
    stock: { delivery: [], allPeers: [], turns: [] },
  };
  const discarded: { server: Kind; otherProcessesCores: number; deliveryP99Ms: number | null }[] = [];
  // Each WebsocketProvider adds a process 'exit' listener; 16 of them are expected, not a leak.
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(Math.max(maxListeners, PEERS + 10));
  const started = performance.now();
  try {
    for (const [i, kind] of ORDER.entries()) {
      for (let attempt = 0; ; attempt++) {
        const server = kind === 'ours' ? await startOurs() : await startStock();
        let measured: Awaited<ReturnType<typeof measureTurn>>;
        try {
          measured = await measureTurn(server, `latency-${i + 1}-${attempt + 1}`);
        } finally {
          await server.stop();
        }
        const { turn, delivery, allPeers } = measured;
        // Others share this machine: a turn during which they used a noticeable share of it says
        // more about them than about the server. Run it again (twice at most), keeping a record.
        if (turn.otherProcessesCores.during > MAX_OTHER_CORES && attempt < MAX_RETRIES) {
          discarded.push({ server: kind, otherProcessesCores: turn.otherProcessesCores.during, deliveryP99Ms: turn.deliveryP99Ms });
          console.error(
            `  latency ${kind}: other processes used ${turn.otherProcessesCores.during} cores during the turn; running it again`,
          );
          continue;
        }
        const side = pooled[kind];
        for (const ms of delivery) side.delivery.push(ms);
        for (const ms of allPeers) side.allPeers.push(ms);
        side.turns.push(turn);
        const closed = Object.entries(turn.disconnects)
          .map(([code, n]) => `${n}x ${code}`)
          .join(', ');
        console.error(
          `  latency ${kind}: p50 ${turn.deliveryP50Ms} ms, p99 ${turn.deliveryP99Ms} ms, lost ${turn.lost}${closed ? `, connections closed: ${closed}` : ''}`,
        );
        break;
      }
    }
  } finally {
    process.setMaxListeners(maxListeners);
  }

  const summary = (kind: Kind) => summarizeTurns(pooled[kind]);
  const ours = summary('ours');
  const stock = summary('stock');
  const ratio = (a: Distribution, b: Distribution, key: 'p50' | 'p99') => (a[key] !== null && b[key] ? round2(a[key] / b[key]) : null);
  const ratios = {
    deliveryP50: ratio(ours.delivery, stock.delivery, 'p50'),
    deliveryP99: ratio(ours.delivery, stock.delivery, 'p99'),
    allPeersP50: ratio(ours.allPeers, stock.allPeers, 'p50'),
    allPeersP99: ratio(ours.allPeers, stock.allPeers, 'p99'),
  };
  return {
    setup: {
      peers: PEERS,
      editsPerSecondPerPeer: EDITS_PER_SECOND_PER_PEER,
      offeredEditsPerSecond: PEERS * EDITS_PER_SECOND_PER_PEER,
      warmupS: WARMUP_MS / 1000,
      measureS: MEASURE_MS / 1000,
      order: ORDER,
      edits: 'moveNotes (+1 tick) and updateNotes (tick, velocity) alternately, each peer on its own note',
      clients: 'stock y-websocket WebsocketProvider, all in the bench process',
      stockServer: '@y/websocket-server 0.1.1 (in memory, no persistence)',
      lostAfterMs: LOST_AFTER_MS,
      retryIf: `other processes used > ${MAX_OTHER_CORES} cores during the turn (at most ${MAX_RETRIES} retries)`,
      unit: 'ms',
    },
    targets: { deliveryP99Ms: TARGET_P99_MS, oursOverStockMax: TARGET_RATIO },
    ours,
    stock,
    oursOverStock: ratios,
    // Percentiles of the edits that did arrive say little when others were lost: no target is met then.
    meetsTargets: {
      oursDeliveryP99: ours.lost === 0 && ours.delivery.p99 !== null && ours.delivery.p99 < TARGET_P99_MS,
      ratioP50: ours.lost === 0 && stock.lost === 0 && ratios.deliveryP50 !== null && ratios.deliveryP50 <= TARGET_RATIO,
      ratioP99: ours.lost === 0 && stock.lost === 0 && ratios.deliveryP99 !== null && ratios.deliveryP99 <= TARGET_RATIO,
      nothingLost: ours.lost === 0 && stock.lost === 0,
      docsEqual: ours.docsEqual && stock.docsEqual,
    },
    /** Turns run again because other processes loaded the machine during them. */
    discardedTurns: discarded,
    /** The most CPU other processes on this machine used during any turn (cores). */
    otherProcessesCoresMax: Math.max(...[...ours.turns, ...stock.turns].map((t) => t.otherProcessesCores.during)),
    durationS: Math.round((performance.now() - started) / 1000),
  };
}

async function measureTurn(server: BenchServer, room: string): Promise<{ turn: Turn; delivery: number[]; allPeers: number[] }> {
  const token = (i: number) => testToken(room, 'editor', `peer${i + 1}`);
  const jam = await Jam.open(server.wsUrl, room, PEERS, token);
  try {
    const { othersBefore, from, to } = await startPropagation(jam, [server.pid], MEASURE_MS);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const cpu0 = { server: processCpuSeconds(server.pid), bench: ownCpuSeconds(), wait: mainThreadSched(server.pid).wait };
    const machine0 = markCpu([server.pid]);
    await sleep(to - performance.now());
    const seconds = (performance.now() - from) / 1000;
    const cpu1 = { server: processCpuSeconds(server.pid), bench: ownCpuSeconds(), wait: mainThreadSched(server.pid).wait };
    const others = othersCores(machine0, [server.pid]);
    loop.disable();
    const { measured, delivery, allPeers } = await finishPropagation(jam, from, to);
    let logComplete: boolean | null = null;
    if (server.kind === 'ours') logComplete = (await getLastSeq(server, room, token(0))) === jam.localUpdates;
    const turn: Turn = {
      server: server.kind,
      ...measured,
      editsPerSecond: round2(measured.edits / (MEASURE_MS / 1000)),
      logComplete,
      serverCpu: round2((cpu1.server - cpu0.server) / seconds),
      serverRunqueueWait: round2((cpu1.wait - cpu0.wait) / seconds),
      benchCpu: round2((cpu1.bench - cpu0.bench) / seconds),
      benchLoopDelayP99Ms: round2(loop.percentile(99) / 1e6),
      otherProcessesCores: { before: othersBefore, during: round2(others) },
    };
    return { turn, delivery, allPeers };
  } finally {
    jam.close();
  }
}
