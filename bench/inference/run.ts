/**
 * npm run bench:inference — the generation engine's figures on this machine, CPU provider, the
 * shipped model; written to bench/results/inference.json:
 *   load    model load in a fresh process (read, sha256 and vocabulary checks, session)
 *   engine  per role, a 4-bar riff: time to first note, total p50/p95, tokens/s; 4 variations in one batch
 *   raw     the same forward passes replayed straight on onnxruntime: the engine's overhead ratio
 *   web     the same engine on onnxruntime-web (wasm), in this process, side by side
 *   page    the same requests through the real inference worker in Chromium, as a browser guest
 *           runs them (page.ts): a fresh tab's first riff, warm riffs, the page's long tasks
 * Every part times a 4-bar riff with 3 variations per role (the browser target's request), and
 * `sideBySide` puts their p50s in one table, with the machine's load average beside them.
 * `npm run bench:inference -- engine raw` runs only the named parts (results merge into the file).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { CausalLm, type TensorConstructor } from '../../inference/engine/causal-lm.ts';
import { Engine } from '../../inference/engine/engine.ts';
import { loadModelFolder, type LoadedModel } from '../../inference/node/model-folder.ts';
import { openSession } from '../../inference/node/providers.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { summarize } from '../stats.ts';
import { mainThreadTimes } from './thread-cpu.ts';
import { ROLES, riffRequest } from './workload.ts';

const SEEDS = 20;
const BATCH_SEEDS = 10;

function engineOf(loaded: { lm: CausalLm; card: LoadedModel['card'] }, provider: string): Engine {
  return new Engine(loaded.lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, provider);
}

async function benchLoad(): Promise<unknown> {
  const script = fileURLToPath(new URL('./load-once.ts', import.meta.url));
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) samples.push(JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })).loadMs);
  const weights = readFileSync(new URL('model.onnx', `file://${SHIPPED_MODEL_DIR}`));
  return { loadMs: summarize(samples), weightsBytes: weights.length };
}

/** Per role: single riffs (first note, total, tokens/s) and 4 variations in one batch. */
export async function benchEngine(engine: Engine): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const role of ROLES) {
    for (let seed = 0; seed < 2; seed++) await engine.generate(riffRequest(role, 1000 + seed)); // warm-up
    const first: number[] = [];
    const total: number[] = [];
    const tokensPerSecond: number[] = [];
    const tokens: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const { provenance } = await engine.generate(riffRequest(role, seed));
      if (provenance.timing.firstNoteMs !== null) first.push(provenance.timing.firstNoteMs);
      total.push(provenance.timing.totalMs);
      tokensPerSecond.push(provenance.timing.tokensPerSecond);
      tokens.push(provenance.timing.decodedTokens);
    }
    const batch: number[] = [];
    for (let seed = 0; seed < BATCH_SEEDS; seed++)
      batch.push((await engine.generate(riffRequest(role, seed, 4))).provenance.timing.totalMs);
    const batch3: number[] = [];
    const batch3Cpu: number[] = [];
    const batch3Wait: number[] = [];
    for (let seed = 0; seed < BATCH_SEEDS; seed++) {
      const before = mainThreadTimes();
      batch3.push((await engine.generate(riffRequest(role, seed, 3))).provenance.timing.totalMs);
      const after = mainThreadTimes();
      batch3Cpu.push((after.ns - before.ns) / 1e6);
      batch3Wait.push((after.waitNs - before.waitNs) / 1e6);
    }
    out[role] = {
      firstNoteMs: summarize(first),
      riff4BarsMs: summarize(total),
      tokensPerSecond: summarize(tokensPerSecond),
      tokensPerRiff: summarize(tokens),
      variations4Ms: summarize(batch),
      variations3Ms: summarize(batch3),
      // The decoding thread's CPU time, and its time waiting for a CPU, per riff (thread-cpu.ts).
      variations3CpuMs: summarize(batch3Cpu),
      variations3WaitMs: summarize(batch3Wait),
    };
    console.error(
      `  ${role}: first note ${summarize(first).p50} ms, riff ${summarize(total).p50} ms, 4 variations ${summarize(batch).p50} ms, 3 variations ${summarize(batch3).p50} ms (CPU ${summarize(batch3Cpu).p50.toFixed(0)} ms)`,
    );
  }
  return out;
}

/**
 * The engine's overhead over the runtime: each riff is generated through the engine with every
 * session.run call recorded (its exact input tensors), then the same calls are replayed straight
 * on the session, back to back. Engine time over replay time is the overhead: grammar, sampling,
 * tensor building, cache merges, streaming.
 */
