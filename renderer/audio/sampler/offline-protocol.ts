/**
 * What the sampler's worker is asked and answers (offline-worker.ts in the page, offline-thread.ts
 * in Node), buffers transferred: a song in, dry stems out (the offline render); or patches in, a
 * decoded SF2 of them out, for the live synth (pcm-bank.ts). The bank is parsed once per worker,
 * so the next request starts at once.
 */
import type { Song } from '../../../core/song/types.ts';
import { loadBank, renderSampled, type SampledRender, type SampledRenderOptions } from './offline-core.ts';
import type { BasicSoundBank } from 'spessasynth_core';
import { pcmBank } from './pcm-bank.ts';
import type { SamplerPatch } from './patch.ts';

export interface RenderRequest {
  kind?: 'render';
  id: number;
  song: Song;
  options: SampledRenderOptions;
  /** Where the bank is: a URL (page) or a path (Node), read by the worker's `readBank`. */
  bank: string;
}

export type RenderReply = { id: number; ok: true; render: SampledRender; bankMs: number } | { id: number; ok: false; error: string };

export interface PcmRequest {
  kind: 'pcm';
  id: number;
  patches: SamplerPatch[];
  bank: string;
}

export type PcmReply =
  | { id: number; ok: true; sf2: ArrayBuffer; bankMs: number; decodeMs: number }
  | { id: number; ok: false; error: string };

let cached: { source: string; bank: Promise<BasicSoundBank> } | null = null;

/** Handles one request; `readBank` fetches or reads the bank's bytes where the worker runs. */
export type WorkerRequest = RenderRequest | PcmRequest;
export type WorkerReply = RenderReply | PcmReply;

export async function handleRequest(
  request: WorkerRequest,
  readBank: (source: string) => Promise<ArrayBuffer>,
): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  try {
    const t0 = performance.now();
    if (cached?.source !== request.bank) cached = { source: request.bank, bank: readBank(request.bank).then(loadBank) };
    const bank = await cached.bank;
    const bankMs = performance.now() - t0;
    if (request.kind === 'pcm') {
      const decoded = await pcmBank(bank, request.patches);
      return { reply: { id: request.id, ok: true, sf2: decoded.sf2, bankMs, decodeMs: decoded.ms }, transfer: [decoded.sf2] };
    }
    const render = await renderSampled(request.song, bank, request.options);
    const transfer = render.stems.flatMap((s) => s.channels.map((c) => c.buffer as ArrayBuffer));
    return { reply: { id: request.id, ok: true, render, bankMs }, transfer };
  } catch (error) {
    cached = null;
    return { reply: { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
  }
}
