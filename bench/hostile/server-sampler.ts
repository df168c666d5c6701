/**
 * The server process's memory and CPU over time, sampled every ~20 ms by a worker thread
 * (sampler-worker.ts), with a memory guard that first stops the attack and then kills the server.
 * The kernel's own high-water mark (VmHWM) backs up the sampled peak: it is reset when an attack
 * starts (writing 5 to /proc/<pid>/clear_refs) and read when the part ends, so a spike shorter
 * than the sampling interval is still seen.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RawSample, SamplerConfig, SamplerMessage } from './sampler-worker.ts';

export interface Sample {
  /** Wall-clock ms (performance.timeOrigin + performance.now()). */
  at: number;
  rssMb: number;
  cpuSeconds: number;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

export class ServerSampler {
  readonly pid: number;
  private readonly worker: Worker;
  private readonly samples: Sample[] = [];
  private flushed: ((samples: Sample[]) => void)[] = [];
  private softListeners: ((rssMb: number) => void)[] = [];
  /** Set when the guard killed the server (its RSS then, MB). */
  killedAtMb: number | null = null;
  softLimitHitMb: number | null = null;

  constructor(pid: number, limits: { intervalMs: number; softLimitMb: number; hardLimitMb: number }) {
    this.pid = pid;
    const config: SamplerConfig = {
      pid,
      intervalMs: limits.intervalMs,
      softLimitKb: limits.softLimitMb * 1024,
      hardLimitKb: limits.hardLimitMb * 1024,
    };
    this.worker = new Worker(new URL('./sampler-worker.ts', import.meta.url), { workerData: config });
    this.worker.on('message', (message: SamplerMessage) => {
      if (message.type === 'samples') {
        for (const s of message.samples) this.samples.push(toSample(s));
        for (const resolve of this.flushed.splice(0)) resolve(this.samples);
      } else if (message.type === 'soft-limit') {
        this.softLimitHitMb = message.rssKb / 1024;
        for (const listener of this.softListeners) listener(this.softLimitHitMb);
      } else {
        this.killedAtMb = message.rssKb / 1024;
        for (const listener of this.softListeners) listener(this.killedAtMb);
      }
    });
  }

  /** Called once when the server's RSS passes the soft limit (or the guard killed it). */
  onOverLimit(listener: (rssMb: number) => void): void {
    this.softListeners.push(listener);
  }

  /** Every sample so far, oldest first. */
  async all(): Promise<Sample[]> {
    const done = new Promise<Sample[]>((resolve) => this.flushed.push(resolve));
    this.worker.postMessage('flush');
    return done;
  }

  /** Resets the kernel's RSS high-water mark of the server; false when the kernel refused. */
  resetPeak(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  /** The kernel's RSS high-water mark (MB) since start or the last resetPeak(); null once exited. */
  kernelPeakMb(): number | null {
    try {
      const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? NaN);
      return Number.isFinite(kb) ? kb / 1024 : null;
    } catch {
      return null;
    }
  }

  async stop(): Promise<Sample[]> {
    const done = new Promise<Sample[]>((resolve) => this.flushed.push(resolve));
    this.worker.postMessage('stop');
    const samples = await done;
    await this.worker.terminate();
    return samples;
  }
}

function toSample(raw: RawSample): Sample {
  return { at: raw.at, rssMb: raw.rssKb / 1024, cpuSeconds: raw.cpuTicks / CLOCK_TICKS_PER_SECOND };
}

/** Wall-clock ms now, comparable with the samples and with other processes' clocks. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function within(samples: Sample[], from: number, to: number): Sample[] {
  return samples.filter((s) => s.at >= from && s.at < to);
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
