/**
 * What the watermark is: a fixed pseudo-random noise, the template, band-limited to 305 Hz–10.5 kHz
 * (inside what a 24 kHz analysis, a 128 kb/s MP3 and any resampler keep) and periodic: one period
 * is PERIOD_SAMPLES at WORK_RATE (2.73 s), so a 10-second excerpt from anywhere holds it about
 * 3.7 times and the detector can fold the whole input onto one period (every repeat adds up).
 *
 * The template is written in a short-time spectrum at WORK_RATE (TEMPLATE_FFT points, hop
 * TEMPLATE_HOP, √Hann windows): every coefficient in the band has unit magnitude and a random
 * phase from a fixed key. The coefficients are grouped in blocks (BLOCK_BINS × BLOCK_FRAMES);
 * SYNC_SHARE of the blocks are the sync (what the detector searches for: its evidence that the
 * mark is there and where a period starts); each other block carries one of the payload's coded
 * bits, as the sign of its coefficients, scattered in time and frequency (interleaving: a drum hit
 * or a quiet bar only hides some of a bit).
 *
 * The embedder adds this template, shaped band by band and moment by moment to sit a fixed
 * distance below the music (embed.ts); the mel bands below are the shaping's bands.
 */
import { seededRandom } from '../random.ts';
import { CODED_BITS } from './code.ts';
import { fft } from './fft.ts';

/** The detector's working rate, and the template's: every input is resampled to it first. */
export const WORK_RATE = 24_000;
/** One period of the template, samples at WORK_RATE (a power of two: the search is one FFT). */
export const PERIOD_SAMPLES = 65_536;
export const FRAME_SECONDS = PERIOD_SAMPLES / WORK_RATE;
export const TEMPLATE_FFT = 1024;
export const TEMPLATE_HOP = TEMPLATE_FFT / 2;
export const TEMPLATE_FRAMES = PERIOD_SAMPLES / TEMPLATE_HOP;
/** The template's bins: 305 Hz to 10.5 kHz, 23.4 Hz a bin. */
export const FIRST_BIN = Math.ceil(300 / (WORK_RATE / TEMPLATE_FFT));
export const LAST_BIN = Math.floor(10_500 / (WORK_RATE / TEMPLATE_FFT));
export const BLOCK_BINS = 4;
export const BLOCK_FRAMES = 2;
const BIN_BLOCKS = Math.ceil((LAST_BIN - FIRST_BIN + 1) / BLOCK_BINS);
const FRAME_BLOCKS = TEMPLATE_FRAMES / BLOCK_FRAMES;
export const BLOCKS = BIN_BLOCKS * FRAME_BLOCKS;
/** The blocks given to the sync; the rest carry the coded payload. */
export const SYNC_SHARE = 0.6;

function mel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** The shaping's bands (embed.ts): mel-spaced, 300 Hz–10.5 kHz, and its time slots. */
export const SLOT_SECONDS = 0.04;
export const HIGH_HZ = 10_500;
/** About 72 mel each: ~120 Hz wide at 1.2 kHz, ~690 Hz at 10 kHz (narrower than a critical band). */
export const BAND_COUNT = 38;
export const LOW_HZ = 300;
/**
 * The mark's nominal level: this fraction of the music's amplitude in each band over each second
 * (20·log10(0.032) = −29.9 dB; the embedder's check then trims it to at least 30.5 dB below).
 */
export const STRENGTH = 0.032;
/** The window (slots) over which a band's mark is held STRENGTH below its music: 1 s. */
export const BUDGET_SLOTS = 25;
/** The most a single tile's mark may be, as a fraction of that tile's music (−12 dB). */
export const MAX_DEPTH = 0.25;
/** The key: the template's phases, which blocks are sync, the interleaving. Changing it changes the mark. */
const KEY = 0x52_69_66_66; // "Riff"

const hzOfMel = (m: number) => 700 * (10 ** (m / 2595) - 1);

/** BAND_COUNT + 1 edges, Hz. */
export const BAND_EDGES_HZ: readonly number[] = Array.from({ length: BAND_COUNT + 1 }, (_, i) =>
  hzOfMel(mel(LOW_HZ) + ((mel(HIGH_HZ) - mel(LOW_HZ)) * i) / BAND_COUNT),
);

