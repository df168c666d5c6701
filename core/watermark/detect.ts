/**
 * The detector: any PCM at any rate and gain → whether Riffroom's watermark is in it, the payload,
 * and how sure. Mono mix → resample to WORK_RATE → STFT (32 ms Hann, 5 ms hop) → each band's
 * energy per 40 ms slot, on 8 slot grids 5 ms apart → log energy, minus its neighbours' in time
 * and the slot's median over bands (what remains is the tiles' modulation plus the music's own
 * fine fluctuation), scaled by the spread of its neighbourhood and clipped (gain does not
 * change any of this; one drum hit cannot outvote a bit). Then every alignment of the frame
 * (8 grids × 128 slots) is scored by its correlation with the sync tiles, as a z-score; the best
 * few are decoded (soft Viterbi) and their CRC checked.
 *
 * Found means: the CRC checks at an alignment whose sync z ≥ CRC_SYNC_Z, or the sync alone
 * reaches SYNC_ONLY_Z (the mark is there but too damaged to read). Both thresholds come from the
 * null distribution measured by bench/watermark (see core/watermark/README.md).
 */
import { CODED_BITS, decodePayload } from './code.ts';
import { fft, hann } from './fft.ts';
import { BAND_COUNT, FRAME_SLOTS, SLOT_SECONDS, WORK_RATE, bandOf, frameLayout } from './layout.ts';
import { resample } from './resample.ts';

const FFT_SIZE = 512;
const HOP = 80;
const HOPS_PER_SLOT = Math.round((SLOT_SECONDS * WORK_RATE) / HOP);
const CLIP = 2;
const SPREAD_SLOTS = 1;
const SPREAD_BANDS = 1;
/** Nats: below this a neighbourhood is as steady as the analysis can tell (keeps silence from counting). */
const SPREAD_FLOOR = 0.02;
const CANDIDATES = 3;
/** Sync z at which a CRC-checked payload is believed (the CRC makes chance agreement 1/65536). */
export const CRC_SYNC_Z = 3;
/** Sync z that says "watermarked" without a readable payload: the null's 0.1% tail, with margin. */
export const SYNC_ONLY_Z = 5.5;

export interface WatermarkDetection {
  /** A watermark is present (see the rule above). */
  found: boolean;
  /** The 64-bit payload, when its CRC checks; null otherwise. */
  payload: bigint | null;
  /**
   * The best alignment's decoded payload whether or not its CRC checks (for measuring the bit
   * error rate; not a claim that this payload is in the file).
   */
  decodedGuess: bigint | null;
  /** The sync correlation's z-score at the best alignment (about N(0,1)'s maximum on unmarked audio). */
  confidence: number;
  /** Where in the input a frame of the mark starts (seconds, modulo the frame's 5.12 s). */
  frameStartSeconds: number;
}

/** Detect the watermark in `pcm` (one array per channel, or one mono array) at `sampleRate`. */
export function detectWatermark(pcm: Float32Array | readonly Float32Array[], sampleRate: number): WatermarkDetection {
  const channels = pcm instanceof Float32Array ? [pcm] : pcm;
  const none: WatermarkDetection = { found: false, payload: null, decodedGuess: null, confidence: 0, frameStartSeconds: 0 };
  if (!channels.length || !channels[0]!.length) return none;
  const x = resample(mono(channels), sampleRate, WORK_RATE);
  const power = bandPower(x);
  if (!power) return none;
  const { role, chip } = frameLayout();
  const scored: { grid: number; phase: number; z: number; d: Float64Array; slots: number }[] = [];
  for (let grid = 0; grid < HOPS_PER_SLOT; grid++) {
    const tiles = tileStatistics(power, grid);
    if (!tiles) continue;
    for (let phase = 0; phase < FRAME_SLOTS; phase++) {
      let sum = 0;
      let squares = 0;
      for (let j = 0; j < tiles.slots; j++) {
        const row = ((j + phase) % FRAME_SLOTS) * BAND_COUNT;
        for (let b = 0; b < BAND_COUNT; b++) {
          if (role[row + b]! >= 0) continue;
          const v = tiles.d[j * BAND_COUNT + b]!;
          sum += v * chip[row + b]!;
          squares += v * v;
        }
      }
      scored.push({ grid, phase, z: squares > 0 ? sum / Math.sqrt(squares) : 0, d: tiles.d, slots: tiles.slots });
    }
  }
  if (!scored.length) return none;
  scored.sort((a, b) => b.z - a.z);
  const best = scored[0]!;
  const start = (s: (typeof scored)[number]) => {
    // Slot j of this grid starts at the centre of STFT frame grid + j·HOPS_PER_SLOT, less half a hop.
    const firstSlotSeconds = (s.grid * HOP + FFT_SIZE / 2 - HOP / 2) / WORK_RATE;
    const frameSlot = (FRAME_SLOTS - s.phase) % FRAME_SLOTS;
    return firstSlotSeconds + frameSlot * SLOT_SECONDS;
  };
  const decode = (candidate: (typeof scored)[number]) => {
    const soft = new Float64Array(CODED_BITS);
    for (let j = 0; j < candidate.slots; j++) {
      const row = ((j + candidate.phase) % FRAME_SLOTS) * BAND_COUNT;
      for (let b = 0; b < BAND_COUNT; b++) {
        const bit = role[row + b]!;
        if (bit < 0) continue;
        soft[bit] = soft[bit]! + candidate.d[j * BAND_COUNT + b]! * chip[row + b]!;
      }
    }
    return decodePayload(soft);
  };
  const guess = decode(best);
  for (const candidate of scored.slice(0, CANDIDATES)) {
    if (candidate.z < CRC_SYNC_Z) break;
    const decoded = candidate === best ? guess : decode(candidate);
    if (decoded.crcOk) {
      return {
        found: true,
        payload: decoded.payload,
        decodedGuess: decoded.payload,
        confidence: candidate.z,
        frameStartSeconds: start(candidate),
      };
    }
  }
  return { found: best.z >= SYNC_ONLY_Z, payload: null, decodedGuess: guess.payload, confidence: best.z, frameStartSeconds: start(best) };
}

