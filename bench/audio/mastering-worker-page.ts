/**
 * The page half of bench/audio/mastering-worker.ts (bundled by it): the export's mastering step
 * as the dialog runs it, on 3 minutes of the music-like mix, in the worker and on the main thread.
 */
import { musicLike } from '../../renderer/audio/mastering/signals.ts';
import { startMastering } from '../../renderer/export/mastering-step.ts';
import { inWorker, MASTERING_WORKER_FILE, onThisThread } from '../../renderer/export/mastering-work.ts';

const g = globalThis as any;
const longTasks: number[] = [];
new g.PerformanceObserver((list: any) => list.getEntries().forEach((e: any) => longTasks.push(e.duration))).observe({
  entryTypes: ['longtask'],
});

async function run(where: 'worker' | 'main'): Promise<Record<string, number>> {
  const mix = { ...musicLike({ seconds: 180, sampleRate: 44100, seed: 1 }), duration: 180 };
  const mainThread = onThisThread(mix, () => new Promise((r) => setTimeout(r, 0)));
  const work =
    where === 'worker'
      ? inWorker(mix, new URL(MASTERING_WORKER_FILE, g.location.href), {
          measure: () => Promise.reject(new Error('worker failed')),
          correct: () => Promise.reject(new Error('worker failed')),
        })
      : mainThread;
  // Synthesizing the mix is a long task of its own: let it be reported, then count from zero.
  await new Promise((r) => setTimeout(r, 100));
  longTasks.length = 0;
  const t0 = performance.now();
  const session = await startMastering(mix, work);
  const t1 = performance.now();
  await session.apply('streaming');
  const t2 = performance.now();
  await session.apply('none');
  await session.apply('streaming');
  const t3 = performance.now();
  // Long tasks are reported after they end: one more task for the observer.
  await new Promise((r) => setTimeout(r, 50));
  return {
    measureMs: t1 - t0,
    correctMs: t2 - t1,
    switchBackAndForthMs: t3 - t2,
    longestMainThreadTaskMs: Math.max(0, ...longTasks),
    longTasks: longTasks.length,
  };
}

g.benchMastering = run;
