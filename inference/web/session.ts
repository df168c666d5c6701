/**
 * Opening the model on onnxruntime-web, with the same policy as node/providers.ts: the wasm
 * provider (the CPU of the browser) is always opened, as the reference and the fallback; WebGPU
 * is tried first where the browser has an adapter and kept only when it writes exactly wasm's
 * tokens on the self-check. The report says what runs and why each provider before it was passed
 * over.
 *
 * Where the browser has no WebGPU adapter (asking costs milliseconds), WebGPU is passed over at
 * once and the plain wasm runtime is loaded instead of the JSEP one (runtime-files.ts): opening a
 * WebGPU session only to learn there is no adapter, and compiling the JSEP runtime's 28 MB of
 * wasm, took most of a fresh tab's 5 s (inference/README.md, "In the browser").
 *
 * The runtime's .wasm/.mjs files come from `wasmPaths` (our own server, never a CDN).
 */
import * as ort from 'onnxruntime-web';
import type { ProviderReport } from '../contract.ts';
import { CausalLm, type ModelShape, type TensorConstructor } from '../engine/causal-lm.ts';
import { selfCheckTokens } from '../engine/self-check.ts';
import { JSEP_RUNTIME, PLAIN_RUNTIME, runtimeUrls } from './runtime-files.ts';
import { yieldingSession } from './yield.ts';

export type WebProvider = 'webgpu' | 'wasm';

export interface WebSessionOptions {
  /**
   * Base URL (ending in '/') the onnxruntime-web .wasm/.mjs files are served from. Left out under
   * Node, where onnxruntime-web finds them in node_modules.
   */
  wasmPaths?: string;
  /** wasm threads; default defaultWasmThreads(). */
  threads?: number;
  /** Providers to try, in order (default webProviderCandidates()); wasm is always the fallback. */
  providers?: readonly WebProvider[];
  /**
   * Let the event loop run before each forward pass (yield.ts), so that messages such as a cancel
   * are handled between decode steps. The worker turns it on.
   */
  yieldEachRun?: boolean;
}

export interface WebChosenProvider {
  lm: CausalLm;
  session: ort.InferenceSession;
  report: ProviderReport;
  /** wasm threads the runtime runs with. */
  threads: number;
}

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { gpu?: { requestAdapter(): Promise<unknown> }; hardwareConcurrency?: number };
}

const globals = globalThis as BrowserGlobals;

/** WebGPU first where the browser exposes it, then wasm. */
export function webProviderCandidates(): WebProvider[] {
  return globals.navigator?.gpu ? ['webgpu', 'wasm'] : ['wasm'];
}

/**
 * Threads for wasm: one without cross-origin isolation (no SharedArrayBuffer), and one on a
 * machine of up to 4 cores. A decode step is a few small matrix products: split over threads,
 * each operator ends in a wait for the slowest, and on 2 busy cores (the page, audio, another
 * program) that wait is a lost time slice; 2 threads made a 4-bar riff 2-3x slower than 1 here.
 * With more cores, a quarter of them, at most 4 (not measured: no such machine here).
 */
export function defaultWasmThreads(): number {
  if (globals.crossOriginIsolated !== true) return 1;
  const cores = globals.navigator?.hardwareConcurrency ?? 2;
  return cores <= 4 ? 1 : Math.min(4, Math.floor(cores / 4));
}

/**
 * The WebGPU adapter, or null where there is none (a browser with WebGPU switched off or no usable
 * GPU). Asking takes milliseconds; onnxruntime-web finding out for itself took ~2 s.
 */
async function webGpuAdapter(): Promise<unknown> {
  try {
    return (await globals.navigator?.gpu?.requestAdapter()) ?? null;
  } catch {
    return null;
  }
}

const Tensor = ort.Tensor as unknown as TensorConstructor;

/**
 * Sets onnxruntime-web's process-wide settings. They take effect when the runtime starts (the
 * first session), so later calls with other values change nothing; returns the threads asked for.
 * `gpu`: the JSEP runtime (wasm + WebGPU), else the plain wasm one.
 */
function configureRuntime(options: WebSessionOptions, gpu: boolean): number {
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = runtimeUrls(options.wasmPaths, gpu ? JSEP_RUNTIME : PLAIN_RUNTIME);
  if (typeof ort.env.wasm.numThreads !== 'number' || ort.env.wasm.numThreads < 1) {
    ort.env.wasm.numThreads = options.threads ?? defaultWasmThreads();
  }
  // We already run in a worker: a proxy worker would only add a hop.
  ort.env.wasm.proxy = false;
  // A provider that cannot start logs its own errors; its failure is reported instead.
  ort.env.logLevel = 'fatal';
  return ort.env.wasm.numThreads;
}

/**
 * Session options for both providers. disable_quant_qdq: the int8 weights' DequantizeLinear nodes
 * are folded into float weights once at load, instead of either dequantizing every weight on every
 * decode step (what wasm does otherwise: a step took 5x longer, the session 3x longer to open) or
 * fusing them into int8 kernels that quantize the activations too (what onnxruntime-node's CPU
 * provider does: logits move by ~0.05, enough to change sampled notes).
 */
export const WEB_SESSION_OPTIONS = {
  graphOptimizationLevel: 'all',
  extra: { session: { disable_quant_qdq: '1' } },
} as const satisfies ort.InferenceSession.SessionOptions;

export async function openWebSession(weights: Uint8Array, provider: WebProvider): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(weights, {
    ...WEB_SESSION_OPTIONS,
    executionProviders: [provider],
    logSeverityLevel: provider === 'wasm' ? 2 : 4,
  });
}

