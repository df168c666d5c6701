/**
 * The page's side of the sampler worker (offline-worker.ts, one per page, the bank parsed once):
 * - the offline sampled render: the worker returns one dry stem per track; offline.ts then plays
 *   those stems into the very mixer the live transport uses (stemPort(): each strip's sampler
 *   output is its stem), so an export has the live strips' fader, pan, reverb send, limiter and
 *   soft clip;
 * - decoded banks for the live synth (pcm-bank.ts): the worker decodes the patches' samples, so
 *   the audio thread never decodes Ogg Vorbis.
 */
import type { Song } from '../../../core/song/types.ts';
import { BANK_URL, OFFLINE_WORKER_URL } from './bank-source.ts';
import type { SampledRender, SampledRenderOptions } from './offline-core.ts';
import type { PcmReply, PcmRequest, RenderRequest, WorkerReply } from './offline-protocol.ts';
import type { SamplerPatch } from './patch.ts';
import type { SamplerPort } from './sampled-voice.ts';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: Error) => void }>();

function theWorker(): Worker {
  if (worker) return worker;
  const base = typeof document !== 'undefined' ? document.baseURI : location.href;
  const w = new Worker(new URL(OFFLINE_WORKER_URL, base), { type: 'module' });
  w.onmessage = (e: MessageEvent<WorkerReply>) => {
    const reply = e.data;
    const job = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) job?.resolve(reply);
    else job?.reject(new Error(reply.error));
  };
  w.onerror = (e) => {
    const error = new Error(`the sampler worker failed: ${e.message}`);
    for (const job of waiting.values()) job.reject(error);
    waiting.clear();
    w.terminate();
    if (worker === w) worker = null;
  };
  return (worker = w);
}

function ask(request: RenderRequest | PcmRequest): Promise<WorkerReply & { ok: true }> {
  return new Promise((resolve, reject) => {
    waiting.set(request.id, { resolve, reject });
    theWorker().postMessage(request);
  });
}

function bankUrl(bank = BANK_URL): string {
  return new URL(bank, typeof document !== 'undefined' ? document.baseURI : location.href).href;
}

/** Renders the song's sampled stems in the worker. */
export async function renderStems(song: Song, options: SampledRenderOptions): Promise<SampledRender> {
  try {
    const reply = await ask({ id: nextId++, song, options, bank: bankUrl() });
    return (reply as Extract<WorkerReply, { render: SampledRender }>).render;
  } catch (error) {
    throw new Error(`offline render: ${(error as Error).message}`);
  }
}

/** The patches' presets as an SF2 of decoded samples (pcm-bank.ts), made in the worker. */
export async function decodedBank(patches: SamplerPatch[], bank?: string): Promise<Extract<PcmReply, { ok: true }>> {
  try {
    return (await ask({ kind: 'pcm', id: nextId++, patches, bank: bankUrl(bank) })) as Extract<PcmReply, { ok: true }>;
  } catch (error) {
    throw new Error(`decoding the sound bank: ${(error as Error).message}`);
  }
}

/**
 * A SamplerPort whose outputs are the rendered stems, started at `startTime` of an offline
 * context: the mixer's strips connect to it as to the live synth. The notes were already rendered,
 * so note messages are ignored.
 */
export function stemPort(
  context: BaseAudioContext,
  render: SampledRender,
  startTime: number,
): SamplerPort<AudioNode> & { dispose(): void } {
  const sources: AudioBufferSourceNode[] = [];
  return {
    connect(slot, node) {
      const stem = render.stems.find((s) => s.slot === slot);
      if (!stem) return;
      const buffer = context.createBuffer(2, render.frames, render.sampleRate);
      buffer.copyToChannel(stem.channels[0] as Float32Array<ArrayBuffer>, 0);
      buffer.copyToChannel(stem.channels[1] as Float32Array<ArrayBuffer>, 1);
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(node);
      source.start(startTime);
      sources.push(source);
    },
    disconnect() {},
    setPatch() {},
    noteOn() {},
    noteOff() {},
    cut() {},
    dispose() {
      for (const s of sources) s.disconnect();
    },
  };
}
