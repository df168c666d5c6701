/**
 * The detector: any PCM at any rate and gain → whether Riffroom's watermark is in it, the payload,
 * and how sure. Mono mix → resample to WORK_RATE → whiten (every STFT bin in the band divided by
 * its local level, and quiet bins between partials weighed up: the music's spectrum, loud or
 * quiet, tonal or not, and any other song on top, become flat noise everywhere, and the mark —
 * flat across each band at a fixed fraction of its music — stands out most where the music is
 * thinnest; see whiten) → back to samples → folded onto one template period (every repeat of the mark adds up
 * coherently, the music does not) → correlated with the sync template at every offset, whole and
 * half samples, by one FFT. The best offsets, as z-scores against the spread of all of them, are
 * decoded: each payload block's correlation is a soft bit, then soft Viterbi and the CRC.
 *
 * Found means: the CRC checks at an offset whose sync z ≥ CRC_SYNC_Z, or the sync alone reaches
 * SYNC_ONLY_Z (the mark is there but too damaged to read). Both thresholds come from the null
 * distribution measured by bench/watermark (see core/watermark/README.md).
 */
import { CODED_BITS, decodePayload } from './code.ts';
import { fft, hann } from './fft.ts';
import {
  FIRST_BIN,
  LAST_BIN,
  PERIOD_SAMPLES,
  TEMPLATE_FFT,
  TEMPLATE_FRAMES,
  TEMPLATE_HOP,
  WORK_RATE,
  blockOf,
  sqrtHann,
  syncTemplate,
  templateLayout,
} from './layout.ts';
import { resample } from './resample.ts';

const WHITEN_FFT = 1024;
const WHITEN_HOP = WHITEN_FFT / 4;
/** The whitening's neighbourhood (bins either side, ±190 Hz) and the most a valley bin is raised. */
const WIDE_BINS = 8;
const MAX_VALLEY_GAIN = 10;
/** How many of the best offsets are decoded. */
const CANDIDATES = 3;
/** Sync z at which a CRC-checked payload is believed (the CRC makes chance agreement 1/65536). */
export const CRC_SYNC_Z = 4;
/**
 * Sync z that says "watermarked" without a readable payload. On unmarked audio the best of the
 * ~131,000 offsets behaves like the maximum of ~90,000 independent normal deviates (bench: median
 * 4.3, p99 5.0, max 5.3 of 1,000 excerpts), which puts 6.0 near a 10⁻⁴ false-positive rate.
 */
export const SYNC_ONLY_Z = 6;

export interface WatermarkDetection {
  /** A watermark is present (see the rule above). */
  found: boolean;
  /** The 64-bit payload, when its CRC checks; null otherwise. */
  payload: bigint | null;
  /**
   * The best offset's decoded payload whether or not its CRC checks (for measuring the bit
   * error rate; not a claim that this payload is in the file).
   */
  decodedGuess: bigint | null;
  /** The sync correlation's z-score at the best offset (unmarked audio: the best of ~131,000 offsets). */
  confidence: number;
  /** Where in the input a period of the mark starts (seconds, modulo the period's 2.73 s). */
  frameStartSeconds: number;
}

/** Detect the watermark in `pcm` (one array per channel, or one mono array) at `sampleRate`. */
export function detectWatermark(pcm: Float32Array | readonly Float32Array[], sampleRate: number): WatermarkDetection {
  const channels = pcm instanceof Float32Array ? [pcm] : pcm;
  const none: WatermarkDetection = { found: false, payload: null, decodedGuess: null, confidence: 0, frameStartSeconds: 0 };
  if (!channels.length || !channels[0]!.length) return none;
  const x = resample(mono(channels), sampleRate, WORK_RATE);
  if (x.length < WHITEN_FFT * 4) return none;
  const folded = fold(whiten(x));
  const spectrum = { re: Float64Array.from(folded), im: new Float64Array(PERIOD_SAMPLES) };
  fft(spectrum.re, spectrum.im);
  const offsets = syncOffsets(spectrum);
  if (!offsets) return none;
  const { best, z } = offsets;
  const decode = (at: number) => decodePayload(softBits(spectrum, at));
  const guess = decode(best[0]!.at);
  for (const candidate of best) {
    if (candidate.z < CRC_SYNC_Z) break;
    const decoded = candidate === best[0] ? guess : decode(candidate.at);
    if (decoded.crcOk) {
      return {
        found: true,
        payload: decoded.payload,
        decodedGuess: decoded.payload,
        confidence: candidate.z,
        frameStartSeconds: candidate.at / WORK_RATE,
      };
    }
  }
  return { found: z >= SYNC_ONLY_Z, payload: null, decodedGuess: guess.payload, confidence: z, frameStartSeconds: best[0]!.at / WORK_RATE };
}

