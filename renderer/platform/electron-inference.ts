/**
 * The AI bandmate in the Electron window: an InferenceClient over a MessagePort straight to the
 * inference utility process (the main process only hands the port over: electron/main/
 * inference-ports.ts). The host starts on first use. When it crashes, what it had fails with
 * HostCrashed and requests made meanwhile wait for the restarted host's new port; when the main
 * process gives up on it, everything fails and the next call asks again (a fresh start).
 */
import type { InferenceStatus } from '../../electron/contract.ts';
import { InferenceClient } from '../../inference/client.ts';
import { workerTransport, type WorkerLike } from '../../inference/web/worker-transport.ts';
import type { InferenceSource } from './inference-source.ts';

/** A MessagePort, structurally (the page's, or Node's in tests). */
export interface InferencePort extends WorkerLike {
  close(): void;
}

/** How the page reaches the main process for its port (the preload bridge, or a test's fake). */
export interface InferencePortChannel {
  /** Asks for a port; it comes to onPort (again after each restart). */
  connect(): void;
  release(): void;
  onPort(listener: (port: InferencePort) => void): () => void;
  onStatus(listener: (status: InferenceStatus) => void): () => void;
}

export function electronInference(channel: InferencePortChannel): InferenceSource {
  let client: InferenceClient | null = null;
  let port: InferencePort | null = null;
  let unsubscribe: (() => void)[] = [];

  const closePort = (): void => {
    port?.close();
    port = null;
  };
  const forget = (): void => {
    for (const off of unsubscribe.splice(0)) off();
    closePort();
    client = null;
  };

  return {
    client() {
      if (client) return client;
      const thisClient = new InferenceClient();
      client = thisClient;
      unsubscribe = [
        channel.onPort((next) => {
          if (client !== thisClient) return void next.close();
          closePort();
          port = next;
          thisClient.attach(workerTransport(next));
        }),
        channel.onStatus((status) => {
          if (client !== thisClient) return;
          closePort();
          if (status.state === 'crashed') {
            thisClient.hostLost({ name: 'HostCrashed', message: status.message });
          } else {
            thisClient.hostLost({ name: 'HostCrashed', message: status.message }, { final: true });
            forget();
          }
        }),
      ];
      channel.connect();
      return thisClient;
    },
    dispose() {
      if (!client) return;
      forget();
      channel.release();
    },
  };
}
