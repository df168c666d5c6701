/**
 * The child processes of the room benchmarks (load.ts, cluster-rooms.ts) and the driver's handle
 * on them. A worker holds whole rooms of stock WebsocketProviders (jam.ts), so all peers of a room
 * share one clock for send and arrival times. Driven over IPC:
 *
 *   open   connect the rooms (each benchmark's worker decides how: load-worker.ts,
 *          cluster-rooms-worker.ts)
 *   step   edit at a rate for a while, wait until every edit reached every peer (or give up),
 *          and report deliveries, losses, per-room counts and this process's CPU and loop delay
 *   close  disconnect everything and exit
 */
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Jam } from './jam.ts';
import { mainThreadSched, ownCpuSeconds, sleep, sumCodes } from './support.ts';

export interface OpenCommand {
  type: 'open';
  /** Peers of the whole run (all workers), to spread their edits over one period. */
  totalPeers: number;
  concurrency: number;
}

export interface StepCommand {
  type: 'step';
  ratePerPeer: number;
  startAtEpochMs: number;
  durationMs: number;
  settleMs: number;
  lostAfterMs: number;
}

export type WorkerCommand<Open extends OpenCommand> = Open | StepCommand | { type: 'close' };

export interface StepReport {
  type: 'step-done';
  /** Edits made during the step, and how many some other peer of the room never saw. */
  edits: number;
  lost: number;
  lostDeliveries: number;
  /** Delivery times (ms) of the step's edits, one per (edit, receiver). */
  delivery: Float64Array;
  /** Per room: updates its peers made so far (setup included), and whether its docs are equal. */
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

export interface OpenedRoom {
  jam: Jam;
  /** The room's place in the whole run, for spreading edits. */
  index: number;
}

/** Child side: answers the driver's commands, opening rooms with `open`. */
export function serveRooms<Open extends OpenCommand>(open: (command: Open) => Promise<OpenedRoom[]>): void {
  let rooms: OpenedRoom[] = [];
  let totalPeers = 1;
  const reply = (message: WorkerReply) => process.send!(message);
  process.on('message', (command: WorkerCommand<Open>) => {
    const run = async () => {
      if (command.type === 'open') {
        // Each provider adds a process 'exit' listener: hundreds are expected here.
        process.setMaxListeners(0);
        totalPeers = command.totalPeers;
        const started = performance.now();
        rooms = (await open(command)).sort((a, b) => a.index - b.index);
        reply({ type: 'opened', ms: Math.round(performance.now() - started) });
      } else if (command.type === 'step') {
        reply(await step(rooms, totalPeers, command));
      } else {
        for (const { jam } of rooms) jam.close();
        process.disconnect();
        // Sockets close asynchronously; nothing here should outlive the run.
        setTimeout(() => process.exit(0), 2000).unref();
      }
    };
    run().catch((err: Error) => reply({ type: 'error', message: err.stack ?? err.message }));
  });
}

async function step(rooms: OpenedRoom[], totalPeers: number, command: StepCommand): Promise<StepReport> {
  const t0 = performance.now() + (command.startAtEpochMs - Date.now());
  const perRoom = rooms[0]?.jam.n ?? 0;
  for (const { jam, index } of rooms) {
    // Every peer of the whole run (all workers) spread evenly over one period.
    jam.startEditing(command.ratePerPeer, t0, (i) => (index * perRoom + i) / totalPeers);
  }
  const end = t0 + command.durationMs;
  await sleep(Math.max(0, t0 - performance.now()));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = ownCpuSeconds();
  const wait0 = mainThreadSched('self').wait;
  await sleep(Math.max(0, end - performance.now()));
  for (const { jam } of rooms) jam.stopEditing();
  const cpuSeconds = ownCpuSeconds() - cpu0;
  const runqueueWaitSeconds = mainThreadSched('self').wait - wait0;
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  const settleStart = performance.now();
  const pending = () => rooms.reduce((sum, { jam }) => sum + jam.pending, 0);
  while (pending() > 0 && performance.now() - settleStart < command.settleMs) await sleep(20);
  const settleMs = Math.round(performance.now() - settleStart);

  const delivery: number[] = [];
  let edits = 0;
  let lost = 0;
  let lostDeliveries = 0;
  for (const { jam } of rooms) {
    const s = jam.collect(t0 - 1, Infinity, command.lostAfterMs, delivery, []);
    edits += s.edits;
    lost += s.lost;
    lostDeliveries += s.lostDeliveries;
  }
  return {
    type: 'step-done',
    edits,
    lost,
    lostDeliveries,
    delivery: Float64Array.from(delivery),
    rooms: rooms.map(({ jam }) => ({ name: jam.room, localUpdates: jam.localUpdates, docsEqual: jam.docsEqual() })),
    disconnects: sumCodes(rooms.map(({ jam }) => jam.closeCodes)),
    cpuSeconds,
    runqueueWaitSeconds,
    seconds,
    settleMs,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  };
}

/** Driver side: one forked worker, one command in flight at a time. */
export class RoomsWorker<Open extends OpenCommand> {
  readonly child: ChildProcess;
  private waiting: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;
  private readonly exited: Promise<void>;

  /** `script`: the worker module (it calls serveRooms). */
  constructor(script: URL) {
    const name = fileURLToPath(script).split('/').pop();
    this.child = fork(fileURLToPath(script), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: WorkerReply) => {
      const waiting = this.waiting;
      this.waiting = null;
      if (!waiting) return;
      if (message.type === 'error') waiting.reject(new Error(`${name}: ${message.message}`));
      else waiting.resolve(message);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        this.waiting?.reject(new Error(`${name} exited`));
        this.waiting = null;
        resolve();
      }),
    );
  }

  request<T extends WorkerReply>(command: WorkerCommand<Open>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting = { resolve: resolve as (r: WorkerReply) => void, reject };
      this.child.send(command);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.send({ type: 'close' });
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** The step rules both room benchmarks share. */
export const ROOM_STEPS = {
  /** Connections being set up at once, over all workers. */
  connectConcurrency: 50,
  /** A step passes only if the peers made at least this share of the offered edits. */
  minOfferedShare: 0.95,
  workers: Number(process.env.BENCH_LOAD_WORKERS ?? 2),
  /** A step during which other processes used more than this many cores is run again… */
  maxOtherCores: 0.25,
  /** …at most this many times. */
  maxRetries: 2,
};
