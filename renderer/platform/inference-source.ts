/**
 * Where the AI bandmate runs, as the generator panel sees it: an InferenceClient (inference/
 * client.ts) over some transport. In a browser tab the host is a Web Worker running
 * onnxruntime-web; in Electron it is the inference utility process, reached over a MessagePort
 * that the main process hands the window (electron/, later). The host starts on first use: the
 * model is megabytes and most sessions open no generator.
 */
import { InferenceClient, type Transport } from '../../inference/client.ts';
import { INFERENCE_PROTOCOL } from '../../inference/contract.ts';
import { workerTransport, type WorkerLike } from '../../inference/web/worker-transport.ts';
import { workerUrlWithConfig } from '../../inference/web/worker-config.ts';

export interface InferenceSource {
  /** The client of this window's inference host, started on the first call. */
  client(): InferenceClient;
  /** Stops the host if one was started. */
  dispose(): void;
}

/** The worker script the renderer build writes beside index.html (inference/web/build.ts). */
export const INFERENCE_WORKER_FILE = 'inference-worker.js';

export interface BrowserInferenceOptions {
  /** URL of the folder the worker script and the onnxruntime-web files are served from. */
  appUrl: string;
  /** URL of the model folder (served by the sync server at /models/<id>/). */
  modelUrl: string;
  /** Starts the worker; tests pass a fake. */
  startWorker?: (url: URL) => StartedWorker;
}

type StartedWorker = WorkerLike & {
  terminate(): void;
  /** A Worker reports an uncaught error (or a script that failed to load) as an 'error' event. */
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
};

/** The page's Worker constructor, typed structurally (this module is also checked without DOM types). */
function startModuleWorker(url: URL): StartedWorker {
  const { Worker } = globalThis as unknown as { Worker: new (url: URL, options: { type: 'module'; name: string }) => StartedWorker };
  return new Worker(url, { type: 'module', name: 'riffroom-inference' });
}

/** The browser host: `new Worker('inference-worker.js?model=…&wasm=…', { type: 'module' })`. */
export function browserInference(options: BrowserInferenceOptions): InferenceSource {
  let client: InferenceClient | null = null;
  let worker: StartedWorker | null = null;
  const start = options.startWorker ?? startModuleWorker;
  return {
    client() {
      if (client) return client;
      const url = workerUrlWithConfig(new URL(INFERENCE_WORKER_FILE, options.appUrl), {
        modelUrl: options.modelUrl,
        wasmUrl: new URL('./', options.appUrl).href,
      });
      const started = start(url);
      const thisClient = new InferenceClient();
      worker = started;
      client = thisClient;
      // The client's own message handler, so a crash can be told to it as the host's last word.
      let tell: ((data: unknown) => void) | null = null;
      const transport = workerTransport(started);
      const telling: Transport = {
        post: transport.post,
        listen(handler) {
          tell = handler;
          return transport.listen(handler);
        },
      };
      started.addEventListener('error', (event) => {
        if (client !== thisClient) return;
        // A crashed worker answers nothing more: everything waiting on it fails with HostCrashed
        // (an 'unavailable' host fails requests not yet sent too), and the next call starts a new one.
        const why = event.message ? `: ${event.message}` : ' (its script did not load, or it died without a message)';
        tell?.({
          v: INFERENCE_PROTOCOL,
          type: 'unavailable',
          error: { name: 'HostCrashed', message: `the inference worker stopped${why}` },
        });
        started.terminate();
        worker = null;
        client = null;
      });
      thisClient.attach(telling);
      return thisClient;
    },
    dispose() {
      worker?.terminate();
      worker = null;
      client = null;
    },
  };
}
