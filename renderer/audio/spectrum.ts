/**
 * Spectral measurements of rendered audio, for the sampled instruments' tests: magnitude spectra
 * (radix-2 FFT, Hann window), log-spectral distance between two renders, spectral flatness and
 * centroid, the strongest partial, and band energies over time (the feature goldens). Pure.
 */

/** In-place radix-2 FFT of (re, im); length a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`fft: length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/** Power spectrum (|X|², bins 0..size/2) of `size` samples from `start`, Hann-windowed. */
export function powerSpectrum(samples: Float32Array | Float64Array, start: number, size: number): Float64Array {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1));
    re[i] = (samples[start + i] ?? 0) * w;
  }
  fft(re, im);
  const out = new Float64Array(size / 2 + 1);
  for (let k = 0; k < out.length; k++) out[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return out;
}

/** Frequency of bin k. */
export function binHz(k: number, size: number, sampleRate: number): number {
  return (k * sampleRate) / size;
}

/** Spectral flatness (geometric / arithmetic mean of power, bins in [lowHz, highHz]): 1 is white noise, near 0 a few tones. */
export function flatness(power: Float64Array, sampleRate: number, lowHz = 100, highHz = 10000): number {
  const size = (power.length - 1) * 2;
  let logSum = 0;
  let sum = 0;
  let n = 0;
  for (let k = 1; k < power.length; k++) {
    const hz = binHz(k, size, sampleRate);
    if (hz < lowHz || hz > highHz) continue;
    const p = power[k]! + 1e-20;
    logSum += Math.log(p);
    sum += p;
    n++;
  }
  return Math.exp(logSum / n) / (sum / n);
}

/** Power-weighted mean frequency, Hz. */
export function centroid(power: Float64Array, sampleRate: number): number {
  const size = (power.length - 1) * 2;
  let num = 0;
  let den = 0;
  for (let k = 1; k < power.length; k++) {
    num += binHz(k, size, sampleRate) * power[k]!;
    den += power[k]!;
  }
  return den > 0 ? num / den : 0;
}

/** The strongest bin between lowHz and highHz, refined by parabolic interpolation, Hz. */
export function peakHz(power: Float64Array, sampleRate: number, lowHz: number, highHz: number): number {
  const size = (power.length - 1) * 2;
  let best = -1;
  for (let k = 1; k < power.length - 1; k++) {
    const hz = binHz(k, size, sampleRate);
    if (hz < lowHz || hz > highHz) continue;
    if (best < 0 || power[k]! > power[best]!) best = k;
  }
  if (best < 0) throw new Error(`peakHz: no bins in ${lowHz}..${highHz} Hz`);
  const [a, b, c] = [Math.log(power[best - 1]! + 1e-30), Math.log(power[best]! + 1e-30), Math.log(power[best + 1]! + 1e-30)];
  const shift = (a - c) / (2 * (a - 2 * b + c) || 1);
  return binHz(best + shift, size, sampleRate);
}

/** Mono: the mean of the channels. */
export function mono(channels: readonly (Float32Array | Float64Array)[]): Float64Array {
  const out = new Float64Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i]! += ch[i]! / channels.length;
  return out;
}

/** Band edges (Hz) of the feature goldens: octaves from 31 Hz to 16 kHz. */
export const OCTAVE_EDGES = [31, 62, 125, 250, 500, 1000, 2000, 4000, 8000, 16000];

/**
 * Band energies in dB, one row per hop (e.g. every 50 ms) over a `size`-sample window: the
 * feature goldens. Silent bands read the floor (-120 dB), not -Infinity.
 */
export function bandEnergies(samples: Float64Array, sampleRate: number, hopSeconds = 0.05, size = 4096, edges = OCTAVE_EDGES): number[][] {
  const hop = Math.round(hopSeconds * sampleRate);
  const rows: number[][] = [];
  for (let start = 0; start + size <= samples.length; start += hop) {
    const power = powerSpectrum(samples, start, size);
    const row: number[] = [];
    for (let b = 0; b + 1 < edges.length; b++) {
      let sum = 0;
      for (let k = 1; k < power.length; k++) {
        const hz = binHz(k, size, sampleRate);
        if (hz >= edges[b]! && hz < edges[b + 1]!) sum += power[k]!;
      }
      row.push(Math.max(-120, 10 * Math.log10(sum / size + 1e-30)));
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Log-spectral distance between two signals, dB: per frame the RMS over frequency bands (1/3
 * octave from 50 Hz to 12 kHz) of the difference of their log band powers, averaged over the
 * frames where either is above `floorDb` (silence on both sides says nothing). Bands rather than
 * bins, so sample-level timing jitter and the phases of partials do not count: the question is
 * whether the same instruments play the same notes.
 */
export function logSpectralDistance(
  a: Float64Array,
  b: Float64Array,
  sampleRate: number,
  options: { size?: number; hop?: number; floorDb?: number } = {},
): number {
  const size = options.size ?? 2048;
  const hop = options.hop ?? 1024;
  const floorDb = options.floorDb ?? -70;
  const edges: number[] = [];
  for (let hz = 50; hz <= 12000; hz *= 2 ** (1 / 3)) edges.push(hz);
  const length = Math.min(a.length, b.length);
  let total = 0;
  let frames = 0;
  for (let start = 0; start + size <= length; start += hop) {
    const pa = bands(powerSpectrum(a, start, size), edges, size, sampleRate);
    const pb = bands(powerSpectrum(b, start, size), edges, size, sampleRate);
    if (Math.max(...pa, ...pb) < floorDb) continue;
    let sum = 0;
    for (let i = 0; i < pa.length; i++) {
      // Bands below the floor on both sides count as equal (no information).
      const x = Math.max(pa[i]!, floorDb);
      const y = Math.max(pb[i]!, floorDb);
      sum += (x - y) ** 2;
    }
    total += Math.sqrt(sum / pa.length);
    frames++;
  }
  if (!frames) throw new Error('logSpectralDistance: both signals are silent');
  return total / frames;
}

function bands(power: Float64Array, edges: number[], size: number, sampleRate: number): number[] {
  const out: number[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    let sum = 0;
    const lo = Math.ceil((edges[b]! * size) / sampleRate);
    const hi = Math.min(power.length - 1, Math.floor((edges[b + 1]! * size) / sampleRate));
    for (let k = lo; k <= hi; k++) sum += power[k]!;
    out.push(10 * Math.log10(sum / size + 1e-30));
  }
  return out;
}
