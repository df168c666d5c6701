/**
 * Worker thread of server-sampler.ts: reads the server's RSS (/proc/<pid>/status VmRSS) and CPU
 * time (/proc/<pid>/stat utime + stime) every `intervalMs`. It runs on its own event loop, so an
 * attack keeping the bench's main thread busy does not thin out the samples, and it enforces the
 * memory guard by itself: over `softLimitKb` it tells the main thread (which stops the attack),
 * over `hardLimitKb` it kills the server, since the machine is shared and must not run out of
 * memory whatever the main thread is doing.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface SamplerConfig {
  pid: number;
  intervalMs: number;
  softLimitKb: number;
  hardLimitKb: number;
}

/** One sample: wall-clock ms (timeOrigin + now, comparable across threads and processes). */
export interface RawSample {
  at: number;
  rssKb: number;
  cpuTicks: number;
}

export type SamplerMessage =
  | { type: 'samples'; samples: RawSample[] }
  | { type: 'soft-limit'; rssKb: number }
  | { type: 'killed'; rssKb: number };

const config = workerData as SamplerConfig;
const port = parentPort!;
let samples: RawSample[] = [];
let softTold = false;
let killed = false;

function sample(): void {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${config.pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${config.pid}/stat`, 'utf8');
  } catch {
    return; // the server has exited
  }
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  // Fields after the command name (in parentheses, may hold spaces): utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  samples.push({ at: performance.timeOrigin + performance.now(), rssKb, cpuTicks });
  if (rssKb > config.hardLimitKb && !killed) {
    killed = true;
    try {
      process.kill(config.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    port.postMessage({ type: 'killed', rssKb } satisfies SamplerMessage);
  } else if (rssKb > config.softLimitKb && !softTold) {
    softTold = true;
    port.postMessage({ type: 'soft-limit', rssKb } satisfies SamplerMessage);
  }
}

const timer = setInterval(sample, config.intervalMs);
sample();
port.on('message', (message: 'flush' | 'stop') => {
  if (message === 'stop') clearInterval(timer);
  port.postMessage({ type: 'samples', samples } satisfies SamplerMessage);
  samples = [];
  if (message === 'stop') port.close();
});
