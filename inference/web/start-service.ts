/**
 * The web host's model → service step, the twin of node/host.ts startService: loads the model
 * (hashes checked, provider chosen), and returns a ready InferenceService, or an unavailable one
 * that tells every client why (a ModelLoadError names the file's URL), never a thrown error.
 */
import type { ServiceStateError } from '../contract.ts';
import { Engine } from '../engine/engine.ts';
import { InferenceService, type ServiceState } from '../host/service.ts';
import { ModelLoadError } from '../model-card.ts';
import { loadWebModelFolder, type FetchBytes } from './model-loader.ts';
import type { WorkerConfig } from './worker-config.ts';

export interface StartOptions {
  /** How files are read (default fetch); a Node benchmark passes a file reader. */
  fetchBytes?: FetchBytes;
  /** Yield to the event loop before each forward pass (yield.ts); the worker needs it for cancel. */
  yieldEachRun?: boolean;
}

export async function startWebService(config: WorkerConfig, options: StartOptions = {}): Promise<InferenceService> {
  return new InferenceService(await loadServiceState(config, options));
}

export async function loadServiceState(config: WorkerConfig, options: StartOptions = {}): Promise<ServiceState> {
  const started = performance.now();
  try {
    const loaded = await loadWebModelFolder(config.modelUrl, {
      fetchBytes: options.fetchBytes,
      wasmPaths: config.wasmUrl,
      threads: config.threads,
      providers: config.providers === 'wasm' ? ['wasm'] : undefined,
      yieldEachRun: options.yieldEachRun,
    });
    const model = { id: loaded.card.id, name: loaded.card.name, sha256: loaded.card.weights.sha256 };
    return {
      kind: 'ready',
      engine: new Engine(loaded.lm, model, loaded.provider.name),
      model: { ...model, loadMs: Math.round(performance.now() - started) },
      provider: loaded.provider,
    };
  } catch (error) {
    const name: ServiceStateError = error instanceof ModelLoadError ? 'ModelLoadError' : 'EngineError';
    return { kind: 'unavailable', error: { name, message: (error as Error)?.message ?? String(error) } };
  }
}
