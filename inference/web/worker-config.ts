/**
 * What the inference worker needs before it can load anything: where the model folder and the
 * onnxruntime-web runtime files are served. Given either in the worker's URL query
 * (`inference-worker.js?model=<url>&wasm=<url>`) or as the first message, a `configure` message.
 * Relative URLs resolve against the worker script's URL. Both sides (the page that starts the
 * worker and the worker) import this file.
 */
import { INFERENCE_PROTOCOL, type ConfigureMessage } from '../contract.ts';

/** The worker's config: the configure message's fields. */
export type WorkerConfig = Omit<ConfigureMessage, 'v' | 'type'>;

export function configureMessage(config: WorkerConfig): ConfigureMessage {
  return { v: INFERENCE_PROTOCOL, type: 'configure', ...config };
}

/** The worker script's URL with the config in its query. */
export function workerUrlWithConfig(scriptUrl: string | URL, config: WorkerConfig): URL {
  const url = new URL(scriptUrl);
  url.searchParams.set('model', config.modelUrl);
  url.searchParams.set('wasm', config.wasmUrl);
  if (config.threads !== undefined) url.searchParams.set('threads', String(config.threads));
  if (config.providers !== undefined) url.searchParams.set('providers', config.providers);
  if (config.warmUpMs !== undefined) url.searchParams.set('warmup', String(config.warmUpMs));
  return url;
}

/** The config from the worker's own URL, or null when its query has none. */
export function configFromUrl(href: string): WorkerConfig | null {
  const query = new URL(href).searchParams;
  const modelUrl = query.get('model');
  if (modelUrl === null) return null;
  const threads = query.get('threads');
  const providers = query.get('providers');
  const warmUp = query.get('warmup');
  return resolveConfig(
    {
      modelUrl,
      wasmUrl: query.get('wasm') ?? './',
      ...(threads !== null ? { threads: Number(threads) } : {}),
      ...(providers !== null ? { providers: providers as WorkerConfig['providers'] } : {}),
      ...(warmUp !== null ? { warmUpMs: Number(warmUp) } : {}),
    },
    href,
  );
}

/** A `configure` message's config, or null when `data` is not one. */
export function configFromMessage(data: unknown, href: string): WorkerConfig | null {
  const m = data as Partial<ConfigureMessage> | null;
  if (!m || typeof m !== 'object' || m.v !== INFERENCE_PROTOCOL || m.type !== 'configure') return null;
  return resolveConfig(
    { modelUrl: m.modelUrl!, wasmUrl: m.wasmUrl!, threads: m.threads, providers: m.providers, warmUpMs: m.warmUpMs },
    href,
  );
}

/**
 * Checks the config and makes its URLs absolute folder URLs (ending in '/': onnxruntime-web
 * appends file names to wasmPaths as they are). Throws saying what is wrong.
 */
export function resolveConfig(config: WorkerConfig, base: string): WorkerConfig {
  if (typeof config.modelUrl !== 'string' || !config.modelUrl) throw new Error('the worker config needs a modelUrl');
  if (typeof config.wasmUrl !== 'string' || !config.wasmUrl) throw new Error('the worker config needs a wasmUrl');
  if (config.threads !== undefined && (!Number.isInteger(config.threads) || config.threads < 1 || config.threads > 64)) {
    throw new Error('the worker config threads must be 1..64');
  }
  if (config.providers !== undefined && config.providers !== 'auto' && config.providers !== 'wasm') {
    throw new Error("the worker config providers must be 'auto' or 'wasm'");
  }
  if (config.warmUpMs !== undefined && (!Number.isFinite(config.warmUpMs) || config.warmUpMs < 0 || config.warmUpMs > 60_000)) {
    throw new Error('the worker config warmUpMs must be 0..60000');
  }
  const folder = (url: string): string => {
    const href = new URL(url, base).href;
    return href.endsWith('/') ? href : `${href}/`;
  };
  return {
    modelUrl: folder(config.modelUrl),
    wasmUrl: folder(config.wasmUrl),
    ...(config.threads !== undefined ? { threads: config.threads } : {}),
    ...(config.providers !== undefined ? { providers: config.providers } : {}),
    ...(config.warmUpMs !== undefined ? { warmUpMs: config.warmUpMs } : {}),
  };
}
