/**
 * Sample-level figures of a mix: sample peak, clipped samples and runs of them, DC offset per
 * channel, and the inter-channel correlation of a stereo pair. One pass over each channel.
 */

/** A run this long of consecutive full-scale samples is a flat top: clipping, not a chance peak. */
export const CLIP_RUN_MIN = 2;

export interface ChannelStats {
  /** Largest |sample| (linear). */
  samplePeak: number;
  /** Samples with |x| >= 1.0 (full scale; float renders can exceed it). */
  clippedSamples: number;
  /** Runs of at least CLIP_RUN_MIN consecutive clipped samples. */
  clipRuns: number;
  /** The longest run of consecutive clipped samples. */
  longestClipRun: number;
  /** Mean sample value (linear; 0 for an empty channel). */
  dcOffset: number;
}

export function channelStats(channel: Float32Array): ChannelStats {
  let samplePeak = 0;
  let clippedSamples = 0;
  let clipRuns = 0;
  let longestClipRun = 0;
  let run = 0;
  let sum = 0;
  const endRun = () => {
    if (run >= CLIP_RUN_MIN) clipRuns++;
    if (run > longestClipRun) longestClipRun = run;
    run = 0;
  };
  for (let i = 0; i < channel.length; i++) {
    const x = channel[i]!;
    sum += x;
    const a = Math.abs(x);
    if (a > samplePeak) samplePeak = a;
    if (a >= 1) {
      clippedSamples++;
      run++;
    } else if (run > 0) {
      endRun();
    }
  }
  endRun();
  return { samplePeak, clippedSamples, clipRuns, longestClipRun, dcOffset: channel.length ? sum / channel.length : 0 };
}

/**
 * Correlation of two channels, -1 … 1, as a phase-correlation meter reads it over the whole file:
 * Σ l·r / √(Σ l² · Σ r²) (no mean removed: DC is reported apart). +1 is mono, 0 unrelated,
 * negative means the channels cancel when summed to mono. NaN when either channel is silent.
 */
export function correlation(left: Float32Array, right: Float32Array): number {
  if (left.length !== right.length) throw new Error('correlation: channels differ in length');
  let lr = 0;
  let ll = 0;
  let rr = 0;
  for (let i = 0; i < left.length; i++) {
    const l = left[i]!;
    const r = right[i]!;
    lr += l * r;
    ll += l * l;
    rr += r * r;
  }
  return ll > 0 && rr > 0 ? Math.max(-1, Math.min(1, lr / Math.sqrt(ll * rr))) : Number.NaN;
}
