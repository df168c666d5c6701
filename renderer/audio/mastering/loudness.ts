/**
 * Loudness per ITU-R BS.1770-4 and EBU R 128 (Tech 3341, Tech 3342): momentary (400 ms),
 * short-term (3 s), integrated (gated) loudness and the loudness range, for any channel count
 * and sample rate.
 *
 * The K-weighted energy is summed once per 100 ms step; every window is then a sum of steps,
 * which is how the 75 % block overlap of the Recommendation (and a 10 Hz short-term rate) come
 * for free. Only whole windows count, as in file-based meters (ffmpeg's ebur128 does the same).
 */
import { kWeighting, weightedEnergies } from './k-weighting.ts';

export const ABSOLUTE_GATE_LUFS = -70;
/** Integrated loudness: blocks more than 10 LU below the absolute-gated level are left out. */
export const RELATIVE_GATE_LU = -10;
/** Loudness range: short-term levels more than 20 LU below theirs are left out (Tech 3342). */
export const LRA_RELATIVE_GATE_LU = -20;

export interface Loudness {
  /** Gated programme loudness; -Infinity when nothing passes the gates (silence, or under 400 ms). */
  integratedLufs: number;
  /** The relative gate the integrated figure used (-Infinity with it). */
  relativeGateLufs: number;
  /** Loudness range in LU (0 when fewer than two 3 s windows pass its gates). */
  loudnessRangeLu: number;
  /** The 10th and 95th percentiles the range spans (-Infinity when it is 0 for lack of windows). */
  rangeLowLufs: number;
  rangeHighLufs: number;
  /** The loudest 400 ms and 3 s windows, sliding by 10 ms (finer than the series below). */
  momentaryMaxLufs: number;
  shortTermMaxLufs: number;
  /** Momentary loudness of each 400 ms window, one every 100 ms (window k ends at (k + 4) × 100 ms). */
  momentaryLufs: Float64Array;
  /** Short-term loudness of each 3 s window, one every 100 ms (window k ends at (k + 30) × 100 ms). */
  shortTermLufs: Float64Array;
  /**
   * Per channel, the K-weighted mean square over the blocks that passed the integrated gates
   * (0 when none did): the basis of the stereo balance.
   */
  gatedChannelPower: number[];
}

/**
 * BS.1770 channel weights by position: 1.0 for front channels, 1.41 (+1.5 dB) for the surrounds,
 * 0 for the LFE. Layouts follow WAV order: 5.0 is L R C Ls Rs, 5.1 is L R C LFE Ls Rs.
 */
export function channelWeights(channelCount: number): number[] {
  if (channelCount === 5) return [1, 1, 1, 1.41, 1.41];
  if (channelCount === 6) return [1, 1, 1, 0, 1.41, 1.41];
  return Array.from({ length: channelCount }, () => 1);
}

const toLufs = (power: number): number => (power > 0 ? -0.691 + 10 * Math.log10(power) : -Infinity);

