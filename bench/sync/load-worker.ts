/**
 * A child process of the load benchmark (load.ts) holding some of its rooms: 4 stock
 * WebsocketProviders per room, each with its own Y.Doc. All peers of a room live in the same
 * worker, so send and arrival times come from one clock. Driven over IPC:
 *
 *   open   connect the rooms (at most `concurrency` connections being set up at once)
 *   step   edit at a rate for a while, wait until every edit reached every peer (or give up),
 *          and report deliveries, losses, per-room counts and this process's CPU and loop delay
 *   close  disconnect everything and exit
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { testToken } from '../../tests/support/server-process.ts';
import { Jam } from './jam.ts';
import { mainThreadSched, ownCpuSeconds, Semaphore, sleep, sumCodes } from './support.ts';

export type WorkerCommand =
  | { type: 'open'; wsUrl: string; rooms: { name: string; index: number }[]; peersPerRoom: number; totalPeers: number; concurrency: number }
  | { type: 'step'; ratePerPeer: number; startAtEpochMs: number; durationMs: number; settleMs: number; lostAfterMs: number }
  | { type: 'close' };

export interface StepReport {
  type: 'step-done';
  /** Edits made during the step, and how many some other peer of the room never saw. */
  edits: number;
  lost: number;
  lostDeliveries: number;
  /** Delivery times (ms) of the step's edits, one per (edit, receiver). */
  delivery: Float64Array;
  /** Per room: updates its peers made so far (setup included), and whether its 4 docs are equal. */
  rooms: { name: string; localUpdates: number; docsEqual: boolean }[];
  /** Peer connections that closed so far, by close code. */
  disconnects: Record<string, number>;
  /** CPU seconds this worker used while editing, the editing time, and the settle time. */
  cpuSeconds: number;
  runqueueWaitSeconds: number;
  seconds: number;
  settleMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export type WorkerReply = { type: 'opened'; ms: number } | StepReport | { type: 'error'; message: string };

const jams: { jam: Jam; index: number }[] = [];

function reply(message: WorkerReply): void {
  process.send!(message);
}

async function open(command: Extract<WorkerCommand, { type: 'open' }>): Promise<void> {
  // Each provider adds a process 'exit' listener: hundreds are expected here.
  process.setMaxListeners(0);
  const started = performance.now();
  const semaphore = new Semaphore(command.concurrency);
  const throttle = <T>(task: () => Promise<T>) => semaphore.run(task);
  await Promise.all(
    command.rooms.map(async ({ name, index }) => {
      const jam = await Jam.open(command.wsUrl, name, command.peersPerRoom, (i) => testToken(name, 'editor', `${name}-p${i + 1}`), throttle);
      jams.push({ jam, index });
    }),
  );
  jams.sort((a, b) => a.index - b.index);
  reply({ type: 'opened', ms: Math.round(performance.now() - started) });
}

async function step(command: Extract<WorkerCommand, { type: 'step' }>): Promise<void> {
  const t0 = performance.now() + (command.startAtEpochMs - Date.now());
  const perRoom = jams[0]?.jam.n ?? 0;
  const totalPeers = totalPeersOfRun;
  for (const { jam, index } of jams) {
    // Spread every peer of the whole run (all workers) evenly over one period.
    jam.startEditing(command.ratePerPeer, t0, (i) => (index * perRoom + i) / totalPeers);
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

let totalPeersOfRun = 1;

process.on('message', (command: WorkerCommand) => {
  const run = async () => {
    if (command.type === 'open') {
      totalPeersOfRun = command.totalPeers;
      await open(command);
    } else if (command.type === 'step') await step(command);
    else {
      for (const { jam } of jams) jam.close();
      process.disconnect();
      // Sockets close asynchronously; nothing here should outlive the run.
      setTimeout(() => process.exit(0), 2000).unref();
    }
  };
  run().catch((err: Error) => reply({ type: 'error', message: err.stack ?? err.message }));
});
