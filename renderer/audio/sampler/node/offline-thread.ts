/** The offline render worker in Node (a worker_threads entry): offline-protocol.ts over parentPort. */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { handleRequest, type WorkerRequest } from '../offline-protocol.ts';

if (!parentPort) throw new Error('offline-thread.ts runs as a worker thread (see offline-node.ts)');
const port = parentPort;
port.on('message', async (request: WorkerRequest) => {
  const { reply, transfer } = await handleRequest(request, async (path) => {
    const bytes = await readFile(path);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  });
  port.postMessage(reply, transfer);
});
