/**
 * bench:inference's `page` part: the engine as a browser guest runs it. The real inference worker
 * (inference/web/build.ts's bundle) is started by the renderer's own browserInference() in a page
 * served cross-origin isolated (COOP + COEP, as the sync server serves the app), in Debian's
 * Chromium, with the shipped model. Measured in the page:
 *   freshTab   a new browser context per sample: the first riff's first note and completion,
 *              counted from the moment the page asks for it (worker start and model load included)
 *   perRole    warm, per role, a 4-bar riff with 3 variations: first note, total p50/p95, in a tab
 *              whose worker had the quiet after its first riff for its warm-up (host/warm-up.ts)
 *   perRoleWithoutWarmUp  the same with the warm-up off, riffs back to back, in its own browser
 *   warmUp     how long the warm-up kept the worker busy, its CPU, and a riff asked while it ran
 *   longTasks  the page's main-thread long tasks (PerformanceObserver 'longtask', >= 50 ms) while
 *              the model ran, warm or loading
 *
 *   node bench/inference/page.ts [--threads n] [--providers auto|wasm] [--seeds n] [--tabs n]
 * runs it alone and prints JSON (for trying settings); run.ts runs it as its `page` part.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import type { GenerationRequest } from '../../inference/engine/request.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { buildInferenceWorker, webBundleOptions } from '../../inference/web/build.ts';
import { summarize } from '../stats.ts';
import { threadCpu, threadsMsBetween } from './thread-cpu.ts';
import { ROLES, riffRequest } from './workload.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface PageBenchOptions {
  /** Worker query overrides (worker-config.ts); left out, the worker picks as it does for a guest. */
  threads?: number;
  providers?: 'auto' | 'wasm';
  /** Warm riffs per role (after one warm-up). */
  seeds?: number;
  /** Fresh tabs for the first-riff figure. */
  tabs?: number;
  /** The warm riffs' variations (3 in the issue's target). */
  variations?: number;
}

const root = new URL('../../', import.meta.url).pathname;

/**
 * The page: the renderer's browserInference() (the AI panel's host), a long-task observer from the
 * first moment, and `bench.riff()` that times one request as the panel would see it.
 */
const PAGE_ENTRY = `
import { browserInference } from '${root}renderer/platform/inference-source.ts';
const longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }); })
  .observe({ type: 'longtask', buffered: true });
let source = null;
const busy = [];
globalThis.bench = {
  start(appUrl, modelUrl, query) {
    source = browserInference({ appUrl, modelUrl, startWorker: (url) => {
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
      return new Worker(url, { type: 'module', name: 'riffroom-inference' });
    } });
  },
  async riff(request) {
    const asked = performance.now();
    let firstNoteMs = null;
    const result = await source.client().generate(request, { onNote: () => { firstNoteMs ??= performance.now() - asked; } });
    const totalMs = performance.now() - asked;
    busy.push({ start: asked, end: asked + totalMs });
    return { firstNoteMs, totalMs, engineMs: result.provenance.timing.totalMs, tokens: result.provenance.timing.decodedTokens, provider: result.provenance.provider };
  },
  async info() { return source.client().ready(); },
  longTasksWhileBusy() {
    return longTasks.filter((t) => busy.some((b) => t.start < b.end && t.start + t.ms > b.start));
  },
  longTasks() { return longTasks; },
};
`;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** The page, the worker and its runtime from `dir`, the shipped model at /models/shipped/, cross-origin isolated. */
export async function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    };
    const model = /^\/models\/shipped\/([\w.-]+)$/.exec(path);
    try {
      if (path === '/')
        return void res
          .writeHead(200, { ...headers, 'Content-Type': 'text/html' })
          .end('<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/page.js"></script>');
      const file = model ? join(SHIPPED_MODEL_DIR, model[1]!) : /^\/[\w.-]+$/.test(path) ? join(dir, path) : null;
      if (file) {
        const body = readFileSync(file);
        return void res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      }
    } catch {
      // Not there: 404.
    }
    res.writeHead(404, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface RiffTiming {
  firstNoteMs: number | null;
  totalMs: number;
  engineMs: number;
  tokens: number;
  provider: string;
}

function chromiumArgs(): string[] {
  return [...CHROMIUM_ARGS, ...(process.env.BENCH_CHROMIUM_FLAGS ? process.env.BENCH_CHROMIUM_FLAGS.split(' ') : [])];
}

/**
 * Waits until the inference worker's thread is busy (`busy`: its CPU time grows by most of each
 * 200 ms look) or quiet (under 5% of it over a second), up to 60 s; says how long that took and
 * the CPU the worker spent meanwhile. A benchmark's poll of /proc, not a test's wait.
 */
async function workerBusy(
  isWorker: (t: { kind: string; thread: string }) => boolean,
  busy: boolean,
): Promise<{ waitedMs: number; cpuMs: number }> {
  const started = performance.now();
  const first = threadCpu(process.pid);
  let previous = first;
  let quietSince = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = threadCpu(process.pid);
    const step = threadsMsBetween(previous, now, isWorker).cpuMs;
    previous = now;
    if (busy && step > 100) break;
    if (!busy) {
      if (step > 10) quietSince = performance.now();
      else if (performance.now() - quietSince >= 1000) break;
    }
    if (performance.now() - started > 60_000) throw new Error(`the inference worker did not become ${busy ? 'busy' : 'quiet'} within 60 s`);
  }
  // Quiet: counted to the moment the quiet began, not to the end of the second that confirmed it.
  return { waitedMs: (busy ? performance.now() : quietSince) - started, cpuMs: threadsMsBetween(first, previous, isWorker).cpuMs };
}

