import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mainThreadTimes, processTree, threadCpu, threadsMsBetween } from './thread-cpu.ts';

const linux = existsSync(`/proc/self/task/${process.pid}/schedstat`);

/** Keeps this thread on a CPU for `ms` of wall time. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

test('a busy main thread shows its CPU time, in this process and from its process tree', { skip: !linux && 'no /proc' }, () => {
  assert.deepEqual(processTree(process.pid).slice(0, 1), [process.pid]);
  const before = threadCpu(process.pid);
  const started = mainThreadTimes();
  const wallStarted = performance.now();
  spin(80);
  const wallMs = performance.now() - wallStarted;
  const ended = mainThreadTimes();
  const after = threadCpu(process.pid);
  const main = (t: { pid: number; tid: number }) => t.pid === process.pid && t.tid === process.pid;
  assert.ok(after.some((t) => main(t) && t.kind === 'self'));
  const { cpuMs, waitMs } = threadsMsBetween(before, after, main);
  // On a CPU or waiting for one: a spinning thread never sleeps, so the two fill the wall time.
  assert.ok(cpuMs > 0 && cpuMs <= wallMs + 5, `CPU ${cpuMs} ms within ${wallMs} ms`);
  assert.ok(cpuMs + waitMs >= wallMs * 0.8, `CPU ${cpuMs} + wait ${waitMs} ms fill ${wallMs} ms`);
  const ownCpuMs = (ended.ns - started.ns) / 1e6;
  assert.ok(ownCpuMs > 0 && ownCpuMs <= wallMs + 5, `main thread CPU ${ownCpuMs} ms`);
  assert.deepEqual(
    threadsMsBetween(before, after, () => false),
    { cpuMs: 0, waitMs: 0 },
  );
});
