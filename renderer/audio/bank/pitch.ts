/**
 * The fundamental frequency of a stretch of audio, by YIN (de Cheveigné & Kawahara 2002): the
 * cumulative-mean-normalized difference function, its first dip under a threshold, refined by a
 * parabola through the dip. Sub-cent on a steady tone; used to check the bank's tuning against
 * midiToHz, where an FFT bin (1 Hz a second) is 20 cents wide at 80 Hz.
 */

export interface PitchOptions {
  /** Lowest and highest frequency searched, Hz. */
  minHz?: number;
  maxHz?: number;
  /** The dip must go under this (0..1; lower is stricter). */
  threshold?: number;
}

/** Hz, or undefined when the stretch has no clear period (noise, silence). */
export function fundamentalHz(samples: Float32Array, sampleRate: number, options: PitchOptions = {}): number | undefined {
  const { minHz = 30, maxHz = 2000, threshold = 0.15 } = options;
  const maxLag = Math.floor(sampleRate / minHz);
  const minLag = Math.max(2, Math.floor(sampleRate / maxHz));
  const window = samples.length - maxLag - 1;
  if (window < maxLag)
    throw new RangeError(`fundamentalHz: ${samples.length} samples are too few for ${minHz} Hz (need ${2 * maxLag + 1})`);
  const d = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1; lag++) {
    let sum = 0;
    for (let i = 0; i < window; i++) {
      const diff = samples[i]! - samples[i + lag]!;
      sum += diff * diff;
    }
    d[lag] = sum;
  }
  // Cumulative mean normalization: d'(lag) = d(lag) / mean(d(1..lag)).
  const norm = new Float64Array(maxLag + 2);
  norm[0] = 1;
  let running = 0;
  for (let lag = 1; lag <= maxLag + 1; lag++) {
    running += d[lag]!;
    norm[lag] = running > 0 ? (d[lag]! * lag) / running : 1;
  }
  for (let lag = minLag; lag <= maxLag; lag++) {
    if (norm[lag]! >= threshold) continue;
    // Walk down to the bottom of this dip, then fit a parabola through it.
    while (lag + 1 <= maxLag && norm[lag + 1]! < norm[lag]!) lag++;
    const a = norm[lag - 1]!;
    const b = norm[lag]!;
    const c = norm[lag + 1]!;
    const curve = a - 2 * b + c;
    const shift = curve > 0 ? (a - c) / (2 * curve) : 0;
    return sampleRate / (lag + shift);
  }
  return undefined;
}

/** How far `hz` is from `reference`, in cents. */
export function centsOff(hz: number, reference: number): number {
  return 1200 * Math.log2(hz / reference);
}
