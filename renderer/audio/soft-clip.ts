/**
 * The last stage of the master bus: a wave-shaper curve that is exactly linear below a knee and
 * bends smoothly (tanh) toward a ceiling just under full scale above it. The limiter before it
 * catches almost everything; this guarantees that no sample the engine outputs (live or offline)
 * ever reaches ±1.0, i.e. the mix never clips, whatever a user does with the faders.
 *
 * A WaveShaperNode maps inputs in [-1, 1] onto its curve and clamps beyond, so the curve is drawn
 * over an input range of ±`range`, with a gain of 1/range in front of the node.
 */

export interface SoftClipOptions {
  /** Below this the curve is the identity. */
  knee?: number;
  /** The curve never exceeds this (it approaches it; float rounding may touch it for huge inputs). */
  ceiling?: number;
  /** Input amplitude the curve spans (larger inputs are held at the curve's end). */
  range?: number;
  /** Points in the curve; odd, so 0 sits exactly on a point. */
  points?: number;
}

export const SOFT_CLIP_DEFAULTS = { knee: 0.7, ceiling: 0.98, range: 4, points: 8193 } as const;

export function softClip(x: number, knee: number = SOFT_CLIP_DEFAULTS.knee, ceiling: number = SOFT_CLIP_DEFAULTS.ceiling): number {
  const a = Math.abs(x);
  if (a <= knee) return x;
  const room = ceiling - knee;
  // Slope 1 at the knee, so the bend adds no kink; approaches `ceiling` asymptotically.
  return Math.sign(x) * (knee + room * Math.tanh((a - knee) / room));
}

/** The WaveShaperNode curve: index i is the input (-1 + 2i/(n-1)) × range. */
export function softClipCurve(options: SoftClipOptions = {}): Float32Array {
  const { knee, ceiling, range, points } = { ...SOFT_CLIP_DEFAULTS, ...options };
  const curve = new Float32Array(points);
  for (let i = 0; i < points; i++) curve[i] = softClip((-1 + (2 * i) / (points - 1)) * range, knee, ceiling);
  return curve;
}