function mono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]!.length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] = out[i]! + ch[i]! / channels.length;
  return out;
}

/**
 * The input with its spectrum flattened, bin by bin: each bin of the band divided by its local
 * level (its power and its two neighbours', so that a bin of nothing is not raised as loud as a
 * partial), times how far that local level is below the level around it (±WIDE_BINS, at most
 * ×MAX_VALLEY_GAIN). The first factor alone weighs every bin alike; the second weighs a quiet
 * bin between loud partials more, which is where the mark (set per band, flat across its bins)
 * stands highest above the music: the matched filter's 1/noise² weighting, with the band's level
 * for the mark's. Everything outside the band is dropped; the result is overlap-added to samples.
 */
function whiten(x: Float32Array): Float64Array {
  const n = WHITEN_FFT;
  const window = hann(n);
  const out = new Float64Array(x.length);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < x.length; i++) total += x[i]! * x[i]!;
  // A floor 70 dB below the input's mean level (gain-invariant): digital silence stays silent.
  const floor = ((total / x.length) * n * 1e-7) / 4 + 1e-30;
  const first = Math.ceil((FIRST_BIN * n) / TEMPLATE_FFT);
  const last = Math.floor((LAST_BIN * n) / TEMPLATE_FFT);
  const power = new Float64Array(n / 2 + 1);
  // Hann analysis and synthesis at a hop of n/4 overlap-add to 1.5.
  const norm = 1 / 1.5;
  for (let start = -n + WHITEN_HOP; start < x.length; start += WHITEN_HOP) {
    for (let i = 0; i < n; i++) {
      const at = start + i;
      re[i] = at >= 0 && at < x.length ? x[at]! * window[i]! : 0;
    }
    im.fill(0);
    fft(re, im);
    for (let k = 0; k <= n / 2; k++) power[k] = re[k]! ** 2 + im[k]! ** 2;
    for (let k = 0; k <= n / 2; k++) {
      if (k < first || k > last) {
        re[k] = 0;
        im[k] = 0;
        continue;
      }
      const local = (power[k - 1]! + 2 * power[k]! + power[k + 1]!) / 4 + floor;
      let wide = 0;
      const from = Math.max(first - 1, k - WIDE_BINS);
      const to = Math.min(last + 1, k + WIDE_BINS);
      for (let j = from; j <= to; j++) wide += power[j]!;
      wide = wide / (to - from + 1) + floor;
      const scale = Math.min(MAX_VALLEY_GAIN, Math.sqrt(wide / local)) / Math.sqrt(local);
      re[k] = re[k]! * scale;
      im[k] = im[k]! * scale;
    }
    // The conjugate half, so the result is real.
    for (let k = 1; k < n / 2; k++) {
      re[n - k] = re[k]!;
      im[n - k] = -im[k]!;
    }
    re[n / 2] = 0;
    im[n / 2] = 0;
    fft(re, im, true);
    for (let i = 0; i < n; i++) {
      const at = start + i;
      if (at >= 0 && at < x.length) out[at] = out[at]! + re[i]! * window[i]! * norm;
    }
  }
  return out;
}

/** The whitened input folded onto one period: sample i of the result sums i, i + P, i + 2P… */
function fold(w: Float64Array): Float64Array {
  const out = new Float64Array(PERIOD_SAMPLES);
  for (let i = 0; i < w.length; i++) out[i % PERIOD_SAMPLES] = out[i % PERIOD_SAMPLES]! + w[i]!;
  return out;
}

let syncSpectrum: { re: Float64Array; im: Float64Array } | null = null;

