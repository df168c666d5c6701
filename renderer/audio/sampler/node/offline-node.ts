/**
 * Offline sampled renders from Node (tests, benchmarks, tools): each render runs in a worker
 * thread (offline-thread.ts), off the caller's event loop, as the page's runs in a Web Worker.
 */
import { Worker } from 'node:worker_threads';
import type { Song } from '../../../../core/song/types.ts';
import type { SampledRender, SampledRenderOptions } from '../offline-core.ts';
import type { RenderReply, RenderRequest } from '../offline-protocol.ts';

export interface ThreadRenderer {
  render(song: Song, options?: SampledRenderOptions): Promise<SampledRender & { bankMs: number }>;
  close(): Promise<void>;
}

/**
 * A worker thread that renders songs; the bank is parsed once, on the first render. `bankPath`:
 * the shipped bank (`await ensureBank()`, renderer/audio/bank/build.ts) unless a test says otherwise.
 */
export function openThreadRenderer(bankPath: string): ThreadRenderer {
  const worker = new Worker(new URL('./offline-thread.ts', import.meta.url));
  const waiting = new Map<number, { resolve: (r: SampledRender & { bankMs: number }) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  worker.on('message', (reply: RenderReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) w?.resolve({ ...reply.render, bankMs: reply.bankMs });
    else w?.reject(new Error(`offline render: ${reply.error}`));
  });
  worker.on('error', (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  });
  return {
    render(song, options = {}) {
      const id = nextId++;
      const request: RenderRequest = { id, song, options, bank: bankPath };
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage(request);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
