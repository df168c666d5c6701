/**
 * A true-peak limiter for offline use: it sees the whole file, so its look-ahead adds no delay.
 * One gain curve drives every channel (the stereo image does not move) and is smooth: the gain
 * ramps down over the look-ahead before a peak and recovers exponentially after it.
 *
 * The gain each frame needs comes from the 4× interpolated envelope (true-peak.ts). A sliding
 * minimum over the look-ahead, then a moving average of the same length, guarantees the gain at a
 * peak is no more than the peak needs (every value averaged there is a minimum over a window that
 * contains the peak). Gain changes slightly reshape what lies between samples, so the result is
 * measured and, if a true peak still pokes over the ceiling, limited again a little lower.
 */
import { toDb, truePeak, truePeakEnvelope } from './true-peak.ts';

export interface LimiterOptions {
  /** Highest true peak allowed in the output, dBTP. */
  ceilingDbtp: number;
  /** Attack ramp and look-ahead. */
  lookaheadMs?: number;
  /** Time constant of the gain's recovery after a peak. */
  releaseMs?: number;
}

export interface LimiterResult {
  channels: Float32Array[];
  /** Largest gain reduction applied (dB, >= 0). */
  maxReductionDb: number;
  /** Share of the frames whose gain was reduced by more than 0.1 dB, 0 … 1. */
  limitedShare: number;
  /** The output's true peak, as measured (dBTP). */
  truePeakDbtp: number;
  /** Limiting passes it took (1 unless a first pass left an inter-sample overshoot). */
  passes: number;
}

export const DEFAULT_LOOKAHEAD_MS = 3;
export const DEFAULT_RELEASE_MS = 80;
const MAX_PASSES = 4;

export function limitTruePeak(channels: Float32Array[], sampleRate: number, options: LimiterOptions): LimiterResult {
  const { ceilingDbtp } = options;
  const lookaheadMs = options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
  const releaseMs = options.releaseMs ?? DEFAULT_RELEASE_MS;
  if (!Number.isFinite(ceilingDbtp) || ceilingDbtp > 0)
    throw new Error(`limitTruePeak: ceiling ${ceilingDbtp} dBTP must be a number no higher than 0`);
  if (!(lookaheadMs > 0) || !(releaseMs > 0)) throw new Error('limitTruePeak: look-ahead and release must be positive');
  if (channels.length < 1) throw new Error('limitTruePeak: no channels');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('limitTruePeak: channels differ in length');

  // Blocks that cannot interpolate above a quarter of the ceiling need no filtering: a later,
  // lower aim still leaves them untouched.
  const envelope = truePeakEnvelope(channels, 0.25 * 10 ** (ceilingDbtp / 20));
  const lookahead = Math.max(1, Math.round((lookaheadMs * sampleRate) / 1000));
  const recovery = Math.exp(-1000 / (releaseMs * sampleRate));
  // A first aim a hair under the ceiling absorbs the usual inter-sample reshaping.
  let aimDb = ceilingDbtp - 0.05;
  let result: LimiterResult | null = null;
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const gain = gainCurve(envelope, 10 ** (aimDb / 20), lookahead, recovery);
    const out = channels.map((c) => {
      const y = new Float32Array(frames);
      for (let i = 0; i < frames; i++) y[i] = c[i]! * gain[i]!;
      return y;
    });
    const peakDb = toDb(Math.max(0, ...out.map((c) => truePeak(c).peak)));
    let minGain = 1;
    let limited = 0;
    const threshold = 10 ** (-0.1 / 20);
    for (let i = 0; i < frames; i++) {
      const g = gain[i]!;
      if (g < minGain) minGain = g;
      if (g < threshold) limited++;
    }
    result = {
      channels: out,
      maxReductionDb: Math.max(0, -toDb(minGain)),
      limitedShare: frames ? limited / frames : 0,
      truePeakDbtp: peakDb,
      passes: pass,
    };
    if (peakDb <= ceilingDbtp) return result;
    aimDb -= peakDb - ceilingDbtp + 0.05;
  }
  return result!;
}

/**
 * The gain per frame: the needed gain min(1, ceiling / envelope), its minimum over the next
 * `lookahead` frames, an exponential recovery toward 1, and a moving average over `lookahead`.
 * Never above the needed gain at any frame (exported for the test that checks so).
 */
export function gainCurve(envelope: Float32Array, ceiling: number, lookahead: number, recovery: number): Float32Array {
  const frames = envelope.length;
  const need = new Float32Array(frames);
  for (let j = 0; j < frames; j++) {
    const e = envelope[j]!;
    need[j] = e > ceiling ? ceiling / e : 1;
  }
  // Sliding minimum over [j, j + lookahead - 1], by a monotonic deque of frame indices.
  const held = new Float32Array(frames);
  const deque = new Int32Array(frames);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let j = 0; j < frames; j++) {
    const reach = Math.min(frames - 1, j + lookahead - 1);
    for (; next <= reach; next++) {
      const v = need[next]!;
      while (tail > head && need[deque[tail - 1]!]! >= v) tail--;
      deque[tail++] = next;
    }
    while (deque[head]! < j) head++;
    held[j] = need[deque[head]!]!;
  }
  // Recovery: never faster than the release lets it (and never above the held minimum).
  let g = 1;
  for (let j = 0; j < frames; j++) {
    g = Math.min(held[j]!, 1 - (1 - g) * recovery);
    held[j] = g;
  }
  // Moving average over [j - lookahead + 1, j]. Frames before the start count as the first held
  // value (the minimum over the first look-ahead), so a peak right at the start is covered too.
  const gain = new Float32Array(frames);
  const before = frames ? held[0]! : 1;
  let sum = lookahead * before;
  for (let j = 0; j < frames; j++) {
    sum += held[j]! - (j >= lookahead ? held[j - lookahead]! : before);
    gain[j] = Math.min(1, sum / lookahead);
  }
  return gain;
}
