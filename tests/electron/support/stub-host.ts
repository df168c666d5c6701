/**
 * A stand-in inference host in a worker thread, speaking the contract over Electron-style
 * parentPort messages: it is ready at once and starts every request without ever finishing it,
 * so a test can kill it with a request in flight (the real host's onnxruntime-node must not be
 * torn down mid-run inside a worker thread, which a utility process never does).
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { INFERENCE_PROTOCOL as v, type HostMessage } from '../../../inference/contract.ts';

if (!parentPort) throw new Error('stub-host.ts runs in a worker thread');

function serve(port: MessagePort): void {
  const send = (m: HostMessage): void => port.postMessage(m);
  port.on('message', (m: { type?: string; id?: string }) => {
    if (m.type === 'hello') {
      send({
        v,
        type: 'ready',
        model: { id: 'stub', name: 'Stub', sha256: '0'.repeat(64), loadMs: 1 },
        provider: { name: 'stub', tried: [] },
      });
    } else if (m.type === 'generate' && m.id) {
      send({ v, type: 'started', id: m.id });
    }
  });
  port.start();
}

parentPort.on('message', (message: { data: { type?: string }; ports?: MessagePort[] }) => {
  if (message.data?.type === 'connect') for (const port of message.ports ?? []) serve(port);
});
