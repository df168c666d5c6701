/**
 * Measurements of rendered audio, the "golden" properties the tests assert instead of stored
 * waveforms: peak, RMS (whole or a time span), the largest difference between two renders, and
 * onset times (where a hit starts), found from a short-frame energy envelope.
 */
import type { PcmAudio } from './wav.ts';

export interface Levels {
  /** Largest absolute sample over every channel (1.0 = full scale). */
  peak: number;
  /** Root mean square over every channel and sample. */
  rms: number;
}

export function levels(audio: PcmAudio, fromSeconds = 0, toSeconds = Infinity): Levels {
  const from = Math.max(0, Math.floor(fromSeconds * audio.sampleRate));
  let peak = 0;
  let sum = 0;
  let count = 0;
  for (const ch of audio.channels) {
    const to = Math.min(ch.length, Math.ceil(toSeconds * audio.sampleRate));
    for (let i = from; i < to; i++) {
      const v = ch[i]!;
      const a = Math.abs(v);
      if (a > peak) peak = a;
      sum += v * v;
    }
    count += Math.max(0, to - from);
  }
  return { peak, rms: count ? Math.sqrt(sum / count) : 0 };
}

/** Largest sample-wise difference between two renders (Infinity when their layouts differ). */
export function maxDifference(a: PcmAudio, b: PcmAudio): number {
  if (a.channels.length !== b.channels.length) return Infinity;
  let max = 0;
  for (let c = 0; c < a.channels.length; c++) {
    const x = a.channels[c]!;
    const y = b.channels[c]!;
    if (x.length !== y.length) return Infinity;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  }
  return max;
}

export interface OnsetOptions {
  /** Envelope frame length. Onsets are found to within about one frame. */
  frameMs?: number;
  /** Frames quieter than this (dB below the loudest frame) never start an onset. */
  floorDb?: number;
  /** A frame starts an onset when it is this many dB louder than the loudest of the frames just before it. */
  riseDb?: number;
  /** How far back "just before" reaches. */
  lookBackMs?: number;
  /** No second onset within this time of the previous one. */
  minGapMs?: number;
}

/**
 * Onset times in seconds: frames (of the channel sum) whose RMS jumps by `riseDb` over the recent
 * past and stands above the floor. The reported time is the start of the first such frame.
 */
export function onsets(audio: PcmAudio, options: OnsetOptions = {}): number[] {
  const frameMs = options.frameMs ?? 1;
  const floorDb = options.floorDb ?? -40;
  const riseDb = options.riseDb ?? 12;
  const lookBack = Math.max(1, Math.round((options.lookBackMs ?? 10) / frameMs));
  const minGap = Math.round((options.minGapMs ?? 30) / frameMs);
  const env = envelope(audio, frameMs);
  // Frames are a whole number of samples, so their real length differs a little from frameMs.
  const frameSeconds = Math.max(1, Math.round((audio.sampleRate * frameMs) / 1000)) / audio.sampleRate;
  const loudest = env.reduce((m, v) => Math.max(m, v), 0);
  if (loudest === 0) return [];
  const floor = loudest * 10 ** (floorDb / 20);
  const rise = 10 ** (riseDb / 20);
  const found: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < env.length; i++) {
    if (env[i]! < floor || i - last < minGap) continue;
    let before = 0;
    for (let j = Math.max(0, i - lookBack); j < i; j++) before = Math.max(before, env[j]!);
    if (env[i]! > before * rise) {
      found.push(i * frameSeconds);
      last = i;
    }
  }
  return found;
}

/** RMS of the channel sum in consecutive frames of `frameMs`. */
export function envelope(audio: PcmAudio, frameMs: number): Float64Array {
  const frame = Math.max(1, Math.round((audio.sampleRate * frameMs) / 1000));
  const length = audio.channels[0]?.length ?? 0;
  const out = new Float64Array(Math.ceil(length / frame));
  for (let f = 0; f < out.length; f++) {
    let sum = 0;
    const end = Math.min(length, (f + 1) * frame);
    for (let i = f * frame; i < end; i++) {
      let s = 0;
      for (const ch of audio.channels) s += ch[i]!;
      sum += s * s;
    }
    out[f] = Math.sqrt(sum / (end - f * frame));
  }
  return out;
}
