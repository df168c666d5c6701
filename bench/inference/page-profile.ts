/**
 * Where a browser guest's time goes: one Chromium page starts a profiling worker per setting (its
 * own onnxruntime-web instance, so each gets its own thread count and runtime files) and the
 * worker times each step of a guest's first riff: fetching and hashing the model folder, starting
 * the runtime with the first session, a second session (the session alone), a WebGPU probe, and
 * then warm 4-bar bass riffs with 3 variations through the Engine, with and without the per-step
 * yield (yield.ts), with the time inside session.run apart. Settings alternate, so that the
 * machine's load falls on each alike; the same steps also run once in this Node process.
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
import { profileSteps } from './profile-steps.ts';
import { riffRequest } from './workload.ts';

const root = new URL('../../', import.meta.url).pathname;

const WORKER_ENTRY = `
import { profileSteps } from '${root}bench/inference/profile-steps.ts';
self.onmessage = async ({ data }) => {
  try {
    self.postMessage(await profileSteps(data));
  } catch (error) {
    self.postMessage({ error: String(error && error.stack || error) });
  }
};
`;

const { values } = parseArgs({ options: { rounds: { type: 'string' }, riffs: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'riffroom-page-profile-'));
await buildInferenceWorker(dir);
await esbuild.build({
  ...webBundleOptions(),
  sourcemap: false,
  stdin: { contents: WORKER_ENTRY, resolveDir: root, sourcefile: 'profile-worker.ts', loader: 'ts' },
  outfile: join(dir, 'profile-worker.js'),
});
await esbuild.build({
  ...webBundleOptions(),
  sourcemap: false,
  stdin: { contents: 'globalThis.ready = true;', resolveDir: root, sourcefile: 'page.ts', loader: 'ts' },
  outfile: join(dir, 'page.js'),
});
const { server, origin } = await serve(dir);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

const settings: Record<string, Record<string, unknown>> = {
  'jsep wasm, 1 thread': {
    threads: 1,
    wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.jsep.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.jsep.wasm` },
  },
  'plain wasm, 1 thread': {
    threads: 1,
    wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.wasm` },
  },
  'plain wasm, 2 threads': {
    threads: 2,
    wasmFiles: { mjs: `${origin}/ort-wasm-simd-threaded.mjs`, wasm: `${origin}/ort-wasm-simd-threaded.wasm` },
  },
  'WebGPU probe, then jsep wasm, 1 thread': { threads: 1, probeGpu: true, wasmFiles: `${origin}/` },
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
      const got = (await page.evaluate(
        (data) =>
          new Promise<{ error?: string }>((resolve) => {
            const worker = new (globalThis as any).Worker('/profile-worker.js', { type: 'module' });
            worker.onmessage = (e: { data: { error?: string } }) => resolve(e.data);
            worker.onerror = (e: { message: string }) => resolve({ error: e.message });
            worker.postMessage(data);
          }),
        { modelUrl: `${origin}/models/shipped/`, wasmUrl: `${origin}/`, riffs: Number(values.riffs ?? 4), requests, ...setting },
      )) as { error?: string };
      await context.close();
      if (got.error) throw new Error(`${name}: ${got.error}`);
      (samples[name] ??= []).push(got);
      console.error(`${name}: ${JSON.stringify(got).slice(0, 300)}`);
    }
    if (round === 0) {
      // The same steps in this Node process (onnxruntime-web's jsep wasm from node_modules), same server.
      const got = await profileSteps({ modelUrl: `${origin}/models/shipped/`, threads: 1, riffs: Number(values.riffs ?? 4), requests });
      (samples['Node, jsep wasm, 1 thread'] ??= []).push(got);
      console.error(`Node: ${JSON.stringify(got).slice(0, 300)}`);
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
    firstRiffMs: summarize(runs.map((r) => r.riffs.plain[0].ms)).p50,
    warmRiffMs: summarize(runs.flatMap((r) => r.riffs.plain.slice(1).map((x: any) => x.ms))).p50,
    warmRiffInRunMs: summarize(runs.flatMap((r) => r.riffs.plain.slice(1).map((x: any) => x.runMs))).p50,
    warmRiffYieldingMs: summarize(runs.flatMap((r) => r.riffs.yielding.slice(1).map((x: any) => x.ms))).p50,
    msPerStep: summarize(runs.flatMap((r) => r.riffs.plain.slice(1).map((x: any) => x.ms / x.steps))).p50,
  };
}
for (const [name, v] of Object.entries(out) as [string, any][]) {
  console.error(
    `${name}: runtime+session ${v.runtimeAndFirstSessionMs} ms, first riff ${Math.round(v.firstRiffMs)} ms, warm ${Math.round(v.warmRiffMs)} ms (in run ${Math.round(v.warmRiffInRunMs)}), yielding ${Math.round(v.warmRiffYieldingMs)} ms`,
  );
}
console.log(JSON.stringify({ rounds, out }, null, 2));
