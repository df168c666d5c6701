/**
 * The offline sampled render from the page: the synth runs in a Web Worker (offline-worker.ts)
 * and returns one dry stem per track; offline.ts then plays those stems into the very mixer the
 * live transport uses (stemPort(): each strip's sampler output is its stem), so an export has the
 * live strips' fader, pan, reverb send, limiter and soft clip.
 */
import type { Song } from '../../../core/song/types.ts';
import { BANK_URL, OFFLINE_WORKER_URL } from './bank-source.ts';
import type { SampledRender, SampledRenderOptions } from './offline-core.ts';
import type { RenderReply, RenderRequest } from './offline-protocol.ts';
import type { SamplerPort } from './sampled-voice.ts';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: SampledRender) => void; reject: (e: Error) => void }>();

function theWorker(): Worker {
  if (worker) return worker;
  const base = typeof document !== 'undefined' ? document.baseURI : location.href;
  const w = new Worker(new URL(OFFLINE_WORKER_URL, base), { type: 'module' });
  w.onmessage = (e: MessageEvent<RenderReply>) => {
    const reply = e.data;
    const job = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) job?.resolve(reply.render);
    else job?.reject(new Error(`offline render: ${reply.error}`));
  };
  w.onerror = (e) => {
    const error = new Error(`offline render worker failed: ${e.message}`);
    for (const job of waiting.values()) job.reject(error);
    waiting.clear();
    w.terminate();
    if (worker === w) worker = null;
  };
  return (worker = w);
}

/** Renders the song's sampled stems in the worker (one worker per page, the bank parsed once). */
export function renderStems(song: Song, options: SampledRenderOptions): Promise<SampledRender> {
  const id = nextId++;
  const base = typeof document !== 'undefined' ? document.baseURI : location.href;
  const request: RenderRequest = { id, song, options, bank: new URL(BANK_URL, base).href };
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    theWorker().postMessage(request);
  });
}

/**
 * A SamplerPort whose outputs are the rendered stems, started at `startTime` of an offline
 * context: the mixer's strips connect to it as to the live synth. The notes were already rendered,
 * so note messages are ignored.
 */
export function stemPort(context: BaseAudioContext, render: SampledRender, startTime: number): SamplerPort<AudioNode> & { dispose(): void } {
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