/** The band a frequency falls in, or -1 outside LOW_HZ..HIGH_HZ. */
export function bandOf(hz: number): number {
  if (hz < LOW_HZ || hz >= HIGH_HZ) return -1;
  let lo = 0;
  let hi = BAND_COUNT - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (BAND_EDGES_HZ[mid]! <= hz) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Layout {
  /** Per block: the coded bit it carries, or -1 for sync. */
  role: Int16Array;
  /** The template's coefficients, frame-major: [frame · TEMPLATE_FFT/2 + bin] (zero outside the band). */
  re: Float64Array;
  im: Float64Array;
}

/** The block a template coefficient belongs to. */
export const blockOf = (frame: number, bin: number) =>
  Math.floor(frame / BLOCK_FRAMES) * BIN_BLOCKS + Math.floor((bin - FIRST_BIN) / BLOCK_BINS);

let layout: Layout | null = null;

export function templateLayout(): Layout {
  if (layout) return layout;
  const random = seededRandom(KEY);
  const order = Array.from({ length: BLOCKS }, (_, i) => i);
  for (let i = BLOCKS - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const role = new Int16Array(BLOCKS);
  const syncBlocks = Math.round(BLOCKS * SYNC_SHARE);
  order.forEach((block, i) => {
    role[block] = i < syncBlocks ? -1 : (i - syncBlocks) % CODED_BITS;
  });
  const half = TEMPLATE_FFT / 2;
  const re = new Float64Array(TEMPLATE_FRAMES * half);
  const im = new Float64Array(TEMPLATE_FRAMES * half);
  for (let m = 0; m < TEMPLATE_FRAMES; m++) {
    for (let k = FIRST_BIN; k <= LAST_BIN; k++) {
      const phase = 2 * Math.PI * random();
      re[m * half + k] = Math.cos(phase);
      im[m * half + k] = Math.sin(phase);
    }
  }
  layout = { role, re, im };
  return layout;
}

/** The √Hann window: analysis and synthesis both, overlap-adding to 1 at hops of n/2. */
export function sqrtHann(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)));
}

/**
 * One period of the template (PERIOD_SAMPLES at WORK_RATE, circular) with each block's
 * coefficients multiplied by `sign(block)` (0 leaves the block out).
 */
export function templatePeriod(sign: (block: number) => number): Float64Array {
  const { re, im } = templateLayout();
  const n = TEMPLATE_FFT;
  const half = n / 2;
  const window = sqrtHann(n);
  const out = new Float64Array(PERIOD_SAMPLES);
  const fr = new Float64Array(n);
  const fi = new Float64Array(n);
  for (let m = 0; m < TEMPLATE_FRAMES; m++) {
    fr.fill(0);
    fi.fill(0);
    for (let k = FIRST_BIN; k <= LAST_BIN; k++) {
      const s = sign(blockOf(m, k));
      fr[k] = s * re[m * half + k]!;
      fi[k] = s * im[m * half + k]!;
      fr[n - k] = fr[k]!;
      fi[n - k] = -fi[k]!;
    }
    fft(fr, fi, true);
    for (let i = 0; i < n; i++) {
      const at = (m * TEMPLATE_HOP + i) % PERIOD_SAMPLES;
      out[at] = out[at]! + fr[i]! * window[i]! * n;
    }
  }
  return out;
}

/** The template carrying these coded bits (0/1): sync blocks +1, payload blocks ±1 by their bit. */
export function payloadTemplate(coded: Uint8Array): Float64Array {
  const { role } = templateLayout();
  return templatePeriod((block) => {
    const r = role[block]!;
    return r < 0 ? 1 : coded[r] ? 1 : -1;
  });
}

let sync: Float64Array | null = null;
/** The sync blocks alone: what the detector correlates with. */
export function syncTemplate(): Float64Array {
  sync ??= templatePeriod((block) => (templateLayout().role[block]! < 0 ? 1 : 0));
  return sync;
}