async function benchRaw(loaded: LoadedModel): Promise<unknown> {
  const session = await openSession(readFileSync(new URL('model.onnx', `file://${SHIPPED_MODEL_DIR}`)), 'cpu');
  const perRole: Record<string, unknown> = {};
  let engineTotal = 0;
  let rawTotal = 0;
  for (const role of ROLES) {
    const ratios: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const calls: ort.InferenceSession.FeedsType[] = [];
      const recording = {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        run: (feeds: ort.InferenceSession.FeedsType) => {
          calls.push(feeds);
          return session.run(feeds);
        },
      } as unknown as ort.InferenceSession;
      const engine = engineOf(
        { lm: new CausalLm(recording, loaded.card.shape, ort.Tensor as unknown as TensorConstructor), card: loaded.card },
        'cpu',
      );
      const started = performance.now();
      await engine.generate(riffRequest(role, seed));
      const engineMs = performance.now() - started;
      const rawStarted = performance.now();
      for (const feeds of calls) await session.run(feeds);
      const rawMs = performance.now() - rawStarted;
      if (seed < 2) continue; // warm-up
      ratios.push(engineMs / rawMs);
      engineTotal += engineMs;
      rawTotal += rawMs;
    }
    perRole[role] = { overheadRatio: summarize(ratios) };
  }
  return {
    perRole,
    overall: {
      engineMs: Math.round(engineTotal),
      rawForwardMs: Math.round(rawTotal),
      overheadRatio: Math.round((engineTotal / rawTotal) * 1000) / 1000,
    },
  };
}

async function benchWeb(): Promise<unknown> {
  const { loadWebEngineForBench } = await import('./web-engine.ts');
  const { engine, loadMs } = await loadWebEngineForBench();
  return { provider: engine.provider, loadMs: Math.round(loadMs), perRole: await benchEngine(engine) };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['load', 'engine', 'raw', 'web'];
const out = fileURLToPath(new URL('../results/inference.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
const results: Record<string, unknown> = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
results.machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  onnxruntime: ort.env.versions.node,
};
let loaded: LoadedModel | null = null;
const model = async () => (loaded ??= await loadModelFolder(SHIPPED_MODEL_DIR, { providers: ['cpu'] }));
const parts: Record<string, () => Promise<unknown>> = {
  load: benchLoad,
  engine: async () => ({ provider: 'cpu', threads: 1, perRole: await benchEngine(engineOf(await model(), 'cpu')) }),
  raw: async () => benchRaw(await model()),
  web: benchWeb,
  page: async () => (await import('./page.ts')).benchPage(),
};

/** Per role, the p50 of a warm 4-bar riff with 3 variations in each part that has one. */
function sideBySide(results: Record<string, any>): Record<string, unknown> {
  const p50 = (part: string, role: string, figure = 'variations3Ms'): number | null => {
    const value = results[part]?.perRole?.[role]?.[figure]?.p50;
    return typeof value === 'number' ? Math.round(value) : null;
  };
  const table = (figure: string) =>
    Object.fromEntries(
      ROLES.map((role) => [
        role,
        { native: p50('engine', role, figure), nodeWasm: p50('web', role, figure), page: p50('page', role, figure) },
      ]),
    );
  return {
    what: 'warm 4-bar riff, 3 variations, p50 ms: native = onnxruntime-node CPU, nodeWasm = onnxruntime-web wasm in Node, page = the inference worker in Chromium',
    perRole: table('variations3Ms'),
    // The same riffs' CPU time on the decoding thread (the page: the worker's), which other programs'
    // load does not stretch, and the time that thread waited for a CPU (which it does).
    cpuPerRole: table('variations3CpuMs'),
    waitPerRole: table('variations3WaitMs'),
    loadAverage: Object.fromEntries(['engine', 'web', 'page'].map((part) => [part, results[part]?.loadAverage ?? null])),
    pageFreshTabFirstNoteMs: results.page?.freshTab?.firstNoteMs?.p50 ?? null,
    pageLongTasksWhileModelRuns: results.page?.longTasks?.whileModelRuns ?? null,
  };
}
for (const name of wanted) {
  const run = parts[name];
  if (!run) throw new Error(`unknown part ${name}; parts: ${Object.keys(parts).join(', ')}`);
  console.error(`bench:inference ${name} ...`);
  const m = await model();
  results.model = { id: m.card.id, sha256: m.card.weights.sha256 };
  const loadBefore = loadavg();
  const value = (await run()) as object;
  // Another program's load slows every figure: it is recorded beside them (1-minute average).
  results[name] = {
    ...value,
    measuredAt: new Date().toISOString(),
    loadAverage: { before: round2(loadBefore[0]!), after: round2(loadavg()[0]!) },
  };
  results.sideBySide = sideBySide(results);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
}
console.log(JSON.stringify(results, null, 2));
console.error(`bench:inference: results in ${out}`);
