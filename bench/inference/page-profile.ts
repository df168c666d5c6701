/**
 * Where a browser guest's time goes: one Chromium page starts a profiling worker per setting (its
 * own onnxruntime-web instance, so each gets its own thread count and runtime files) and the
 * worker times each step of a guest's first riff: fetching and hashing the model folder, starting
 * the runtime with the first session, a second session (the session alone), a WebGPU probe, and
 * then warm 4-bar bass riffs with 3 variations through the Engine, with and without the per-step
 * yield (yield.ts). Settings alternate, so that the machine's load falls on each alike.
 *
 *   node bench/inference/page-profile.ts [--rounds n]
 * prints JSON; the findings are in inference/README.md ("In the browser: where the time went").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { buildInferenceWorker, webBundleOptions } from '../../inference/web/build.ts';
import { summarize } from '../stats.ts';
import { CHROMIUM, CHROMIUM_ARGS, serve } from './page.ts';
import { riffRequest } from './workload.ts';

const root = new URL('../../', import.meta.url).pathname;

const WORKER_ENTRY = `
import * as ort from 'onnxruntime-web';
import { fetchModelFolder } from '${root}inference/web/model-loader.ts';
import { CausalLm } from '${root}inference/engine/causal-lm.ts';
import { Engine } from '${root}inference/engine/engine.ts';
import { yieldingSession } from '${root}inference/web/yield.ts';
import { WEB_SESSION_OPTIONS } from '${root}inference/web/session.ts';
self.onmessage = async ({ data }) => {
  try {
    const t = {};
    let mark = performance.now();
    const lap = (name) => { const now = performance.now(); t[name] = Math.round(now - mark); mark = now; };
    if (data.probeGpu) {
      const adapter = await navigator.gpu?.requestAdapter();
      lap('requestAdapterMs');
      t.adapter = Boolean(adapter);
    }
    const files = await fetchModelFolder(data.modelUrl);
    lap('fetchAndHashMs');
    ort.env.wasm.wasmPaths = data.wasmFiles ?? data.wasmUrl;
    ort.env.wasm.numThreads = data.threads;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'fatal';
    const options = { ...WEB_SESSION_OPTIONS, executionProviders: ['wasm'], ...(data.sessionOptions ?? {}) };
    const session = await ort.InferenceSession.create(files.weights, options);
    lap('runtimeAndFirstSessionMs');
    const again = await ort.InferenceSession.create(files.weights, options);
    lap('secondSessionMs');
    await again.release();
    const riffs = { plain: [], yielding: [] };
    const engines = {
      plain: new Engine(new CausalLm(session, files.card.shape, ort.Tensor), { id: 'x', sha256: 'x' }, 'wasm'),
      yielding: new Engine(new CausalLm(yieldingSession(session), files.card.shape, ort.Tensor), { id: 'x', sha256: 'x' }, 'wasm'),
    };
    let firstRiff = null;
    for (let i = 0; i < data.riffs; i++) {
      for (const kind of ['plain', 'yielding']) {
        const started = performance.now();
        const result = await engines[kind].generate(data.requests[i % data.requests.length]);
        const ms = performance.now() - started;
        firstRiff ??= { ms: Math.round(ms), tokens: result.provenance.timing.decodedTokens };
        riffs[kind].push({ ms, steps: result.provenance.timing.decodedTokens });
      }
    }
    self.postMessage({ t, threads: ort.env.wasm.numThreads, firstRiff, riffs });
  } catch (error) {
    self.postMessage({ error: String(error && error.stack || error) });
  }
};
`;

const { values } = parseArgs({ options: { rounds: { type: 'string' }, riffs: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'riffroom-page-profile-'));
await buildInferenceWorker(dir);
await esbuild.build({ ...webBundleOptions(), sourcemap: false, stdin: { contents: WORKER_ENTRY, resolveDir: root, sourcefile: 'profile-worker.ts', loader: 'ts' }, outfile: join(dir, 'profile-worker.js') });
await esbuild.build({ ...webBundleOptions(), sourcemap: false, stdin: { contents: 'globalThis.ready = true;', resolveDir: root, sourcefile: 'page.ts', loader: 'ts' }, outfile: join(dir, 'page.js') });
const { server, origin } = await serve(dir);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

const settings: Record<string, Record<string, unknown>> = {
  'jsep wasm, 2 threads': { threads: 2, wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.jsep.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.jsep.wasm` } },
  'jsep wasm, 1 thread': { threads: 1, wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.jsep.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.jsep.wasm` } },
  'plain wasm, 1 thread': { threads: 1, wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.wasm` } },
  'plain wasm, 2 threads': { threads: 2, wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.wasm` } },
  'WebGPU probe only': { threads: 1, probeGpu: true },
};
const requests = [0, 1, 2, 3].map((seed) => riffRequest('bass', seed, 3));
const samples: Record<string, unknown[]> = {};
try {
  for (let round = 0; round < rounds; round++) {
    for (const [name, setting] of Object.entries(settings)) {
      // A fresh tab each time: nothing compiled or cached from the last one.
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'ready' in globalThis);
      const got = await page.evaluate((data) => new Promise<{ error?: string }>((resolve) => {
        const worker = new (globalThis as any).Worker('/profile-worker.js', { type: 'module' });
        worker.onmessage = (e: { data: { error?: string } }) => resolve(e.data);
        worker.onerror = (e: { message: string }) => resolve({ error: e.message });
        worker.postMessage(data);
      }), { modelUrl: `${origin}/models/shipped/`, wasmUrl: `${origin}/`, riffs: Number(values.riffs ?? 4), requests, ...setting }) as { error?: string };
      await context.close();
      if (got.error) throw new Error(`${name}: ${got.error}`);
      (samples[name] ??= []).push(got);
      console.error(`${name}: ${JSON.stringify(got).slice(0, 300)}`);
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
const out: Record<string, unknown> = {};
for (const [name, runs] of Object.entries(samples) as [string, any[]][]) {
  const keys = Object.keys(runs[0].t).filter((k) => typeof runs[0].t[k] === 'number');
  out[name] = {
    threads: runs[0].threads,
    ...Object.fromEntries(keys.map((k) => [k, summarize(runs.map((r) => r.t[k])).p50])),
    firstRiffMs: summarize(runs.map((r) => r.firstRiff.ms)).p50,
    warmRiffMs: summarize(runs.flatMap((r) => r.riffs.plain.slice(1).map((x: any) => x.ms))).p50,
    warmRiffYieldingMs: summarize(runs.flatMap((r) => r.riffs.yielding.slice(1).map((x: any) => x.ms))).p50,
    msPerStep: summarize(runs.flatMap((r) => r.riffs.plain.slice(1).map((x: any) => x.ms / x.steps))).p50,
  };
}
console.log(JSON.stringify({ rounds, out }, null, 2));
