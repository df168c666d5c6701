/**
 * What the room bench watches inside a page, installed before the app's own scripts run
 * (`context.addInitScript`), so nothing depends on the test driver's timing:
 *   - "interactive": the first animation frame in which the room is usable — the sync connection
 *     is up and synced (data-status="connected"), the arrangement shows every track header and
 *     every clip of the seeded song, and the play button is there and enabled — as performance.now()
 *     (ms since navigation start, the page's time origin);
 *   - every long task (PerformanceObserver "longtask", buffered) and long animation frame
 *     ("long-animation-frame", with the scripts that ran in it), as they happen;
 *   - on demand, the gap between animation frames.
 * Results live in `globalThis.__roomBench` (a `Probe`).
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface Expectation {
  tracks: number;
  clips: number;
}

export interface LongTask {
  start: number;
  duration: number;
}

export interface LongFrame {
  start: number;
  duration: number;
  blockingDuration: number;
  /** Scripts that ran in the frame: `invoker @ source:function (ms)`, longest first. */
  scripts: string[];
}

export interface Probe {
  interactiveAt: number | null;
  connectedAt: number | null;
  longTasks: LongTask[];
  longFrames: LongFrame[];
  frameGaps: number[];
  recordingFrames: boolean;
}

/** Runs in the page (serialised by Playwright): keep it self-contained. */
function install(expect: Expectation): void {
  const g = globalThis as any;
  const probe: Probe = { interactiveAt: null, connectedAt: null, longTasks: [], longFrames: [], frameGaps: [], recordingFrames: false };
  g.__roomBench = probe;
  try {
    new g.PerformanceObserver((list: any) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no longtask support: the bench reports that it saw none, and says the observer was missing
    g.__roomBenchNoLongTask = true;
  }
  try {
    new g.PerformanceObserver((list: any) => {
      for (const e of list.getEntries()) {
        const scripts = [...(e.scripts ?? [])]
          .sort((a: any, b: any) => b.duration - a.duration)
          .slice(0, 5)
          .map(
            (s: any) =>
              `${s.invoker} @ ${String(s.sourceURL).replace(/^.*\//, '')}:${s.sourceFunctionName || '?'}:${s.sourceCharPosition} (${Math.round(s.duration)} ms)`,
          );
        probe.longFrames.push({ start: e.startTime, duration: e.duration, blockingDuration: e.blockingDuration, scripts });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    // older Chromium: long frames are optional detail
  }
  const check = (): void => {
    const d = g.document;
    const conn = d.querySelector('[data-testid="connection"]');
    const connected = conn?.dataset.status === 'connected';
    if (connected && probe.connectedAt === null) probe.connectedAt = g.performance.now();
    const play = d.querySelector('[data-testid="play"]');
    if (
      connected &&
      play &&
      !play.disabled &&
      d.querySelectorAll('[data-testid="track-header"]').length === expect.tracks &&
      d.querySelectorAll('[data-testid="clip"]').length === expect.clips
    ) {
      probe.interactiveAt = g.performance.now();
      return;
    }
    g.requestAnimationFrame(check);
  };
  g.requestAnimationFrame(check);
}

export async function installProbes(context: BrowserContext, expect: Expectation): Promise<void> {
  await context.addInitScript(install, expect);
}

/** Waits for the page's interactive mark; returns it (ms since navigation start). */
export async function interactiveAt(page: Page, timeoutMs = 60_000): Promise<number> {
  const handle = await page.waitForFunction(() => (globalThis as any).__roomBench?.interactiveAt ?? false, undefined, {
    timeout: timeoutMs,
    polling: 100,
  });
  return (await handle.jsonValue()) as number;
}

/** Starts recording the gaps between animation frames (ms). */
export async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any;
    const probe = g.__roomBench as Probe;
    probe.recordingFrames = true;
    probe.frameGaps = [];
    let last = g.performance.now();
    const onFrame = (now: number): void => {
      probe.frameGaps.push(now - last);
      last = now;
      if (probe.recordingFrames) g.requestAnimationFrame(onFrame);
    };
    g.requestAnimationFrame(onFrame);
  });
}

export async function readProbe(page: Page): Promise<Probe & { longTaskObserver: boolean }> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const probe = g.__roomBench as Probe;
    probe.recordingFrames = false;
    return { ...probe, longTaskObserver: !g.__roomBenchNoLongTask };
  });
}