export async function benchPage(options: PageBenchOptions = {}): Promise<Record<string, unknown>> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (bash scripts/setup-browser.sh)`);
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-bench-page-'));
  const { chromium } = await import('playwright-core');
  let browser: Browser | null = null;
  let server: Server | null = null;
  try {
    await buildInferenceWorker(dir);
    await esbuild.build({
      ...webBundleOptions(),
      sourcemap: false,
      stdin: { contents: PAGE_ENTRY, resolveDir: root, sourcefile: 'bench-page.ts', loader: 'ts' },
      outfile: join(dir, 'page.js'),
    });
    let origin: string;
    ({ server, origin } = await serve(dir));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: chromiumArgs(),
    });
    const query: Record<string, string | number> = {};
    if (options.threads !== undefined) query.threads = options.threads;
    if (options.providers !== undefined) query.providers = options.providers;
    const variations = options.variations ?? 3;

    const openTab = async (on: Browser = browser!, extra: Record<string, string | number> = {}) => {
      const context = await on.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => void errors.push(e.message));
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'bench' in globalThis);
      await page.evaluate(([o, q]) => (globalThis as any).bench.start(`${o}/`, `${o}/models/shipped/`, q), [
        origin,
        { ...query, ...extra },
      ] as const);
      return { context, page, errors };
    };
    const riff = (page: Awaited<ReturnType<typeof openTab>>['page'], request: GenerationRequest) =>
      page.evaluate((r) => (globalThis as any).bench.riff(r), request as unknown) as Promise<RiffTiming>;
    // The inference worker's thread (Chromium names a dedicated worker's thread so), below this process.
    const isWorker = (t: { kind: string; thread: string }) => t.kind === 'renderer' && t.thread.startsWith('DedicatedWorker');
    const timedRiff = async (page: Awaited<ReturnType<typeof openTab>>['page'], request: GenerationRequest) => {
      const before = threadCpu(process.pid);
      const timing = await riff(page, request);
      return { ...timing, ...threadsMsBetween(before, threadCpu(process.pid), isWorker) };
    };

    const seeds = options.seeds ?? 10;
    /** Per role: one warm-up riff, then `seeds` timed riffs back to back. */
    const warmRiffs = async (page: Awaited<ReturnType<typeof openTab>>['page'], label: string) => {
      const perRole: Record<string, unknown> = {};
      for (const role of ROLES) {
        await riff(page, riffRequest(role, 1000, variations));
        const runs: (RiffTiming & { cpuMs: number; waitMs: number })[] = [];
        for (let seed = 0; seed < seeds; seed++) runs.push(await timedRiff(page, riffRequest(role, seed, variations)));
        const firstNote = runs.flatMap((r) => (r.firstNoteMs === null ? [] : [r.firstNoteMs]));
        perRole[role] = {
          firstNoteMs: summarize(firstNote),
          [`variations${variations}Ms`]: summarize(runs.map((r) => r.totalMs)),
          engineMs: summarize(runs.map((r) => r.engineMs)),
          // The worker thread's CPU time per riff, and its time waiting for a CPU (thread-cpu.ts).
          [`variations${variations}CpuMs`]: summarize(runs.map((r) => r.cpuMs)),
          [`variations${variations}WaitMs`]: summarize(runs.map((r) => r.waitMs)),
          tokensPerRiff: summarize(runs.map((r) => r.tokens)),
        };
        console.error(
          `  ${label} ${role}: ${variations} variations p50 ${summarize(runs.map((r) => r.totalMs)).p50.toFixed(0)} ms (worker CPU ${summarize(runs.map((r) => r.cpuMs)).p50.toFixed(0)} ms, first note ${summarize(firstNote).p50.toFixed(0)} ms)`,
        );
      }
      return perRole;
    };

    // Fresh tabs: the first riff a guest asks for, worker start and model load included.
    const first: RiffTiming[] = [];
    const freshLongTasks: { ms: number }[] = [];
    let info: unknown = null;
    const tabs = options.tabs ?? 3;
    for (let tab = 0; tab < tabs; tab++) {
      const { context, page, errors } = await openTab();
      first.push(await riff(page, riffRequest('bass', 100 + tab, variations)));
      info = await page.evaluate(() => (globalThis as any).bench.info());
      freshLongTasks.push(...((await page.evaluate(() => (globalThis as any).bench.longTasksWhileBusy())) as { ms: number }[]));
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      await context.close();
      console.error(
        `  page fresh tab ${tab}: first note ${Math.round(first.at(-1)!.firstNoteMs ?? -1)} ms, riff ${Math.round(first.at(-1)!.totalMs)} ms`,
      );
    }

    // Warm, the product's way: one tab; after its first riff the guest listens (a 4-bar riff at 112
    // BPM plays 8.6 s), and the worker spends that quiet on its warm-up (inference/host/warm-up.ts).
    // A riff asked while the warm-up runs shows what the warm-up costs a guest who does not wait.
    const warm = await openTab();
    await riff(warm.page, riffRequest('bass', 999, 1));
    const warmUpStarted = await workerBusy(isWorker, true);
    const duringWarmUp = await riff(warm.page, riffRequest('bass', 998, variations));
    const pause = await workerBusy(isWorker, false);
    console.error(
      `  page warm-up: a riff asked during it: first note ${Math.round(duringWarmUp.firstNoteMs ?? -1)} ms; quiet after ${Math.round(pause.waitedMs)} ms (worker CPU ${Math.round(pause.cpuMs)} ms)`,
    );
    const perRole = await warmRiffs(warm.page, 'page');

    // The same without the warm-up, riffs back to back, in a browser of its own (a renderer process
    // shares compiled wasm between its tabs).
    const plainBrowser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs() });
    let perRoleWithoutWarmUp: Record<string, unknown>;
    try {
      const plain = await openTab(plainBrowser, { warmup: 0 });
      await riff(plain.page, riffRequest('bass', 999, 1));
      perRoleWithoutWarmUp = await warmRiffs(plain.page, 'page without warm-up');
      await plain.context.close();
    } finally {
      await plainBrowser.close();
    }

    const { context, page, errors } = warm;
    const longTasks = (await page.evaluate(() => ({
      whileBusy: (globalThis as any).bench.longTasksWhileBusy(),
      all: (globalThis as any).bench.longTasks(),
    }))) as { whileBusy: { ms: number }[]; all: { ms: number }[] };
    longTasks.whileBusy.push(...freshLongTasks);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    await context.close();
    return {
      browser: `Chromium ${browser.version()} (headless, --disable-gpu), page cross-origin isolated`,
      query,
      variations,
      provider: info,
      freshTab: {
        firstNoteMs: summarize(first.map((r) => r.firstNoteMs ?? NaN)),
        firstRiffMs: summarize(first.map((r) => r.totalMs)),
        samples: first.map((r) => ({ firstNoteMs: Math.round(r.firstNoteMs ?? -1), totalMs: Math.round(r.totalMs) })),
      },
      perRole,
      perRoleWithoutWarmUp,
      warmUp: {
        what: "the worker's warm-up after a tab's first riff: how long until the worker was quiet, its CPU, and a riff asked while it ran",
        quietAfterMs: Math.round(pause.waitedMs),
        cpuMs: Math.round(pause.cpuMs),
        startedWithinMs: Math.round(warmUpStarted.waitedMs),
        riffAskedDuringIt: { firstNoteMs: Math.round(duringWarmUp.firstNoteMs ?? -1), totalMs: Math.round(duringWarmUp.totalMs) },
      },
      // While a request was out (fresh tabs: worker start and model load included; warm riffs).
      longTasks: {
        whileModelRuns: longTasks.whileBusy.length,
        maxMs: Math.max(0, ...longTasks.whileBusy.map((t) => Math.round(t.ms))),
        warmTabAtAll: longTasks.all.length,
      },
    };
  } finally {
    await browser?.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      threads: { type: 'string' },
      providers: { type: 'string' },
      seeds: { type: 'string' },
      tabs: { type: 'string' },
      variations: { type: 'string' },
    },
  });
  const result = await benchPage({
    ...(values.threads ? { threads: Number(values.threads) } : {}),
    ...(values.providers ? { providers: values.providers as 'auto' | 'wasm' } : {}),
    ...(values.seeds ? { seeds: Number(values.seeds) } : {}),
    ...(values.tabs ? { tabs: Number(values.tabs) } : {}),
    ...(values.variations ? { variations: Number(values.variations) } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
