/**
 * The Web Worker entry of the generation host (bundled by build.ts as inference-worker.js): the
 * browser twin of node/host.ts, running the same engine and InferenceService.
 *
 * - Config (model folder URL, runtime files URL) comes from the worker's URL query, or else from
 *   the first `configure` message (worker-config.ts).
 * - The page that started the worker is one client, over the worker's own postMessage; every
 *   MessagePort it sends with a `connect` message (contract.ts ConnectMessage) is another.
 * - Messages that arrive while the model loads are kept and handled once it is ready; a model
 *   that cannot be loaded is reported to every client (`unavailable`).
 */
import { INFERENCE_PROTOCOL, type ServiceStateError } from '../contract.ts';
import { connectWhenReady } from '../host/connect-when-ready.ts';
import { InferenceService } from '../host/service.ts';
import { WarmUp } from '../host/warm-up.ts';
import { startWebService } from './start-service.ts';
import { configFromMessage, configFromUrl, type WorkerConfig } from './worker-config.ts';

/** The parts of a MessagePort (and of the worker's global scope) this host uses. */
interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown; ports?: readonly PortLike[] }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
  start?(): void;
}

interface WorkerScope extends PortLike {
  location: { href: string };
}

function servePort(port: PortLike, service: Promise<InferenceService>): void {
  const client = connectWhenReady(service, (m) => port.postMessage(m));
  port.addEventListener('message', (event) => client.receive(event.data));
  // Browsers that fire `close` on a MessagePort whose other side went away: drop that client's work.
  port.addEventListener('close', () => client.close());
  port.start?.();
}

function isConnect(data: unknown): boolean {
  const m = data as { v?: unknown; type?: unknown } | null;
  return Boolean(m) && typeof m === 'object' && m!.v === INFERENCE_PROTOCOL && m!.type === 'connect';
}

/** A service that only says why it has none: for a config the worker cannot use. */
function unavailable(name: ServiceStateError, message: string): InferenceService {
  return new InferenceService({ kind: 'unavailable', error: { name, message } });
}

function startFrom(config: () => WorkerConfig | null): Promise<InferenceService> | null {
  let resolved: WorkerConfig | null;
  try {
    resolved = config();
  } catch (error) {
    return Promise.resolve(unavailable('EngineError', `inference worker: ${(error as Error).message}`));
  }
  if (!resolved) return null;
  const warmUp = resolved.warmUpMs === 0 ? undefined : new WarmUp(resolved.warmUpMs);
  return startWebService(resolved, { yieldEachRun: true, idleWork: warmUp });
}

export function serveWorker(scope: WorkerScope): void {
  const href = scope.location.href;
  let resolveService!: (service: Promise<InferenceService>) => void;
  const service = new Promise<InferenceService>((resolve) => {
    resolveService = (s) => void s.then(resolve);
  });
  let started = startFrom(() => configFromUrl(href));
  if (started) resolveService(started);
  const page = connectWhenReady(service, (m) => scope.postMessage(m));
  scope.addEventListener('message', (event) => {
    if (!started) {
      // No config in the URL: the first configure message starts the load; anything else before it waits.
      started = startFrom(() => configFromMessage(event.data, href));
      if (started) {
        resolveService(started);
        return;
      }
    }
    if (isConnect(event.data) && event.ports?.length) {
      for (const port of event.ports) servePort(port, service);
      return;
    }
    page.receive(event.data);
  });
}

serveWorker(globalThis as unknown as WorkerScope);
