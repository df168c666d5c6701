/**
 * True peak per ITU-R BS.1770-4 Annex 2: the signal is oversampled 4× by the Annex's 48-tap
 * polyphase FIR interpolator (4 phases of 12 taps) and the largest magnitude of the oversampled
 * signal is the true peak. Float input needs none of the Annex's ±12.04 dB headroom stages.
 *
 * The Annex designs the filter for 48 kHz; at 44.1 kHz the same filter is used (its passband is
 * relative to the sample rate), as libebur128 does.
 */

/** Annex 2, Table 1: phase 0 and phase 1. Phases 3 and 2 are these reversed (the filter is symmetric). */
const PHASE_0 = [
  0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625,
  0.97216796875, -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125,
] as const;
const PHASE_1 = [
  -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.166503906250, 0.465087890625,
  0.779785156250, -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
] as const;

export const INTERPOLATOR_PHASES: readonly (readonly number[])[] = [PHASE_0, PHASE_1, [...PHASE_1].reverse(), [...PHASE_0].reverse()];

/**
 * The output step n of the interpolator (phase outputs computed when input sample n arrives)
 * lies between input frames n - 6 and n - 5: the filter's delay.
 */
export const INTERPOLATOR_DELAY = 6;

/** The largest gain of any phase for any input (the sum of its taps' magnitudes): bounds a block's true peak. */
const WORST_GAIN = Math.max(...INTERPOLATOR_PHASES.map((taps) => taps.reduce((sum, h) => sum + Math.abs(h), 0)));

/** The mirrored-pair coefficients (see `kernel`). */
const pair = (taps: readonly number[]) => ({
  sum: [0, 1, 2, 3, 4, 5].map((k) => taps[k]! + taps[11 - k]!),
  diff: [0, 1, 2, 3, 4, 5].map((k) => taps[k]! - taps[11 - k]!),
});
const [AS0, AS1, AS2, AS3, AS4, AS5] = pair(PHASE_0).sum as [number, number, number, number, number, number];
const [AD0, AD1, AD2, AD3, AD4, AD5] = pair(PHASE_0).diff as [number, number, number, number, number, number];
const [BS0, BS1, BS2, BS3, BS4, BS5] = pair(PHASE_1).sum as [number, number, number, number, number, number];
const [BD0, BD1, BD2, BD3, BD4, BD5] = pair(PHASE_1).diff as [number, number, number, number, number, number];

/**
 * The interpolator over x[i - 11 … i] for i = from … to - 1 (the caller keeps those in range):
 * writes each step's largest phase magnitude into out[i + shift] when given, and returns the
 * largest and its step (i + shift).
 *
 * The phases come in mirrored pairs (3 is 0 reversed, 2 is 1 reversed), so with mirrored sums
 * s_k = x_k + x_(11-k) and differences d_k = x_k - x_(11-k) of the history, a pair costs 12
 * multiplications instead of 24: p + p' = Σ (h_k + h_(11-k)) s_k, p - p' = Σ (h_k - h_(11-k)) d_k,
 * and max(|p|, |p'|) = (|p + p'| + |p - p'|) / 2. Reading the array directly (rather than shifting
 * a history through locals) measured twice as fast: this loop is most of the meter's time.
 */
function kernel(x: Float32Array, from: number, to: number, out: Float32Array | null, shift: number): { peak: number; step: number } {
  const as0 = AS0, as1 = AS1, as2 = AS2, as3 = AS3, as4 = AS4, as5 = AS5;
  const ad0 = AD0, ad1 = AD1, ad2 = AD2, ad3 = AD3, ad4 = AD4, ad5 = AD5;
  const bs0 = BS0, bs1 = BS1, bs2 = BS2, bs3 = BS3, bs4 = BS4, bs5 = BS5;
  const bd0 = BD0, bd1 = BD1, bd2 = BD2, bd3 = BD3, bd4 = BD4, bd5 = BD5;
  let best = 0;
  let bestAt = -1;
  for (let i = from; i < to; i++) {
    const x0 = x[i]!, x1 = x[i - 1]!, x2 = x[i - 2]!, x3 = x[i - 3]!, x4 = x[i - 4]!, x5 = x[i - 5]!;
    const x6 = x[i - 6]!, x7 = x[i - 7]!, x8 = x[i - 8]!, x9 = x[i - 9]!, x10 = x[i - 10]!, x11 = x[i - 11]!;
    const s0 = x0 + x11, s1 = x1 + x10, s2 = x2 + x9, s3 = x3 + x8, s4 = x4 + x7, s5 = x5 + x6;
    const d0 = x0 - x11, d1 = x1 - x10, d2 = x2 - x9, d3 = x3 - x8, d4 = x4 - x7, d5 = x5 - x6;
    const sa = as0 * s0 + as1 * s1 + as2 * s2 + as3 * s3 + as4 * s4 + as5 * s5;
    const da = ad0 * d0 + ad1 * d1 + ad2 * d2 + ad3 * d3 + ad4 * d4 + ad5 * d5;
    const sb = bs0 * s0 + bs1 * s1 + bs2 * s2 + bs3 * s3 + bs4 * s4 + bs5 * s5;
    const db = bd0 * d0 + bd1 * d1 + bd2 * d2 + bd3 * d3 + bd4 * d4 + bd5 * d5;
    const ma = Math.abs(sa) + Math.abs(da);
    const mb = Math.abs(sb) + Math.abs(db);
    const m = (ma > mb ? ma : mb) * 0.5;
    if (out) out[i + shift] = m;
    if (m > best) {
      best = m;
      bestAt = i;
    }
  }
  return { peak: best, step: bestAt + shift };
}

