/**
 * The offline render worker in the page (a Web Worker entry, bundled on its own): the bank is
 * fetched by URL (bank-source.ts; the browser's cache serves the copy the live synth fetched).
 */
import { handleRequest, type RenderRequest } from './offline-protocol.ts';

const scope = globalThis as unknown as { onmessage: ((e: { data: RenderRequest }) => void) | null; postMessage(data: unknown, transfer: ArrayBuffer[]): void };
scope.onmessage = async (e) => {
  const { reply, transfer } = await handleRequest(e.data, async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the sound bank ${url} answered ${response.status}`);
    return response.arrayBuffer();
  });
  scope.postMessage(reply, transfer);
};