export function measureLoudness(channels: Float32Array[], sampleRate: number, weights = channelWeights(channels.length)): Loudness {
  if (channels.length < 1) throw new Error('measureLoudness: no channels');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('measureLoudness: channels differ in length');
  if (weights.length !== channels.length) throw new Error(`measureLoudness: ${weights.length} weights for ${channels.length} channels`);
  const weighting = kWeighting(sampleRate);
  // Energy per 10 ms tick, and per 100 ms step (ten ticks); rounded bounds keep rates like
  // 11025 Hz (110.25 samples a tick) exact on average.
  const ticks = Math.floor((frames * 100) / sampleRate);
  const tickBounds = new Float64Array(ticks + 1);
  for (let t = 0; t <= ticks; t++) tickBounds[t] = Math.round((t * sampleRate) / 100);
  const tickEnergy = channels.map((c) => weightedEnergies(c, weighting, tickBounds));
  const steps = Math.floor(ticks / 10);
  const bounds = new Float64Array(steps + 1);
  for (let s = 0; s <= steps; s++) bounds[s] = tickBounds[10 * s]!;
  const stepEnergy = tickEnergy.map((energy) => {
    const out = new Float64Array(steps);
    for (let s = 0; s < steps; s++) {
      let sum = 0;
      for (let t = 10 * s; t < 10 * s + 10; t++) sum += energy[t]!;
      out[s] = sum;
    }
    return out;
  });

  /** Weighted mean square of each window of `width` steps, one per step, and per channel. */
  const windows = (width: number): { power: Float64Array; perChannel: Float64Array[] } => {
    const count = Math.max(0, steps - width + 1);
    const power = new Float64Array(count);
    const perChannel = stepEnergy.map(() => new Float64Array(count));
    // Summed afresh per window (at most 30 steps) rather than as a running sum, whose rounding
    // residue would leave silence after a loud passage a hair above zero.
    stepEnergy.forEach((energy, c) => {
      for (let k = 0; k < count; k++) {
        let sum = 0;
        for (let s = k; s < k + width; s++) sum += energy[s]!;
        const meanSquare = sum / (bounds[k + width]! - bounds[k]!);
        perChannel[c]![k] = meanSquare;
        power[k] += weights[c]! * meanSquare;
      }
    });
    return { power, perChannel };
  };

  const momentary = windows(4);
  const shortTerm = windows(30);
  const momentaryLufs = momentary.power.map(toLufs);
  const shortTermLufs = shortTerm.power.map(toLufs);

  // Integrated: absolute gate, then the relative gate from the mean power of what passed it.
  const absolutePassed: number[] = [];
  momentaryLufs.forEach((l, k) => {
    if (l > ABSOLUTE_GATE_LUFS) absolutePassed.push(k);
  });
  let integratedLufs = -Infinity;
  let relativeGateLufs = -Infinity;
  const gatedChannelPower = channels.map(() => 0);
  if (absolutePassed.length > 0) {
    relativeGateLufs = toLufs(mean(absolutePassed.map((k) => momentary.power[k]!))) + RELATIVE_GATE_LU;
    const passed = absolutePassed.filter((k) => momentaryLufs[k]! > relativeGateLufs);
    integratedLufs = toLufs(mean(passed.map((k) => momentary.power[k]!)));
    channels.forEach((_, c) => {
      gatedChannelPower[c] = mean(passed.map((k) => momentary.perChannel[c]![k]!));
    });
  }

  /**
   * The loudest window of `width` ticks, sliding by 10 ms: the maxima of momentary and
   * short-term loudness are read at this finer rate, so a tone that starts between two 100 ms
   * steps still reads its full level (Tech 3341 cases 10 and 13). Prefix sums make it cheap.
   */
  const prefix = tickEnergy.map((energy) => {
    const p = new Float64Array(ticks + 1);
    for (let t = 0; t < ticks; t++) p[t + 1] = p[t]! + energy[t]!;
    return p;
  });
  const loudestWindow = (width: number): number => {
    let best = 0;
    for (let k = 0; k + width <= ticks; k++) {
      let power = 0;
      prefix.forEach((p, c) => {
        power += (weights[c]! * Math.max(0, p[k + width]! - p[k]!)) / (tickBounds[k + width]! - tickBounds[k]!);
      });
      if (power > best) best = power;
    }
    return toLufs(best);
  };

  const range = loudnessRange(shortTermLufs);
  return {
    integratedLufs,
    relativeGateLufs,
    ...range,
    momentaryMaxLufs: Math.max(max(momentaryLufs), loudestWindow(40)),
    shortTermMaxLufs: Math.max(max(shortTermLufs), loudestWindow(300)),
    momentaryLufs,
    shortTermLufs,
    gatedChannelPower,
  };
}

/** Tech 3342's algorithm, as its MATLAB reference: cascaded gates, then the 10th–95th percentile span. */
export function loudnessRange(shortTermLufs: ArrayLike<number>): { loudnessRangeLu: number; rangeLowLufs: number; rangeHighLufs: number } {
  const absoluteGated = Array.from(shortTermLufs).filter((l) => l >= ABSOLUTE_GATE_LUFS);
  if (absoluteGated.length === 0) return { loudnessRangeLu: 0, rangeLowLufs: -Infinity, rangeHighLufs: -Infinity };
  const gate = 10 * Math.log10(mean(absoluteGated.map((l) => 10 ** (l / 10)))) + LRA_RELATIVE_GATE_LU;
  const sorted = absoluteGated.filter((l) => l >= gate).sort((a, b) => a - b);
  const n = sorted.length;
  const low = sorted[Math.round((n - 1) * 0.1)]!;
  const high = sorted[Math.round((n - 1) * 0.95)]!;
  return { loudnessRangeLu: high - low, rangeLowLufs: low, rangeHighLufs: high };
}

function mean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : 0;
}

function max(values: Float64Array): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}
