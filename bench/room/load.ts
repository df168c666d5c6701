/**
 * First load to interactive: a bandmate opens the room's link and waits until the room is usable
 * (see probes.ts: synced, every track and clip of the song drawn, play enabled), measured in the
 * page from navigation start. Cold: a fresh browser context each time (empty HTTP cache, no
 * storage, as a guest opening the link for the first time). Warm: the same context navigating to
 * the link again (hashed bundles from the cache).
 */
import type { Browser, Page } from 'playwright-core';
import { median } from './numbers.ts';
import { installProbes, interactiveAt, readProbe, type Expectation } from './probes.ts';

export interface LoadSample {
  interactiveMs: number;
  /** When the sync connection reported connected (synced), ms from navigation start. */
  connectedMs: number | null;
  responseEndMs: number;
  domContentLoadedMs: number;
  firstContentfulPaintMs: number | null;
  /** Bytes fetched over the network (transfer sizes; 0 for what came from the cache). */
  transferredBytes: number;
  longTasksMs: number[];
}

async function timings(page: Page): Promise<Omit<LoadSample, 'interactiveMs' | 'connectedMs' | 'longTasksMs'>> {
  return page.evaluate(() => {
    const p = (globalThis as any).performance;
    const nav = p.getEntriesByType('navigation')[0];
    const fcp = p.getEntriesByName('first-contentful-paint')[0];
    const resources = p.getEntriesByType('resource');
    const transferred = [nav, ...resources].reduce((n: number, e: any) => n + (e?.transferSize ?? 0), 0);
    return {
      responseEndMs: nav.responseEnd,
      domContentLoadedMs: nav.domContentLoadedEventEnd,
      firstContentfulPaintMs: fcp ? fcp.startTime : null,
      transferredBytes: transferred,
    };
  });
}

async function sample(page: Page, url: string): Promise<LoadSample> {
  await page.goto(url);
  const interactiveMs = await interactiveAt(page);
  const probe = await readProbe(page);
  const r = (x: number) => Math.round(x * 10) / 10;
  const t = await timings(page);
  return {
    interactiveMs: r(interactiveMs),
    connectedMs: probe.connectedAt === null ? null : r(probe.connectedAt),
    responseEndMs: r(t.responseEndMs),
    domContentLoadedMs: r(t.domContentLoadedMs),
    firstContentfulPaintMs: t.firstContentfulPaintMs === null ? null : r(t.firstContentfulPaintMs),
    transferredBytes: t.transferredBytes,
    longTasksMs: probe.longTasks.filter((l) => l.start <= interactiveMs).map((l) => Math.round(l.duration)),
  };
}

export interface LoadResult {
  cold: LoadSample[];
  warm: LoadSample[];
  coldMedianMs: number;
  warmMedianMs: number;
}

export async function benchLoad(
  browser: Browser,
  url: (name: string) => string,
  expect: Expectation,
  runs: { cold: number; warm: number },
): Promise<LoadResult> {
  const cold: LoadSample[] = [];
  const warm: LoadSample[] = [];
  for (let i = 0; i < runs.cold; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      await installProbes(context, expect);
      const page = await context.newPage();
      cold.push(await sample(page, url(`guest${i}`)));
      if (i === runs.cold - 1) {
        // Warm loads: the same guest opens the link again in the same context.
        for (let j = 0; j < runs.warm; j++) warm.push(await sample(page, url(`guest${i}`)));
      }
    } finally {
      await context.close();
    }
  }
  return {
    cold,
    warm,
    coldMedianMs: median(cold.map((s) => s.interactiveMs)),
    warmMedianMs: median(warm.map((s) => s.interactiveMs)),
  };
}