export interface PreparedRuntime {
  /** The GPU providers to open sessions on: those of options.providers whose adapter exists. */
  gpu: WebProvider[];
  /** Providers already passed over (no adapter), for the report. */
  tried: ProviderReport['tried'];
  requestedThreads: number;
  /** Settles when the runtime has started (or failed to: the real session then says why). */
  started: Promise<void>;
}

/**
 * Everything before the model is needed: the WebGPU adapter check, the runtime's settings (JSEP
 * or plain, threads), and the runtime's start (fetching and compiling its wasm, on the browser's
 * compile threads). Called before the model is fetched, the runtime starts while the model
 * downloads and is hashed, instead of after.
 */
export async function prepareWebRuntime(options: WebSessionOptions = {}): Promise<PreparedRuntime> {
  const candidates = options.providers ?? webProviderCandidates();
  const tried: ProviderReport['tried'] = [];
  const gpu: WebProvider[] = [];
  for (const name of candidates.slice(0, candidates.includes('wasm') ? candidates.indexOf('wasm') : candidates.length)) {
    const started = performance.now();
    const adapter = await webGpuAdapter();
    if (adapter) {
      // onnxruntime-web takes this one instead of asking again.
      ort.env.webgpu.adapter = adapter as typeof ort.env.webgpu.adapter;
      gpu.push(name);
    } else {
      tried.push({
        name,
        ok: false,
        reason: 'no WebGPU adapter (navigator.gpu.requestAdapter() gave none)',
        ms: Math.round(performance.now() - started),
      });
    }
  }
  const requestedThreads = configureRuntime(options, gpu.length > 0);
  // onnxruntime-web has no call that only starts the runtime; a session over no bytes starts it
  // (the wasm backend initialises before it reads the model) and then fails, which is all we want
  // of it. Its failure is ignored: the real session, opened next, reports any that matters.
  const started = ort.InferenceSession.create(new Uint8Array(0), { executionProviders: ['wasm'], logSeverityLevel: 4 }).then(
    (session) => session.release(),
    () => {},
  );
  return { gpu, tried, requestedThreads, started };
}

/**
 * Opens the model on the first provider of `options.providers` that works, wasm last. GPU sessions
 * are opened before the wasm one: onnxruntime-web 1.30 (JSEP) counts open sessions only once its
 * WebGPU backend is up, yet uncounts every release, so releasing a wasm session opened earlier
 * drops the count to zero and destroys the WebGPU session's buffers (its next run fails with
 * "no GPU data for input").
 */
export async function chooseWebProvider(
  weights: Uint8Array,
  shape: ModelShape,
  options: WebSessionOptions = {},
  prepared?: Promise<PreparedRuntime>,
): Promise<WebChosenProvider> {
  const wrap = (session: ort.InferenceSession): ort.InferenceSession => (options.yieldEachRun ? yieldingSession(session) : session);
  const { gpu, tried: passedOver, requestedThreads, started } = await (prepared ?? prepareWebRuntime(options));
  // Every backend (wasm, webgpu) starts the one runtime, and onnxruntime-web fails a second start
  // begun while the first runs ("multiple calls to initWasm()"): the runtime is up before any session.
  await started;
  const tried = [...passedOver];
  const opened: { name: WebProvider; session: ort.InferenceSession | null; error?: unknown; ms: number }[] = [];
  for (const name of gpu) {
    const started = performance.now();
    try {
      opened.push({ name, session: await openWebSession(weights, name), ms: performance.now() - started });
    } catch (error) {
      opened.push({ name, session: null, error, ms: performance.now() - started });
    }
  }
  const wasmStarted = performance.now();
  const wasmSession = await openWebSession(weights, 'wasm').catch(async (error: unknown) => {
    for (const { session } of opened) await session?.release().catch(() => {});
    throw error;
  });
  const wasm = new CausalLm(wasmSession, shape, Tensor);
  const wasmMs = performance.now() - wasmStarted;
  // The runtime falls back to one thread where threads cannot work; read what it settled on.
  const threads = ort.env.wasm.numThreads ?? requestedThreads;

  let reference: number[] | null = null;
  let chosen: { name: WebProvider; session: ort.InferenceSession } | null = null;
  for (const { name, session, error, ms } of opened) {
    if (chosen) {
      await session?.release().catch(() => {});
      continue;
    }
    const started = performance.now();
    try {
      if (!session) throw error;
      reference ??= await selfCheckTokens(wasm);
      const tokens = await selfCheckTokens(new CausalLm(session, shape, Tensor, { firstStep: wasmSession }));
      const mismatch = tokens.findIndex((t, i) => t !== reference![i]);
      if (mismatch >= 0) throw new Error(`self-check: token ${mismatch} is ${tokens[mismatch]}, wasm wrote ${reference[mismatch]}`);
      tried.push({ name, ok: true, ms: Math.round(ms + performance.now() - started) });
      chosen = { name, session };
    } catch (failure) {
      await session?.release().catch(() => {});
      tried.push({ name, ok: false, reason: firstLine(failure), ms: Math.round(ms + performance.now() - started) });
    }
  }
  if (chosen) {
    // The wasm session stays open: it runs each prompt (see CausalLm: WebGPU crashes on an empty settled block).
    return {
      lm: new CausalLm(wrap(chosen.session), shape, Tensor, { firstStep: wrap(wasmSession) }),
      session: chosen.session,
      report: { name: chosen.name, tried },
      threads,
    };
  }
  tried.push({ name: 'wasm', ok: true, ms: Math.round(wasmMs) });
  return { lm: new CausalLm(wrap(wasmSession), shape, Tensor), session: wasmSession, report: { name: 'wasm', tried }, threads };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0] ?? message;
  return line.length > 240 ? `${line.slice(0, 120)} … ${line.slice(-110)}` : line;
}
