/**
 * The K-weighting of ITU-R BS.1770-4: a high shelf (+4 dB above about 1.7 kHz, the head's effect)
 * followed by a high-pass (the RLB curve, about 38 Hz). The Recommendation gives the two biquads
 * only for 48 kHz; here their analogue prototypes (corner, gain, Q, as recovered from the 48 kHz
 * table, the same derivation libebur128 and ffmpeg use) are re-discretized by the bilinear
 * transform for the actual sample rate, so 44.1 kHz is weighted as exactly as 48 kHz.
 */

export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  /** Denominator, normalized so a0 = 1: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
  a1: number;
  a2: number;
}

export interface KWeighting {
  shelf: Biquad;
  highPass: Biquad;
}

/** Below this the shelf's 1.68 kHz corner sits too near Nyquist for the prototype to hold. */
export const MIN_SAMPLE_RATE = 8000;

export function kWeighting(sampleRate: number): KWeighting {
  if (!Number.isFinite(sampleRate) || sampleRate < MIN_SAMPLE_RATE) {
    throw new Error(`kWeighting: sample rate ${sampleRate} Hz is not supported (at least ${MIN_SAMPLE_RATE} Hz)`);
  }
  // Stage 1: high shelf.
  const f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  const q = 0.7071752369554196;
  const k = Math.tan((Math.PI * f0) / sampleRate);
  const vh = 10 ** (gainDb / 20);
  const vb = vh ** 0.4996667741545416;
  const a0 = 1 + k / q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  // Stage 2: second-order high-pass. Its numerator stays 1, -2, 1 as in the Recommendation's
  // table (the gain at 1 kHz is what the -0.691 dB constant of the loudness formula expects).
  const hf0 = 38.13547087602444;
  const hq = 0.5003270373238773;
  const hk = Math.tan((Math.PI * hf0) / sampleRate);
  const ha0 = 1 + hk / hq + hk * hk;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (hk * hk - 1)) / ha0,
    a2: (1 - hk / hq + hk * hk) / ha0,
  };
  return { shelf, highPass };
}

/**
 * Sums of the K-weighted signal's squares over consecutive spans of one channel: span s covers
 * samples [bounds[s], bounds[s + 1]). Both filters run in double precision from rest, and the
 * filtered signal is never stored (a 3-minute stereo file would need 64 MB of it).
 */
export function weightedEnergies(channel: Float32Array, weighting: KWeighting, bounds: ArrayLike<number>): Float64Array {
  const { shelf: s, highPass: h } = weighting;
  const sb0 = s.b0,
    sb1 = s.b1,
    sb2 = s.b2,
    sa1 = s.a1,
    sa2 = s.a2;
  const hb0 = h.b0,
    hb1 = h.b1,
    hb2 = h.b2,
    ha1 = h.a1,
    ha2 = h.a2;
  const spans = bounds.length - 1;
  const out = new Float64Array(Math.max(0, spans));
  // Direct form I states of both stages.
  let x1 = 0,
    x2 = 0,
    y1 = 0,
    y2 = 0,
    z1 = 0,
    z2 = 0;
  let i = spans > 0 ? bounds[0]! : 0;
  for (let span = 0; span < spans; span++) {
    const end = bounds[span + 1]!;
    let sum = 0;
    for (; i < end; i++) {
      const x = channel[i]!;
      const y = sb0 * x + sb1 * x1 + sb2 * x2 - sa1 * y1 - sa2 * y2;
      x2 = x1;
      x1 = x;
      const z = hb0 * y + hb1 * y1 + hb2 * y2 - ha1 * z1 - ha2 * z2;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      sum += z * z;
    }
    out[span] = sum;
  }
  return out;
}