function mono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]!.length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] = out[i]! + ch[i]! / channels.length;
  return out;
}

/** Per STFT frame, each band's energy: frames × BAND_COUNT. */
function bandPower(x: Float32Array): { frames: number; power: Float64Array } | null {
  const frames = Math.floor((x.length - FFT_SIZE) / HOP) + 1;
  if (frames < HOPS_PER_SLOT * 4) return null;
  const window = hann(FFT_SIZE);
  const bandOfBin = new Int16Array(FFT_SIZE / 2);
  for (let k = 0; k < FFT_SIZE / 2; k++) bandOfBin[k] = bandOf((k * WORK_RATE) / FFT_SIZE);
  const power = new Float64Array(frames * BAND_COUNT);
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < FFT_SIZE; i++) re[i] = x[f * HOP + i]! * window[i]!;
    im.fill(0);
    fft(re, im);
    for (let k = 1; k < FFT_SIZE / 2; k++) {
      const b = bandOfBin[k]!;
      if (b >= 0) power[f * BAND_COUNT + b] = power[f * BAND_COUNT + b]! + re[k]! * re[k]! + im[k]! * im[k]!;
    }
  }
  return { frames, power };
}

/**
 * The whitened tile statistics on one slot grid (slot j = STFT frames grid + j·HOPS_PER_SLOT …
 * + HOPS_PER_SLOT − 1): d[j·BAND_COUNT + b]; the first and last slot have no neighbour and stay 0.
 */
function tileStatistics(p: { frames: number; power: Float64Array }, grid: number): { slots: number; d: Float64Array } | null {
  const slots = Math.floor((p.frames - grid) / HOPS_PER_SLOT);
  if (slots < 3) return null;
  let total = 0;
  for (let i = 0; i < p.power.length; i++) total += p.power[i]!;
  // A floor relative to the input's own level (gain-invariant): silence gives flat, zero statistics.
  const floor = (total / p.power.length) * HOPS_PER_SLOT * 1e-7 + 1e-30;
  const log = new Float64Array(slots * BAND_COUNT);
  for (let j = 0; j < slots; j++) {
    for (let b = 0; b < BAND_COUNT; b++) {
      let e = 0;
      for (let h = 0; h < HOPS_PER_SLOT; h++) e += p.power[(grid + j * HOPS_PER_SLOT + h) * BAND_COUNT + b]!;
      log[j * BAND_COUNT + b] = Math.log(e + floor);
    }
  }
  const d = new Float64Array(slots * BAND_COUNT);
  const row = new Float64Array(BAND_COUNT);
  for (let j = 1; j < slots - 1; j++) {
    for (let b = 0; b < BAND_COUNT; b++) {
      row[b] = log[j * BAND_COUNT + b]! - 0.5 * (log[(j - 1) * BAND_COUNT + b]! + log[(j + 1) * BAND_COUNT + b]!);
    }
    const common = median(row);
    for (let b = 0; b < BAND_COUNT; b++) d[j * BAND_COUNT + b] = row[b]! - common;
  }
  // Each tile in units of its neighbourhood's spread (±SPREAD_SLOTS slots, ±SPREAD_BANDS bands):
  // music is far from stationary — a drum hit or a note change moves a tile by much more than the
  // mark, a held chord by much less — so tiles count by how quiet their surroundings are.
  const scaled = new Float64Array(slots * BAND_COUNT);
  for (let j = 1; j < slots - 1; j++) {
    for (let b = 0; b < BAND_COUNT; b++) {
      let n = 0;
      let sum = 0;
      for (let jj = Math.max(1, j - SPREAD_SLOTS); jj <= Math.min(slots - 2, j + SPREAD_SLOTS); jj++) {
        for (let bb = Math.max(0, b - SPREAD_BANDS); bb <= Math.min(BAND_COUNT - 1, b + SPREAD_BANDS); bb++) {
          sum += Math.abs(d[jj * BAND_COUNT + bb]!);
          n++;
        }
      }
      // Mean absolute deviation (×1.25: a Gaussian's σ), cheaper than a median and as useful here.
      const spread = (1.25 * sum) / n + SPREAD_FLOOR;
      scaled[j * BAND_COUNT + b] = Math.max(-CLIP, Math.min(CLIP, d[j * BAND_COUNT + b]! / spread));
    }
  }
  return { slots, d: scaled };
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : 0.5 * (sorted[mid - 1]! + sorted[mid]!);
}
