/**
 * Offline rendering: a song (or a bar range) played through the same engine — scheduler,
 * instruments, mixer, reverb, limiter — into an OfflineAudioContext, faster than real time, then
 * (optionally) encoded as a 16-bit WAV (../wav.ts). Export, bounce and the golden tests all go
 * through here.
 *
 * Rendering is paused every few tens of milliseconds of audio to run the next scheduling window,
 * exactly as the live clock does. Scheduling the whole song up front (what Tone.Offline does)
 * would put every note's nodes into the graph before the first sample, and the renderer would pay
 * for all of them all the time: 8 busy tracks × 8 bars rendered at 0.6× real time that way.
 */
import { OfflineContext } from 'tone';
import type { Song } from '../../../core/song/types.ts';
import type { RenderOptions, RenderedAudio } from '../contract.ts';
import { compileSong } from '../song-events.ts';
import { ticksPerSecond } from '../timing.ts';
import { encodeWav } from '../wav.ts';
import { renderStems, stemPort } from '../sampler/offline-page.ts';
import type { SampledRender } from '../sampler/offline-core.ts';
import { AudioEngine } from './engine.ts';
import { LIMITER_LATENCY, LIMITER_SETTLE } from './master.ts';

/** Frames of audio rendered between scheduling windows (a multiple of the 128-frame render quantum). */
const WINDOW_FRAMES = 2048;

/** Renders run one at a time, so a long export does not fight a preview for the CPU. */
let queue: Promise<unknown> = Promise.resolve();

export function renderSong(song: Song, options: RenderOptions = {}): Promise<RenderedAudio> {
  const run = queue.then(() => render(song, options));
  queue = run.catch(() => undefined);
  return run;
}

/** renderSong, encoded as 16-bit PCM WAV bytes (a Blob: `new Blob([bytes], { type: 'audio/wav' })`). */
export async function renderSongToWav(song: Song, options: RenderOptions = {}): Promise<Uint8Array> {
  return encodeWav(await renderSong(song, options));
}

async function render(song: Song, options: RenderOptions): Promise<RenderedAudio> {
  const compiled = compileSong(song);
  const fromBar = Math.max(0, options.fromBar ?? 0);
  const toBar = options.toBar ?? compiled.endTick / compiled.barTicks;
  if (!(toBar > fromBar)) throw new Error(`renderSong: empty bar range ${fromBar}..${toBar}`);
  const fromTick = fromBar * compiled.barTicks;
  const toTick = toBar * compiled.barTicks;
  const sampleRate = options.sampleRate ?? 44100;
  const seconds = (toTick - fromTick) / ticksPerSecond(compiled.bpm) + (options.tailSeconds ?? 1.5);
  // The song starts once the limiter has settled; that lead-in and the limiter's delay are cut
  // off afterwards, so sample 0 of the result is the first bar's downbeat.
  const trim = Math.round((LIMITER_SETTLE + LIMITER_LATENCY) * sampleRate);
  const frames = Math.round(seconds * sampleRate);
  // A native OfflineAudioContext (it can suspend; Tone's default wrapper cannot), wrapped for Tone.
  // The sampled instruments' stems first (a worker renders them); without them, synthesized voices.
  const stems =
    options.instruments === 'synthesized'
      ? null
      : await sampledStems(song, { fromBar, toBar, sampleRate, tailSeconds: seconds - (toTick - fromTick) / ticksPerSecond(compiled.bpm) });
  const raw = new OfflineAudioContext({ numberOfChannels: 2, length: trim + frames, sampleRate });
  const context = new OfflineContext(raw);
  const engine = new AudioEngine(context, () => song, { clock: 'manual' });
  const port = stems ? stemPort(raw, stems, LIMITER_SETTLE) : null;
  try {
    if (port) engine.setSampler(port, 0);
    engine.scheduler.loop = false;
    engine.scheduler.endTick = toTick;
    engine.scheduler.metronome = !!options.metronome;
    engine.start({ time: LIMITER_SETTLE, tick: fromTick }, 0);
    let window = 0;
    const next = (): void => {
      window++;
      const at = window * WINDOW_FRAMES;
      if (at >= trim + frames) return;
      // Half a quantum in, so float rounding cannot land the suspension on the quantum before.
      void raw.suspend((at + 64) / sampleRate).then(() => {
        engine.tick(at / sampleRate);
        next();
        return raw.resume();
      });
    };
    next();
    const buffer = await raw.startRendering();
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c).slice(trim, trim + frames));
    return { sampleRate, channels, duration: frames / sampleRate };
  } finally {
    port?.dispose();
    engine.dispose();
    context.dispose();
  }
}

/** The sampled stems, or null (with a warning) where the worker or the bank is unavailable. */
async function sampledStems(
  song: Song,
  options: { fromBar: number; toBar: number; sampleRate: number; tailSeconds: number },
): Promise<SampledRender | null> {
  if (typeof Worker !== 'function') return null;
  try {
    return await renderStems(song, options);
  } catch (error) {
    console.warn('riffroom: offline render with synthesized voices (sampled instruments unavailable)', error);
    return null;
  }
}
