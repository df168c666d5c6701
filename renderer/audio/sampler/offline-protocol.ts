/**
 * What the offline render worker is asked and answers (offline-worker.ts in the page,
 * offline-thread.ts in Node): a song and a bank in, dry stems out, their buffers transferred.
 * The parsed bank is kept per worker, so a second render starts at once.
 */
import type { Song } from '../../../core/song/types.ts';
import { loadBank, renderSampled, type SampledRender, type SampledRenderOptions } from './offline-core.ts';
import type { BasicSoundBank } from 'spessasynth_core';

export interface RenderRequest {
  id: number;
  song: Song;
  options: SampledRenderOptions;
  /** Where the bank is: a URL (page) or a path (Node), read by the worker's `readBank`. */
  bank: string;
}

export type RenderReply = { id: number; ok: true; render: SampledRender; bankMs: number } | { id: number; ok: false; error: string };

let cached: { source: string; bank: Promise<BasicSoundBank> } | null = null;

/** Handles one request; `readBank` fetches or reads the bank's bytes where the worker runs. */
export async function handleRequest(request: RenderRequest, readBank: (source: string) => Promise<ArrayBuffer>): Promise<{ reply: RenderReply; transfer: ArrayBuffer[] }> {
  try {
    const t0 = performance.now();
    if (cached?.source !== request.bank) cached = { source: request.bank, bank: readBank(request.bank).then(loadBank) };
    const bank = await cached.bank;
    const bankMs = performance.now() - t0;
    const render = await renderSampled(request.song, bank, request.options);
    const transfer = render.stems.flatMap((s) => s.channels.map((c) => c.buffer as ArrayBuffer));
    return { reply: { id: request.id, ok: true, render, bankMs }, transfer };
  } catch (error) {
    cached = null;
    return { reply: { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
  }
}
