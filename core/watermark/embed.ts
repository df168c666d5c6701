/**
 * The embedder: the template (layout.ts) carrying the payload, tiled over the input's length at
 * WORK_RATE and resampled to the input's rate, is added to the music shaped band by band and
 * moment by moment. Each channel pair goes through an STFT (~23 ms Hann frames, hop a quarter of
 * that; one complex FFT carries the pair); in every frame and mel band the template's spectrum is
 * scaled so that its energy there is the tile's depth² times the music's, in each channel — flat
 * across the band's bins (the detector's whitening makes a quiet bin between partials count most),
 * following the music in time and from band to band. Only the mark is synthesized and added, so
 * everything outside the band is untouched.
 *
 * Shaping, in three steps:
 * 1. Depths (tileDepths): in every band and every second (a budget window), the mark is `level`
 *    (STRENGTH, −30 dB) below the music there, spread so that each 40 ms tile's mark has the same
 *    energy — quiet tiles get relatively more (the whitened detector weighs them alike), never
 *    more than MAX_DEPTH of their own music.
 * 2. Raise (RAISE_ROUNDS): the synthesized mark is analysed beside the music in 1/3-octave bands
 *    over the same seconds, and wherever it sits more than RAISE_TO_DB further below the limit
 *    than it must (the caps leave many band-seconds several dB down), that band-second grows.
 * 3. Check and correct (CORRECTION_ROUNDS): wherever the mark is less than LIMIT_DB below (an STFT
 *    bin near a band edge carries leakage from a loud partial next door), the depths of that band
 *    and second (and its neighbours) are scaled down and the mark made again.
 */
import { bandEnergies, thirdOctaveCentres } from './band-levels.ts';
import { encodePayload } from './code.ts';
import { fft, hann } from './fft.ts';
import {
  BAND_COUNT,
  BUDGET_SLOTS,
  MAX_DEPTH,
  PERIOD_SAMPLES,
  SLOT_SECONDS,
  STRENGTH,
  WORK_RATE,
  bandOf,
  payloadTemplate,
} from './layout.ts';
import { resample } from './resample.ts';

/** The margin the correction enforces per 1/3-octave band and second (the target is 30 dB). */
export const LIMIT_DB = 30.5;
const CORRECTION_ROUNDS = 4;
/**
 * Rounds first spent raising the band-seconds that sit well below the limit (the depths' caps and
 * the neighbours' corrections leave many 3–8 dB further down than needed) up to RAISE_TO_DB
 * above it: more mark where it is allowed. The correction rounds follow.
 */
const RAISE_ROUNDS = 3;
const RAISE_TO_DB = 0.8;
/** The most a band-second's mark grows in one raising round (amplitude). */
const MAX_RAISE = 2;
/** How far past its edges (bins) a band's mark can land: the Hann main lobe and then some. */
const LEAK_BINS = 4;

export interface EmbedOptions {
  /** Mark level below the music per band and second, as an amplitude ratio (default STRENGTH); tests use others. */
  strength?: number;
  /**
   * The margin enforced per 1/3-octave band and second, dB (default: LIMIT_DB, moved by as much
   * as `strength` moves from STRENGTH).
   */
  limitDb?: number;
}

/** The STFT size for a rate: the power of two nearest 23 ms. */
export function frameSizeFor(sampleRate: number): number {
  return 2 ** Math.round(Math.log2(sampleRate * 0.023));
}

/** New channels: `channels` with the watermark carrying `payload` (64 bits). Lengths are kept. */
export function embedWatermark(
  channels: readonly Float32Array[],
  sampleRate: number,
  payload: bigint,
  options: EmbedOptions = {},
): Float32Array[] {
  const strength = options.strength ?? STRENGTH;
  const limitDb = options.limitDb ?? LIMIT_DB + 20 * Math.log10(STRENGTH / strength);
  const coded = encodePayload(payload);
  const out: Float32Array[] = [];
  let template: Float32Array | null = null;
  for (let c = 0; c < channels.length; c += 2) {
    const left = channels[c]!;
    const right = channels[c + 1] ?? null;
    const stft = new PairStft(left, right, sampleRate);
    template ??= templateAt(coded, sampleRate, left.length);
    let depth = tileDepths(stft.energies(), stft.slots, strength);
    let mark = stft.synthesize(depth, template);
    const centres = thirdOctaveCentres();
    const musicThirds = (right ? [left, right] : [left]).map((x) => bandEnergies(x, sampleRate, centres));
    for (let round = 0; round < RAISE_ROUNDS + CORRECTION_ROUNDS && strength > 0; round++) {
      const markThirds = mark.slice(0, right ? 2 : 1).map((m) => bandEnergies(Float32Array.from(m), sampleRate, centres));
      const raise = round < RAISE_ROUNDS;
      const scale = corrections(musicThirds, markThirds, stft.slots, limitDb, raise);
      if (!scale) {
        if (raise) continue;
        break;
      }
      depth = rescaled(depth, scale, stft.slots, stft.thirdsOfBand);
      mark = stft.synthesize(depth, template);
    }
    out.push(Float32Array.from(left, (v, i) => v + mark[0][i]!));
    if (right) out.push(Float32Array.from(right, (v, i) => v + mark[1][i]!));
  }
  return out;
}