/**
 * Output steps n = from … to - 1 of one channel, 0 <= n < frames + 11: step n is computed when
 * input n arrives, from inputs n - 11 … n, zeros outside the channel (so the edges are
 * interpolated too). The interior reads the channel in place; the at most 22 edge steps read a
 * zero-padded copy of their 12 inputs.
 */
function scan(channel: Float32Array, from: number, to: number, out: Float32Array | null): { peak: number; step: number } {
  const frames = channel.length;
  let found = { peak: 0, step: -1 };
  const keep = (r: { peak: number; step: number }) => { if (r.peak > found.peak) found = r; };
  const lo = Math.max(from, 11);
  const hi = Math.min(to, frames);
  if (lo < hi) keep(kernel(channel, lo, hi, out, 0));
  const history = new Float32Array(12);
  const edges = lo < hi ? [[from, lo], [hi, to]] : [[from, to]];
  for (const [start, end] of edges) {
    for (let n = start!; n < end!; n++) {
      for (let k = 0; k < 12; k++) {
        const i = n - 11 + k;
        history[k] = i >= 0 && i < frames ? channel[i]! : 0;
      }
      keep(kernel(history, 11, 12, out, n - 11));
    }
  }
  return found;
}

export interface TruePeak {
  /** Linear (1.0 = 0 dBTP): the largest magnitude of the 4× oversampled signal, and never below the sample peak. */
  peak: number;
  /** The input frame nearest the true peak. */
  frame: number;
}

/** Steps per block of the true-peak search. */
const BLOCK = 1024;

export function truePeak(channel: Float32Array): TruePeak {
  const frames = channel.length;
  // The interpolator is not exactly the identity at the sample instants (phase 0's centre tap is
  // 0.972), so a sample can read a hair above every interpolated value: the true peak is at least
  // the sample peak, which is also where the search starts.
  let peak = 0;
  let frame = 0;
  for (let i = 0; i < frames; i++) {
    const v = channel[i]!;
    const m = v < 0 ? -v : v;
    if (m > peak) {
      peak = m;
      frame = i;
    }
  }
  // Blocks of output steps, loudest input first: a block whose inputs (the 11 before it included)
  // peak at p cannot interpolate above WORST_GAIN × p, so once that is no more than the true peak
  // found so far, neither it nor any quieter block needs the filter. Music mostly sits far enough
  // below its peaks for this to skip much of the work.
  const steps = frames + 11;
  const blocks = Math.ceil(steps / BLOCK);
  const blockPeak = new Float64Array(blocks);
  for (let blk = 0; blk < blocks; blk++) {
    const end = Math.min(frames, (blk + 1) * BLOCK);
    let m = 0;
    for (let i = Math.max(0, blk * BLOCK - 11); i < end; i++) {
      const v = channel[i]!;
      if (v > m) m = v;
      else if (-v > m) m = -v;
    }
    blockPeak[blk] = m;
  }
  const order = Array.from({ length: blocks }, (_, i) => i).sort((x, y) => blockPeak[y]! - blockPeak[x]!);
  for (const blk of order) {
    if (WORST_GAIN * blockPeak[blk]! <= peak) break;
    const found = scan(channel, blk * BLOCK, Math.min(steps, (blk + 1) * BLOCK), null);
    if (found.peak > peak) {
      peak = found.peak;
      frame = Math.min(frames - 1, Math.max(0, found.step - INTERPOLATOR_DELAY));
    }
  }
  return { peak, frame };
}

/**
 * For each frame, the largest magnitude over every channel of the sample itself and of the
 * interpolated values on either side of it (up to a sample away): where a limiter must hold the
 * gain down so that the true peak stays under its ceiling.
 *
 * With `floor` given, only blocks that could interpolate above it are filtered; elsewhere the
 * envelope holds the plain sample magnitudes (also below the floor), which is all a limiter with
 * that ceiling needs to know.
 */
export function truePeakEnvelope(channels: Float32Array[], floor = 0): Float32Array {
  const frames = channels[0]?.length ?? 0;
  const envelope = new Float32Array(frames);
  const steps = new Float32Array(frames + 11);
  for (const channel of channels) {
    for (let j = 0; j < frames; j++) {
      const v = channel[j]!;
      const m = v < 0 ? -v : v;
      if (m > envelope[j]!) envelope[j] = m;
    }
    // Blocks of BLOCK frames; frame j reads steps j + 5 and j + 6, which read inputs j - 6 … j + 6.
    for (let from = 0; from < frames; from += BLOCK) {
      const to = Math.min(frames, from + BLOCK);
      let peak = 0;
      for (let i = Math.max(0, from - 6); i < Math.min(frames, to + 6); i++) {
        const v = channel[i]!;
        if (v > peak) peak = v;
        else if (-v > peak) peak = -v;
      }
      if (WORST_GAIN * peak <= floor) continue;
      scan(channel, from + INTERPOLATOR_DELAY - 1, to + INTERPOLATOR_DELAY, steps);
      for (let j = from; j < to; j++) {
        const a = steps[j + INTERPOLATOR_DELAY - 1]!;
        const b = steps[j + INTERPOLATOR_DELAY]!;
        const e = a > b ? a : b;
        if (e > envelope[j]!) envelope[j] = e;
      }
    }
  }
  return envelope;
}

export const toDb = (linear: number): number => (linear > 0 ? 20 * Math.log10(linear) : -Infinity);
