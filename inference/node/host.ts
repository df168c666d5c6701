/**
 * The Node generation host: the entry point of Electron's "inference" utility process and, with
 * the same code, of a plain Node child process (tests, benchmarks, headless use).
 *
 *   node inference/node/host.ts [--model <folder>] [--providers auto|cpu|webgpu|...] [--threads n]
 *
 * Loads the model (hashes checked, provider chosen), then serves the inference contract:
 * - under utilityProcess: the parent (Electron main) is one client over process.parentPort, and
 *   every MessagePort it sends with a `connect` message is another (a window, talking directly);
 * - under child_process.fork: the parent is the one client, over the IPC channel.
 * A model that cannot be loaded is reported to every client (`unavailable`), never a crash loop.
 */
import { parseArgs } from 'node:util';
import { INFERENCE_PROTOCOL } from '../contract.ts';
import { connectWhenReady } from '../host/connect-when-ready.ts';
import { InferenceService, settleServiceState } from '../host/service.ts';
import { loadModelFolder } from './model-folder.ts';
import { PROVIDER_PREFERENCES, providerCandidates, type ProviderPreference } from './providers.ts';
import { SHIPPED_MODEL_DIR } from './shipped-model.ts';

/** The bits of Electron's MessagePortMain and parentPort this host uses (no Electron import here). */
interface PortLike {
  on(event: 'message', listener: (event: { data: unknown; ports?: PortLike[] }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start?(): void;
}

export interface HostOptions {
  model: string;
  providers: ProviderPreference;
  threads: number;
}

export function parseHostArgs(argv: string[]): HostOptions {
  const { values } = parseArgs({
    args: argv,
    options: { model: { type: 'string' }, providers: { type: 'string', default: 'auto' }, threads: { type: 'string', default: '1' } },
  });
  const providers = values.providers as ProviderPreference;
  if (!PROVIDER_PREFERENCES.includes(providers)) throw new Error(`--providers must be one of ${PROVIDER_PREFERENCES.join(', ')}`);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error('--threads must be 1..64');
  return { model: values.model ?? SHIPPED_MODEL_DIR, providers, threads };
}

/** Loads the model into a ready service, or an unavailable one that says why. */
export async function startService(options: HostOptions): Promise<InferenceService> {
  const load = () =>
    loadModelFolder(options.model, { threads: options.threads, providers: providerCandidates(options.providers, process.platform) });
  return new InferenceService(await settleServiceState(load));
}

/** Serves clients over Electron's parentPort: the parent itself, and each port it connects. */
function serveParentPort(parentPort: PortLike, service: Promise<InferenceService>): void {
  const parent = connectWhenReady(service, (m) => parentPort.postMessage(m));
  parentPort.on('message', (event) => {
    const data = event.data as { v?: unknown; type?: unknown } | null;
    if (data && data.v === INFERENCE_PROTOCOL && data.type === 'connect' && event.ports?.length) {
      for (const port of event.ports) servePort(port, service);
      return;
    }
    parent.receive(event.data);
  });
}

function servePort(port: PortLike, service: Promise<InferenceService>): void {
  const client = connectWhenReady(service, (m) => port.postMessage(m));
  port.on('message', (event) => client.receive(event.data));
  port.on('close', () => client.close());
  port.start?.();
}

/** Runs the host in this process (the entry of a bundled host calls this: electron/build.ts). */
export async function runHost(argv: string[] = process.argv.slice(2)): Promise<void> {
  const options = parseHostArgs(argv);
  const service = startService(options);
  const parentPort = (process as unknown as { parentPort?: PortLike }).parentPort;
  if (parentPort) {
    serveParentPort(parentPort, service);
  } else if (process.send) {
    const client = connectWhenReady(service, (m) => process.send!(m));
    process.on('message', (data) => client.receive(data));
    // The parent is gone: nobody is left to serve.
    process.on('disconnect', () => process.exit(0));
  } else {
    throw new Error('inference host: start me with utilityProcess.fork or child_process.fork');
  }
}

if (import.meta.main) {
  runHost().catch((error) => {
    console.error(`inference host: ${(error as Error).message}`);
    process.exit(2);
  });
}
