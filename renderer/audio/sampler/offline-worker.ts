/**
 * The sampler worker in the page (a Web Worker entry, bundled on its own): offline renders and
 * decoded banks for the live synth (offline-protocol.ts). It fetches the bank by URL
 * (bank-source.ts) and parses it once.
 */
import { handleRequest, type WorkerRequest } from './offline-protocol.ts';

const scope = globalThis as unknown as {
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
  postMessage(data: unknown, transfer: ArrayBuffer[]): void;
};
scope.onmessage = async (e) => {
  const { reply, transfer } = await handleRequest(e.data, async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the sound bank ${url} answered ${response.status}`);
    return response.arrayBuffer();
  });
  scope.postMessage(reply, transfer);
};
