/**
 * CPU time of the threads of a process tree, from Linux's /proc (schedstat: nanoseconds on a CPU).
 * Unlike wall time, it does not grow when other programs share the cores, so it compares the page
 * with Node-wasm even while other work loads the machine. Linux only; elsewhere it reads nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Thread CPU nanoseconds by "pid/tid", each with its process's kind and the thread's name. */
export interface ThreadCpu {
  pid: number;
  tid: number;
  kind: string;
  thread: string;
  ns: number;
  /** Nanoseconds it waited, runnable, for a CPU. */
  waitNs: number;
  /** Its nice value (scheduling priority; higher gets less of a busy CPU). */
  nice: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** Every thread of the processes below `root` (Chromium's: kind = its --type, or "browser"). */
export function threadCpu(root: number): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const pid of processTree(root)) {
    const cmdline = read(`/proc/${pid}/cmdline`) ?? '';
    const kind = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? (pid === root ? 'self' : 'browser');
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const schedstat = read(`/proc/${pid}/task/${tid}/schedstat`);
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!schedstat || !stat) continue;
      const [ns, waitNs] = schedstat.split(' ').map(Number) as [number, number];
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      out.push({ pid, tid: Number(tid), kind, thread: (read(`/proc/${pid}/task/${tid}/comm`) ?? '').trim(), ns, waitNs, nice });
    }
  }
  return out;
}

/** CPU milliseconds each thread spent between two readings, grouped by `key`. */
export function cpuMsBetween(
  before: ThreadCpu[],
  after: ThreadCpu[],
  key: (t: ThreadCpu) => string,
  field: 'ns' | 'waitNs' = 'ns',
): Record<string, number> {
  const was = new Map(before.map((t) => [`${t.pid}/${t.tid}`, t[field]]));
  const out: Record<string, number> = {};
  for (const t of after) {
    const ms = (t[field] - (was.get(`${t.pid}/${t.tid}`) ?? 0)) / 1e6;
    if (ms <= 0) continue;
    out[key(t)] = (out[key(t)] ?? 0) + ms;
  }
  return out;
}

/** This process's main thread: CPU and run-queue wait so far, nanoseconds (zeros where /proc has none). */
export function mainThreadTimes(): { ns: number; waitNs: number } {
  const schedstat = read(`/proc/self/task/${process.pid}/schedstat`);
  if (!schedstat) return { ns: 0, waitNs: 0 };
  const [ns, waitNs] = schedstat.split(' ').map(Number) as [number, number];
  return { ns, waitNs };
}

/** The CPU and run-queue wait, in ms, of the threads `pick` chooses, between two readings. */
export function threadsMsBetween(
  before: ThreadCpu[],
  after: ThreadCpu[],
  pick: (t: ThreadCpu) => boolean,
): { cpuMs: number; waitMs: number } {
  const was = new Map(before.map((t) => [`${t.pid}/${t.tid}`, t]));
  let cpuMs = 0;
  let waitMs = 0;
  for (const t of after) {
    if (!pick(t)) continue;
    const old = was.get(`${t.pid}/${t.tid}`);
    cpuMs += (t.ns - (old?.ns ?? 0)) / 1e6;
    waitMs += (t.waitNs - (old?.waitNs ?? 0)) / 1e6;
  }
  return { cpuMs, waitMs };
}