/** 1/3-octave bands (IEC 61260 centres, 100 Hz–10 kHz): the correction's bands, as band-levels.ts measures. */
const THIRDS = thirdOctaveCentres();
const thirdOf = (hz: number) => THIRDS.findIndex((c) => hz >= c * 2 ** (-1 / 6) && hz < c * 2 ** (1 / 6));

/** The STFT of one channel pair, packed as one complex signal (left real, right imaginary). */
class PairStft {
  readonly n: number;
  readonly hop: number;
  readonly slots: number;
  readonly bandOfBin: Int16Array;
  readonly thirdOfBin: Int16Array;
  /** Per mel band: the 1/3-octave bands its bins fall in. */
  readonly thirdsOfBand: number[][];
  /** Per STFT frame × mel band × channel (left, right): the music's energy. */
  private hostEnergy: Float32Array | null = null;
  private readonly window: Float64Array;
  private readonly slotSamples: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  private readonly left: Float32Array;
  private readonly right: Float32Array | null;

  constructor(left: Float32Array, right: Float32Array | null, sampleRate: number) {
    this.left = left;
    this.right = right;
    this.n = frameSizeFor(sampleRate);
    this.hop = this.n / 4;
    this.window = hann(this.n);
    this.slotSamples = SLOT_SECONDS * sampleRate;
    this.slots = Math.ceil(left.length / this.slotSamples) + 1;
    this.bandOfBin = new Int16Array(this.n / 2 + 1);
    this.thirdOfBin = new Int16Array(this.n / 2 + 1);
    this.thirdsOfBand = Array.from({ length: BAND_COUNT }, () => []);
    for (let k = 0; k <= this.n / 2; k++) {
      const hz = (k * sampleRate) / this.n;
      this.bandOfBin[k] = bandOf(hz);
      this.thirdOfBin[k] = thirdOf(hz);
    }
    // A band's mark also leaks a few bins beyond its edges: count those thirds too.
    for (let k = 0; k <= this.n / 2; k++) {
      const band = this.bandOfBin[k]!;
      if (band < 0) continue;
      for (let j = Math.max(0, k - LEAK_BINS); j <= Math.min(this.n / 2, k + LEAK_BINS); j++) {
        const third = this.thirdOfBin[j]!;
        if (third >= 0 && !this.thirdsOfBand[band]!.includes(third)) this.thirdsOfBand[band]!.push(third);
      }
    }
    this.re = new Float64Array(this.n);
    this.im = new Float64Array(this.n);
  }

  /** Calls `visit(start, frame, slot)` for every frame, its windowed spectrum in re/im. */
  private frames(left: Float32Array, right: Float32Array | null, visit: (start: number, frame: number, slot: number) => void): void {
    const { n, hop, window, re, im } = this;
    const length = left.length;
    let frame = 0;
    for (let start = -n + hop; start < length; start += hop, frame++) {
      re.fill(0);
      im.fill(0);
      for (let i = 0; i < n; i++) {
        const at = start + i;
        if (at < 0 || at >= length) continue;
        re[i] = left[at]! * window[i]!;
        im[i] = right ? right[at]! * window[i]! : 0;
      }
      fft(re, im);
      visit(start, frame, Math.max(0, Math.min(this.slots - 1, Math.floor((start + n / 2) / this.slotSamples))));
    }
  }

