/**
 * A synthesized room for the shared reverb: a stereo impulse response of decorrelated noise with
 * a short pre-delay, a few early reflections, an exponential tail reaching -60 dB at `rt60`, and
 * a low-pass that closes as the tail decays (real rooms absorb highs first). Seeded, so offline
 * renders are reproducible. Pure numbers; tone/reverb.ts loads it into a ConvolverNode.
 */
import { seededRandom } from '../../core/random.ts';

export interface ImpulseOptions {
  sampleRate: number;
  /** Seconds to fall by 60 dB. */
  rt60?: number;
  preDelay?: number;
  seed?: number;
}

export function roomImpulse(options: ImpulseOptions): [Float32Array<ArrayBuffer>, Float32Array<ArrayBuffer>] {
  const { sampleRate } = options;
  const rt60 = options.rt60 ?? 1.6;
  const preDelay = Math.round((options.preDelay ?? 0.012) * sampleRate);
  const length = preDelay + Math.ceil(rt60 * sampleRate);
  const channels: [Float32Array<ArrayBuffer>, Float32Array<ArrayBuffer>] = [new Float32Array(length), new Float32Array(length)];
  // ln(1000) / rt60: the amplitude decay rate that reaches -60 dB at rt60.
  const decay = Math.log(1000) / rt60;
  channels.forEach((out, c) => {
    const random = seededRandom((options.seed ?? 7) * 2 + c);
    let low = 0;
    for (let i = preDelay; i < length; i++) {
      const t = (i - preDelay) / sampleRate;
      // One-pole low-pass whose coefficient falls from bright (0.9) to dark (0.15) over the tail.
      const a = 0.15 + 0.75 * Math.exp(-t * 3);
      low += a * (random() * 2 - 1 - low);
      out[i] = low * Math.exp(-decay * t);
    }
    // Early reflections: a handful of sparse, quieter taps in the first 80 ms, different per side.
    for (let k = 0; k < 6; k++) {
      const at = preDelay + Math.floor(random() * 0.08 * sampleRate);
      out[at] = out[at]! + (random() < 0.5 ? -1 : 1) * 0.5 * (1 - k / 8);
    }
  });
  return channels;
}
