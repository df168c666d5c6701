/**
 * A child process of bench:sync cluster-rooms (cluster-rooms.ts) holding some of its rooms: 4
 * stock WebsocketProviders per room, each with its own Y.Doc, each peer dialling the node the
 * driver names for it (so a room's peers are spread over the nodes). All peers of a room live in
 * the same worker, so send and arrival times come from one clock. As load-worker.ts, but:
 *
 *   - every peer has its own node URL, and
 *   - a room's first peer connects (and syncs) before the other three dial, so the node it dials
 *     opens the room and owns it, as when the first bandmate arrives before the others.
 *
 * Driven over IPC: open, step (edit at a rate, settle, report), close.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { testToken } from '../../tests/support/server-process.ts';
import { connectClient } from '../../tests/support/yjs-clients.ts';
import { Jam } from './jam.ts';
import { mainThreadSched, ownCpuSeconds, Semaphore, sleep, sumCodes } from './support.ts';

export interface RoomPlan {
  name: string;
  index: number;
  /** ws URL of the node each peer dials; peer 0 connects first. */
  peerUrls: string[];
}

export type RoomsWorkerCommand =
  | { type: 'open'; rooms: RoomPlan[]; totalPeers: number; concurrency: number }
  | { type: 'step'; ratePerPeer: number; startAtEpochMs: number; durationMs: number; settleMs: number; lostAfterMs: number }
  | { type: 'close' };

export interface RoomsStepReport {
  type: 'step-done';
  edits: number;
  lost: number;
  lostDeliveries: number;
  delivery: Float64Array;
  rooms: { name: string; localUpdates: number; docsEqual: boolean }[];
  disconnects: Record<string, number>;
  cpuSeconds: number;
  runqueueWaitSeconds: number;
  seconds: number;
  settleMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export type RoomsWorkerReply = { type: 'opened'; ms: number } | RoomsStepReport | { type: 'error'; message: string };

const jams: { jam: Jam; index: number }[] = [];
let totalPeersOfRun = 1;

function reply(message: RoomsWorkerReply): void {
  process.send!(message);
}

async function open(command: Extract<RoomsWorkerCommand, { type: 'open' }>): Promise<void> {
  process.setMaxListeners(0);
  const started = performance.now();
  const semaphore = new Semaphore(command.concurrency);
  await Promise.all(
    command.rooms.map(async ({ name, index, peerUrls }) => {
      const tokens = peerUrls.map((_, i) => testToken(name, 'editor', `${name}-p${i + 1}`));
      const peerOf = new Map(tokens.map((t, i) => [t, i]));
      let first: Promise<unknown> | null = null;
      // The wait for the first peer is outside the semaphore: a waiting peer holds no slot.
      const connect: typeof connectClient = async (_url, room, token, options) => {
        const i = peerOf.get(token)!;
        if (i === 0) {
          const connecting = semaphore.run(() => connectClient(peerUrls[0]!, room, token, options));
          first = connecting;
          return connecting;
        }
        while (!first) await sleep(1);
        await first;
        return semaphore.run(() => connectClient(peerUrls[i]!, room, token, options));
      };
      const jam = await Jam.open(peerUrls[0]!, name, peerUrls.length, (i) => tokens[i]!, undefined, connect);
      jams.push({ jam, index });
    }),
  );
  jams.sort((a, b) => a.index - b.index);
  reply({ type: 'opened', ms: Math.round(performance.now() - started) });
}

async function step(command: Extract<RoomsWorkerCommand, { type: 'step' }>): Promise<void> {
  const t0 = performance.now() + (command.startAtEpochMs - Date.now());
  const perRoom = jams[0]?.jam.n ?? 0;
  for (const { jam, index } of jams) {
    // Every peer of the whole run (all workers) spread evenly over one period.
    jam.startEditing(command.ratePerPeer, t0, (i) => (index * perRoom + i) / totalPeersOfRun);
  }
  const end = t0 + command.durationMs;
  await sleep(Math.max(0, t0 - performance.now()));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = ownCpuSeconds();
  const wait0 = mainThreadSched('self').wait;
  await sleep(Math.max(0, end - performance.now()));
  for (const { jam } of jams) jam.stopEditing();
  const cpuSeconds = ownCpuSeconds() - cpu0;
  const runqueueWaitSeconds = mainThreadSched('self').wait - wait0;
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  const settleStart = performance.now();
  const pending = () => jams.reduce((sum, { jam }) => sum + jam.pending, 0);
  while (pending() > 0 && performance.now() - settleStart < command.settleMs) await sleep(20);
  const settleMs = Math.round(performance.now() - settleStart);

  const delivery: number[] = [];
  let edits = 0;
  let lost = 0;
  let lostDeliveries = 0;
  for (const { jam } of jams) {
    const s = jam.collect(t0 - 1, Infinity, command.lostAfterMs, delivery, []);
    edits += s.edits;
    lost += s.lost;
    lostDeliveries += s.lostDeliveries;
  }
  reply({
    type: 'step-done',
    edits,
    lost,
    lostDeliveries,
    delivery: Float64Array.from(delivery),
    rooms: jams.map(({ jam }) => ({ name: jam.room, localUpdates: jam.localUpdates, docsEqual: jam.docsEqual() })),
    disconnects: sumCodes(jams.map(({ jam }) => jam.closeCodes)),
    cpuSeconds,
    runqueueWaitSeconds,
    seconds,
    settleMs,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  });
}

process.on('message', (command: RoomsWorkerCommand) => {
  const run = async () => {
    if (command.type === 'open') {
      totalPeersOfRun = command.totalPeers;
      await open(command);
    } else if (command.type === 'step') await step(command);
    else {
      for (const { jam } of jams) jam.close();
      process.disconnect();
      setTimeout(() => process.exit(0), 2000).unref();
    }
  };
  run().catch((err: Error) => reply({ type: 'error', message: err.stack ?? err.message }));
});