  /** Energy per tile (slot × mel band), both channels; keeps each frame's band energies per channel. */
  energies(): Float64Array {
    const { n, re, im } = this;
    const tiles = new Float64Array(this.slots * BAND_COUNT);
    const frameCount = Math.ceil((this.left.length + this.n - this.hop) / this.hop);
    const host = new Float32Array(frameCount * BAND_COUNT * 2);
    this.frames(this.left, this.right, (_start, frame, slot) => {
      const row = slot * BAND_COUNT;
      for (let k = 1; k < n / 2; k++) {
        const band = this.bandOfBin[k]!;
        if (band < 0) continue;
        // Unpack the pair: left = (Z_k + conj Z_{n−k}) / 2, right = (Z_k − conj Z_{n−k}) / 2i.
        const lr = 0.5 * (re[k]! + re[n - k]!);
        const li = 0.5 * (im[k]! - im[n - k]!);
        const rr = 0.5 * (im[k]! + im[n - k]!);
        const ri = 0.5 * (re[n - k]! - re[k]!);
        const l = lr * lr + li * li;
        const r = rr * rr + ri * ri;
        const at = (frame * BAND_COUNT + band) * 2;
        host[at] = host[at]! + l;
        host[at + 1] = host[at + 1]! + r;
        tiles[row + band] = tiles[row + band]! + l + r;
      }
    });
    this.hostEnergy = host;
    return tiles;
  }

  /**
   * The mark: in every frame and band, the template's spectrum scaled so that its energy there is
   * the tile's depth² times the music's (each channel its own), overlap-added (left, right).
   */
  synthesize(depth: Float64Array, template: Float32Array): [Float64Array, Float64Array] {
    const { n, window, re, im } = this;
    const host = this.hostEnergy!;
    const length = this.left.length;
    const markL = new Float64Array(length);
    const markR = new Float64Array(length);
    const templateEnergy = new Float64Array(BAND_COUNT);
    const gain = new Float64Array(BAND_COUNT * 2);
    // Hann analysis and synthesis at a hop of n/4 overlap-add to 1.5.
    const norm = 1 / 1.5;
    this.frames(template, null, (start, frame, slot) => {
      templateEnergy.fill(0);
      for (let k = 1; k < n / 2; k++) {
        const band = this.bandOfBin[k]!;
        if (band >= 0) templateEnergy[band] = templateEnergy[band]! + re[k]! ** 2 + im[k]! ** 2;
      }
      for (let band = 0; band < BAND_COUNT; band++) {
        const d = depth[slot * BAND_COUNT + band]!;
        const t = templateEnergy[band]!;
        const at = (frame * BAND_COUNT + band) * 2;
        gain[band * 2] = t > 0 ? d * Math.sqrt(host[at]! / t) : 0;
        gain[band * 2 + 1] = t > 0 ? d * Math.sqrt(host[at + 1]! / t) : 0;
      }
      // The template is real: T_{n−k} = conj T_k. Left gets gL·T, right gR·T, packed as left + i·right.
      re[0] = 0;
      im[0] = 0;
      re[n / 2] = 0;
      im[n / 2] = 0;
      for (let k = 1; k < n / 2; k++) {
        const band = this.bandOfBin[k]!;
        const gl = band < 0 ? 0 : gain[band * 2]!;
        const gr = band < 0 ? 0 : gain[band * 2 + 1]!;
        const tr = re[k]!;
        const ti = im[k]!;
        // (gl + i·gr)·(tr + i·ti) and (gl + i·gr)·(tr − i·ti)
        re[k] = gl * tr - gr * ti;
        im[k] = gl * ti + gr * tr;
        re[n - k] = gl * tr + gr * ti;
        im[n - k] = gr * tr - gl * ti;
      }
      fft(re, im, true);
      for (let i = 0; i < n; i++) {
        const at = start + i;
        if (at < 0 || at >= length) continue;
        markL[at] = markL[at]! + re[i]! * window[i]! * norm;
        markR[at] = markR[at]! + im[i]! * window[i]! * norm;
      }
    });
    return [markL, markR];
  }
}

/** The template carrying `coded` at `sampleRate`, `length` samples from the input's start. */
function templateAt(coded: Uint8Array, sampleRate: number, length: number): Float32Array {
  const period = payloadTemplate(coded);
  const workLength = Math.ceil((length * WORK_RATE) / sampleRate) + 64;
  const tiled = new Float32Array(workLength);
  for (let i = 0; i < workLength; i++) tiled[i] = period[i % PERIOD_SAMPLES]!;
  const out = resample(tiled, WORK_RATE, sampleRate);
  return out.length >= length ? out.subarray(0, length) : Float32Array.from({ length }, (_, i) => out[i] ?? 0);
}

