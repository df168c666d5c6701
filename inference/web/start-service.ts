/**
 * The web host's model → service step, the twin of node/host.ts startService: loads the model
 * (hashes checked, provider chosen), and returns a ready InferenceService, or an unavailable one
 * that tells every client why (a ModelLoadError names the file's URL), never a thrown error.
 */
import { InferenceService, settleServiceState, type IdleWork, type ServiceState } from '../host/service.ts';
import { loadWebModelFolder, type FetchBytes } from './model-loader.ts';
import type { WorkerConfig } from './worker-config.ts';

export interface StartOptions {
  /** How files are read (default fetch); a Node benchmark passes a file reader. */
  fetchBytes?: FetchBytes;
  /** Yield to the event loop before each forward pass (yield.ts); the worker needs it for cancel. */
  yieldEachRun?: boolean;
  /** Riffs decoded while idle (the worker's warm-up, host/warm-up.ts). */
  idleWork?: IdleWork;
}

export async function startWebService(config: WorkerConfig, options: StartOptions = {}): Promise<InferenceService> {
  return new InferenceService(await loadServiceState(config, options), { idleWork: options.idleWork });
}

export async function loadServiceState(config: WorkerConfig, options: StartOptions = {}): Promise<ServiceState> {
  return settleServiceState(() =>
    loadWebModelFolder(config.modelUrl, {
      fetchBytes: options.fetchBytes,
      wasmPaths: config.wasmUrl,
      threads: config.threads,
      providers: config.providers === 'wasm' ? ['wasm'] : undefined,
      yieldEachRun: options.yieldEachRun,
    }),
  );
}
