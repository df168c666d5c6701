/**
 * Shared pieces of the sync benchmarks: the two servers as child processes, CPU accounting of a
 * process by pid, percentiles, and a small semaphore for throttled connection setup.
 */
import type { Jam } from './jam.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startServerProcess } from '../../tests/support/server-process.ts';

export interface BenchServer {
  readonly kind: 'ours' | 'stock';
  readonly url: string;
  readonly wsUrl: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Our server (sync-server/cli.ts) in a child process with a fresh data dir, removed on stop.
 * `args`: more CLI options, e.g. connection caps opened for a load that comes from one address.
 */
export async function startOurs(args: string[] = []): Promise<BenchServer> {
  const server = await startServerProcess({ args });
  return {
    kind: 'ours',
    url: server.url,
    wsUrl: server.wsUrl,
    pid: server.child.pid!,
    output: server.output,
    async stop() {
      await server.kill('SIGTERM');
      rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The stock @y/websocket-server (its package's `y-websocket-server` bin) in a child process. It
 * takes HOST and PORT from the environment and keeps documents in memory (no YPERSISTENCE). It
 * only prints the port it was given, so we pick a free one first.
 */
export async function startStock(): Promise<BenchServer> {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@y/websocket-server/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  const entry = join(dirname(pkgPath), pkg.bin['y-websocket-server']!);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port) };
  delete env.YPERSISTENCE;
  delete env.CALLBACK_URL;
  const child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  await waitForOutput(child, output, /running at/, 'stock y-websocket server');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    kind: 'stock',
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => output.text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function collectOutput(child: ChildProcess): { text: string } {
  const output = { text: '' };
  child.stdout!.on('data', (d) => (output.text += d));
  child.stderr!.on('data', (d) => (output.text += d));
  return output;
}

async function waitForOutput(child: ChildProcess, output: { text: string }, pattern: RegExp, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output.text}`)), 15_000);
    const check = () => {
      if (!pattern.test(output.text)) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output.text}`));
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): state is
    // field 3, utime field 14, stime field 15, in clock ticks (USER_HZ, 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Scheduler statistics of a process's main thread (the one running its event loop), from
 * /proc/<pid>/schedstat: seconds on a CPU, and seconds runnable but waiting for a CPU. The
 * waiting share shows a process held back by others competing for the machine's cores.
 */
export function mainThreadSched(pid: number | 'self'): { cpu: number; wait: number } {
  try {
    const [cpu, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { cpu: cpu! / 1e9, wait: wait! / 1e9 };
  } catch {
    return { cpu: NaN, wait: NaN };
  }
}

/** Bytes a process has caused to be written to storage so far (/proc/<pid>/io write_bytes). */
export function processDiskWriteBytes(pid: number): number {
  try {
    return Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** CPU seconds used by this process so far (user + system). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Waits (up to `maxMs`) until the rest of the machine is quiet: other processes (all but the
 * given pids and this one) using under `maxOtherCores` over a 1 s sample. Others share this
 * machine (tests run while we measure), and their load would be charged to whatever we measure.
 * Returns the other processes' CPU (in cores) over the last sample.
 */
export async function waitForQuiet(ours: number[], maxOtherCores = 0.15, maxMs = 60_000): Promise<number> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const mark = markCpu(ours);
    await sleep(1000);
    const others = othersCores(mark, ours);
    if (!(others >= maxOtherCores) || performance.now() > deadline) return round2(others);
  }
}

export interface CpuMark {
  machine: number;
  ours: number;
  t: number;
}

export function markCpu(ours: number[]): CpuMark {
  return {
    machine: machineBusySeconds(),
    ours: ours.reduce((s, pid) => s + processCpuSeconds(pid), 0) + ownCpuSeconds(),
    t: performance.now(),
  };
}

/** Cores used since `mark` by processes other than `ours` and this one. */
export function othersCores(mark: CpuMark, ours: number[]): number {
  const now = markCpu(ours);
  return Math.max(0, now.machine - mark.machine - (now.ours - mark.ours)) / ((now.t - mark.t) / 1000);
}

export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles in ms, rounded to 0.01 ms. */
export function distribution(samples: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length ? round2(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!) : null);
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length ? round2(sorted[sorted.length - 1]!) : null,
  };
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Runs at most `limit` of the given tasks at once. */
export class Semaphore {
  private available: number;
  private readonly waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.available = limit;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.available++;
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Adds up counts by close code. */
export function sumCodes(all: Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const codes of all) for (const [code, n] of Object.entries(codes)) sum[code] = (sum[code] ?? 0) + n;
  return sum;
}

/** What every turn of a propagation benchmark reports. */
export interface PropagationTurn {
  /** Edits made in the measured window. */
  edits: number;
  /** Edits (warm-up included) some peer did not see within PROPAGATION.lostAfterMs. */
  lost: number;
  docsEqual: boolean;
  /** Peer connections that closed during the turn, by close code (4429: rate-limited by our server). */
  disconnects: Record<string, number>;
  deliveryP50Ms: number | null;
  deliveryP99Ms: number | null;
}

/** One kind's turns of a latency benchmark, their samples pooled. */
export interface PooledTurns<T extends PropagationTurn> {
  delivery: number[];
  allPeers: number[];
  turns: T[];
}

/** What a kind's pooled turns add up to: distributions of both samples, totals, closes by code. */
export function summarizeTurns<T extends PropagationTurn>(side: PooledTurns<T>) {
  return {
    delivery: distribution(side.delivery),
    allPeers: distribution(side.allPeers),
    edits: side.turns.reduce((s, t) => s + t.edits, 0),
    lost: side.turns.reduce((s, t) => s + t.lost, 0),
    docsEqual: side.turns.every((t) => t.docsEqual),
    /** Peer connections closed during the turns, by close code (4429: rate-limited). */
    connectionsClosed: sumCodes(side.turns.map((t) => t.disconnects)),
    turns: side.turns,
  };
}

/** The propagation workload latency.ts, relay.ts and cluster.ts all measure: 16 peers × 20 edits/s. */
export const PROPAGATION = {
  peers: 16,
  editsPerSecondPerPeer: 20,
  warmupMs: 2_000,
  /** An edit some peer has not observed this long after it was made counts as lost. */
  lostAfterMs: 5_000,
};

/** The samples of several workers, end to end. */
export function concatSamples(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Waits for the machine to be quiet, starts the propagation workload on `jam` (every peer on its
 * own steady period, spread evenly) and resolves when its warm-up is over: the measured window is
 * [from, to]. `othersBefore`: cores other processes used while it waited.
 */
export async function startPropagation(jam: Jam, pids: number[], measureMs: number) {
  const othersBefore = await waitForQuiet(pids);
  const t0 = performance.now() + 20;
  jam.startEditing(PROPAGATION.editsPerSecondPerPeer, t0, (i) => i / PROPAGATION.peers);
  const from = t0 + PROPAGATION.warmupMs;
  const to = from + measureMs;
  await sleep(from - performance.now());
  return { othersBefore, from, to };
}

/** Stops the workload, lets what is in flight arrive (or be lost), and reads the window's samples. */
export async function finishPropagation(jam: Jam, from: number, to: number) {
  jam.stopEditing();
  const settleUntil = performance.now() + PROPAGATION.lostAfterMs + 500;
  while (jam.pending > 0 && performance.now() < settleUntil) await sleep(20);
  const delivery: number[] = [];
  const allPeers: number[] = [];
  const window = jam.collect(from, to, PROPAGATION.lostAfterMs, delivery, allPeers);
  const everything = jam.collect(-Infinity, Infinity, PROPAGATION.lostAfterMs, [], []);
  const d = distribution(delivery);
  const measured: PropagationTurn = {
    edits: window.edits,
    lost: everything.lost,
    docsEqual: jam.docsEqual(),
    disconnects: { ...jam.closeCodes },
    deliveryP50Ms: d.p50,
    deliveryP99Ms: d.p99,
  };
  return { measured, delivery, allPeers };
}