interface Offset {
  /** Where the template's period starts in the folded input, samples (a multiple of ½). */
  at: number;
  z: number;
}

/**
 * The sync correlation at every offset, whole and half samples (the template's own 16 kHz grid
 * need not match the input's), as z-scores against the spread of all of them; the CANDIDATES best
 * peaks (at least 8 samples apart) and the best z.
 */
function syncOffsets(folded: { re: Float64Array; im: Float64Array }): { best: Offset[]; z: number } | null {
  if (!syncSpectrum) {
    const re = syncTemplate().slice();
    const im = new Float64Array(PERIOD_SAMPLES);
    fft(re, im);
    syncSpectrum = { re, im };
  }
  const P = PERIOD_SAMPLES;
  const scores: Float64Array[] = [];
  for (const shift of [0, 0.5]) {
    // c[τ] = Σ_i folded[i + τ + shift]·sync[i]: F·conj(S), delayed by −shift.
    const re = new Float64Array(P);
    const im = new Float64Array(P);
    for (let k = 0; k < P; k++) {
      const ar = folded.re[k]!;
      const ai = folded.im[k]!;
      const br = syncSpectrum.re[k]!;
      const bi = -syncSpectrum.im[k]!;
      let cr = ar * br - ai * bi;
      let ci = ar * bi + ai * br;
      if (shift) {
        const signed = k < P / 2 ? k : k - P;
        const angle = (2 * Math.PI * signed * shift) / P;
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        [cr, ci] = [cr * c - ci * s, cr * s + ci * c];
      }
      re[k] = cr;
      im[k] = ci;
    }
    fft(re, im, true);
    scores.push(re);
  }
  let squares = 0;
  for (const s of scores) for (let i = 0; i < P; i++) squares += s[i]! * s[i]!;
  const sigma = Math.sqrt(squares / (2 * P));
  if (!(sigma > 0)) return null;
  const all: Offset[] = [];
  for (const [g, s] of scores.entries()) for (let i = 0; i < P; i++) all.push({ at: i + g * 0.5, z: s[i]! / sigma });
  all.sort((a, b) => b.z - a.z);
  const best: Offset[] = [];
  for (const o of all) {
    if (best.length >= CANDIDATES) break;
    if (best.every((b) => circularDistance(b.at, o.at) >= 8)) best.push(o);
  }
  return { best, z: best[0]!.z };
}

const circularDistance = (a: number, b: number) => {
  const d = Math.abs(a - b) % PERIOD_SAMPLES;
  return Math.min(d, PERIOD_SAMPLES - d);
};

/**
 * Each coded bit's evidence at offset `at`: the folded input shifted so that the template's
 * period starts at 0, through the template's STFT, correlated block by block with the template's
 * coefficients (positive: the bit is 1).
 */
function softBits(folded: { re: Float64Array; im: Float64Array }, at: number): Float64Array {
  const P = PERIOD_SAMPLES;
  const re = new Float64Array(P);
  const im = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    const signed = k < P / 2 ? k : k - P;
    const angle = (2 * Math.PI * signed * at) / P;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    re[k] = folded.re[k]! * c - folded.im[k]! * s;
    im[k] = folded.re[k]! * s + folded.im[k]! * c;
  }
  fft(re, im, true);
  const aligned = re;
  const n = TEMPLATE_FFT;
  const half = n / 2;
  const window = sqrtHann(n);
  const layout = templateLayout();
  const soft = new Float64Array(CODED_BITS);
  const fr = new Float64Array(n);
  const fi = new Float64Array(n);
  for (let m = 0; m < TEMPLATE_FRAMES; m++) {
    for (let i = 0; i < n; i++) fr[i] = aligned[(m * TEMPLATE_HOP + i) % P]! * window[i]!;
    fi.fill(0);
    fft(fr, fi);
    for (let k = FIRST_BIN; k <= LAST_BIN; k++) {
      const bit = layout.role[blockOf(m, k)]!;
      if (bit < 0) continue;
      soft[bit] = soft[bit]! + fr[k]! * layout.re[m * half + k]! + fi[k]! * layout.im[m * half + k]!;
    }
  }
  return soft;
}
