/**
 * The steps page-profile.ts times, as one function that runs the same in a browser worker and in
 * Node: fetch and hash the model folder, start onnxruntime-web with a first session, open a
 * second one, then generate riffs through the Engine, plain and with the worker's per-step yield,
 * counting the time spent inside session.run apart from the engine's own (grammar, sampling,
 * tensors). No Node or DOM imports.
 */
import * as ort from 'onnxruntime-web';
import type { InferenceSession } from 'onnxruntime-common';
import { CausalLm, type TensorConstructor } from '../../inference/engine/causal-lm.ts';
import { Engine } from '../../inference/engine/engine.ts';
import type { GenerationRequest } from '../../inference/engine/request.ts';
import { fetchModelFolder } from '../../inference/web/model-loader.ts';
import { WEB_SESSION_OPTIONS } from '../../inference/web/session.ts';
import { yieldingSession } from '../../inference/web/yield.ts';

export interface ProfileInput {
  modelUrl: string;
  /** Runtime files: a folder URL, or the .mjs/.wasm pair; left out under Node. */
  wasmFiles?: string | { mjs: string; wasm: string };
  threads: number;
  probeGpu?: boolean;
  riffs: number;
  requests: GenerationRequest[];
}

export interface RiffSample {
  ms: number;
  runMs: number;
  steps: number;
}

export interface ProfileOutput {
  t: Record<string, number | boolean>;
  threads: number;
  riffs: { plain: RiffSample[]; yielding: RiffSample[] };
}

/** `session` whose run() adds its time to `clock.ms`. */
function timed(session: InferenceSession, clock: { ms: number }): InferenceSession {
  return new Proxy(session, {
    get: (target, property) => {
      if (property === 'run') {
        return async (...args: unknown[]) => {
          const started = performance.now();
          try {
            return await (target.run as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            clock.ms += performance.now() - started;
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function profileSteps(data: ProfileInput): Promise<ProfileOutput> {
  const t: Record<string, number | boolean> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = Math.round(now - mark);
    mark = now;
  };
  if (data.probeGpu) {
    const adapter = await (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu?.requestAdapter();
    lap('requestAdapterMs');
    t.adapter = Boolean(adapter);
  }
  const files = await fetchModelFolder(data.modelUrl);
  lap('fetchAndHashMs');
  if (data.wasmFiles) ort.env.wasm.wasmPaths = data.wasmFiles;
  ort.env.wasm.numThreads = data.threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'fatal';
  const options = { ...WEB_SESSION_OPTIONS, executionProviders: ['wasm'] };
  const session = await ort.InferenceSession.create(files.weights, options);
  lap('runtimeAndFirstSessionMs');
  const again = await ort.InferenceSession.create(files.weights, options);
  lap('secondSessionMs');
  await again.release();
  const Tensor = ort.Tensor as unknown as TensorConstructor;
  const clock = { ms: 0 };
  const engines = {
    plain: new Engine(new CausalLm(timed(session, clock), files.card.shape, Tensor), { id: 'x', sha256: 'x' }, 'wasm'),
    yielding: new Engine(new CausalLm(yieldingSession(timed(session, clock)), files.card.shape, Tensor), { id: 'x', sha256: 'x' }, 'wasm'),
  };
  const riffs: ProfileOutput['riffs'] = { plain: [], yielding: [] };
  for (let i = 0; i < data.riffs; i++) {
    for (const kind of ['plain', 'yielding'] as const) {
      clock.ms = 0;
      const started = performance.now();
      const result = await engines[kind].generate(data.requests[i % data.requests.length]!);
      riffs[kind].push({ ms: performance.now() - started, runMs: clock.ms, steps: result.provenance.timing.decodedTokens });
    }
  }
  await session.release();
  return { t, threads: ort.env.wasm.numThreads ?? data.threads, riffs };
}