/**
 * How deep each tile is modulated: in every band, over each BUDGET_SLOTS window, the mark is
 * `level` (amplitude) times the band's music over that window, spread so that each tile's mark
 * has the same energy (depth ∝ 1/√(tile energy)): quiet tiles are modulated more, loud ones less,
 * which the log-energy detector weighs alike. Never deeper than MAX_DEPTH; silence is left alone.
 */
function tileDepths(energy: Float64Array, slots: number, level: number): Float64Array {
  const depth = new Float64Array(energy.length);
  for (let band = 0; band < BAND_COUNT; band++) {
    for (let first = 0; first < slots; first += BUDGET_SLOTS) {
      const last = Math.min(slots, first + BUDGET_SLOTS);
      let mean = 0;
      for (let s = first; s < last; s++) mean += energy[s * BAND_COUNT + band]!;
      mean /= last - first;
      for (let s = first; s < last; s++) {
        const e = energy[s * BAND_COUNT + band]!;
        depth[s * BAND_COUNT + band] = e > mean * 1e-6 ? Math.min(MAX_DEPTH, level * Math.sqrt(mean / e)) : 0;
      }
    }
  }
  return depth;
}

/**
 * Per second × 1/3-octave band, the factor its mark must shrink by to sit `limitDb` (+0.5) below
 * the music in every channel (1 where it does); with `raise`, also the factor it may grow by where
 * it sits more than RAISE_TO_DB further below than that. Null when nothing is to change.
 */
function corrections(music: Float64Array[][], mark: Float64Array[][], slots: number, limitDb: number, raise: boolean): Float64Array | null {
  const windows = Math.ceil(slots / BUDGET_SLOTS);
  const limit = 10 ** (-(limitDb + 0.5) / 10);
  const target = 10 ** (-(limitDb + 0.5 + RAISE_TO_DB) / 10);
  const down = new Float64Array(windows * THIRDS.length).fill(1);
  const up = new Float64Array(windows * THIRDS.length).fill(raise ? MAX_RAISE : 1);
  // Only a band-second measured (and below its limit) in every channel may grow.
  const measured = new Uint8Array(windows * THIRDS.length);
  let any = false;
  music.forEach((channel, c) => {
    channel.forEach((bands, w) => {
      bands.forEach((m, third) => {
        const e = mark[c]![w]?.[third] ?? 0;
        const ratio = m > 0 ? e / m : e > 0 ? Infinity : 0;
        const at = w * THIRDS.length + third;
        if (ratio > 10 ** (-limitDb / 10)) {
          // The seconds beside it too: a 93 ms analysis frame at a second's edge also hears the
          // mark of the second before (loud music ending into a quiet tail) or after.
          for (let ww = Math.max(0, w - 1); ww <= Math.min(windows - 1, w + 1); ww++) {
            const near = ww * THIRDS.length + third;
            down[near] = Math.min(down[near]!, Math.sqrt(limit / ratio));
          }
          any = true;
        } else if (raise) {
          up[at] = ratio > 0 ? Math.min(up[at]!, Math.sqrt(target / ratio)) : 1;
          measured[at] = measured[at]! + 1;
        }
      });
    });
  });
  const scale = new Float64Array(windows * THIRDS.length);
  for (let i = 0; i < scale.length; i++) {
    scale[i] = down[i]! < 1 ? down[i]! : measured[i] === music.length ? Math.max(1, up[i]!) : 1;
    if (scale[i]! > 1.05) any = true;
  }
  return any ? scale : null;
}

/** Depths with each band's tiles scaled by the smallest correction of the thirds it reaches. */
function rescaled(depth: Float64Array, scale: Float64Array, slots: number, thirdsOfBand: number[][]): Float64Array {
  const out = depth.slice();
  for (let s = 0; s < slots; s++) {
    const window = Math.floor(s / BUDGET_SLOTS) * THIRDS.length;
    for (let band = 0; band < BAND_COUNT; band++) {
      let factor = Infinity;
      for (const third of thirdsOfBand[band]!) factor = Math.min(factor, scale[window + third]!);
      if (factor === Infinity) factor = 1;
      out[s * BAND_COUNT + band] = Math.min(MAX_DEPTH, out[s * BAND_COUNT + band]! * factor);
    }
  }
  return out;
}
