/**
 * How far below the music the mark sits, band by band: the mark (marked − original) and the
 * music through 1/3-octave bands (IEC 61260 centres, 100 Hz–10 kHz, from an FFT), energy per band
 * over 1-second windows (from the start: the embedder's own budget seconds). A window counts when the band's music there is within 60 dB of the
 * loudest band-window of the piece (the mark's shaping is about audible music, not silence).
 */
import { fft, hann } from './fft.ts';

export interface BandLevels {
  /** Per 1/3-octave centre (Hz): the smallest and the median margin (music − mark, dB) over windows. */
  bands: { centreHz: number; minDb: number; medianDb: number; windows: number }[];
  /** The smallest margin of any band and window, dB. */
  minDb: number;
  /** The median over every band-window, dB. */
  medianDb: number;
}

const FFT_SIZE = 4096;

export function thirdOctaveCentres(): number[] {
  const out: number[] = [];
  for (let i = -10; i <= 10; i++) out.push(1000 * 2 ** (i / 3));
  return out;
}

/** Per 1-second window and band: the energy of `x` (mono). The embedder checks itself with it too. */
export function bandEnergies(x: Float32Array, sampleRate: number, centres: number[]): Float64Array[] {
  const window = hann(FFT_SIZE);
  const hop = FFT_SIZE / 2;
  const hopsPerSecond = sampleRate / hop;
  const frames = Math.max(0, Math.floor((x.length - FFT_SIZE) / hop) + 1);
  const bandOfBin = new Int16Array(FFT_SIZE / 2).fill(-1);
  for (let k = 1; k < FFT_SIZE / 2; k++) {
    const hz = (k * sampleRate) / FFT_SIZE;
    centres.forEach((c, i) => {
      if (hz >= c * 2 ** (-1 / 6) && hz < c * 2 ** (1 / 6)) bandOfBin[k] = i;
    });
  }
  const out: Float64Array[] = [];
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  for (let f = 0; f < frames; f++) {
    // Each FFT frame counts in the second its centre falls in.
    const w = Math.floor((f + FFT_SIZE / 2 / hop) / hopsPerSecond);
    out[w] ??= new Float64Array(centres.length);
    for (let i = 0; i < FFT_SIZE; i++) re[i] = x[f * hop + i]! * window[i]!;
    im.fill(0);
    fft(re, im);
    for (let k = 1; k < FFT_SIZE / 2; k++) {
      const b = bandOfBin[k]!;
      if (b >= 0) out[w]![b] = out[w]![b]! + re[k]! ** 2 + im[k]! ** 2;
    }
  }
  return out;
}

/** The margins for one channel: `original` and `marked` at `sampleRate`, same length. */
export function markBandLevels(original: Float32Array, marked: Float32Array, sampleRate: number): BandLevels {
  const mark = new Float32Array(original.length);
  for (let i = 0; i < mark.length; i++) mark[i] = marked[i]! - original[i]!;
  const centres = thirdOctaveCentres();
  const music = bandEnergies(original, sampleRate, centres);
  const marks = bandEnergies(mark, sampleRate, centres);
  let loudest = 0;
  for (const w of music) for (const e of w) loudest = Math.max(loudest, e);
  const all: number[] = [];
  const bands = centres.map((centreHz, b) => {
    const margins: number[] = [];
    music.forEach((w, i) => {
      const m = w[b]!;
      if (m < loudest * 1e-6) return;
      margins.push(10 * Math.log10(m / Math.max(marks[i]![b]!, 1e-30)));
    });
    margins.sort((a, c) => a - c);
    all.push(...margins);
    return {
      centreHz: Math.round(centreHz),
      minDb: margins[0] ?? Infinity,
      medianDb: margins[margins.length >> 1] ?? Infinity,
      windows: margins.length,
    };
  });
  all.sort((a, c) => a - c);
  return { bands, minDb: all[0] ?? Infinity, medianDb: all[all.length >> 1] ?? Infinity };
}
