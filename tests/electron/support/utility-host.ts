/**
 * The inference host as Electron's utility process runs it, emulated in a worker thread: the
 * worker's parentPort is wrapped to look like Electron's `process.parentPort` (messages arrive as
 * `{ data, ports }`, ports as MessagePortMain-like objects), then inference/node/host.ts runs
 * unchanged. Messages from the parent are `{ data, ports }` with the ports transferred.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { runHost } from '../../../inference/node/host.ts';

interface ElectronStylePort {
  on(event: 'message' | 'close', listener: (event?: unknown) => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
}

function electronStyle(port: MessagePort): ElectronStylePort {
  return {
    on(event, listener) {
      if (event === 'message') port.on('message', (data: unknown) => listener({ data, ports: [] }));
      else port.on('close', () => listener());
      return this;
    },
    postMessage: (message) => port.postMessage(message),
    start: () => port.start(),
  };
}

if (!parentPort) throw new Error('utility-host.ts runs in a worker thread');
const parent = parentPort;
const emulated: ElectronStylePort = {
  on(event, listener) {
    if (event === 'message') {
      parent.on('message', (message: { data: unknown; ports?: MessagePort[] }) =>
        listener({ data: message.data, ports: (message.ports ?? []).map(electronStyle) }),
      );
    }
    return this;
  },
  postMessage: (message) => parent.postMessage(message),
  start: () => {},
};
(process as unknown as { parentPort: ElectronStylePort }).parentPort = emulated;
await runHost();
