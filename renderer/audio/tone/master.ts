/**
 * The master bus: everything sums into `input`, passes a limiter (a fast, hard compressor: the
 * browser's compressor looks ahead a few ms, so it catches most transients), then the soft clip
 * (../soft-clip.ts), which guarantees no output sample reaches full scale. Headroom in front keeps
 * a normal mix well under the limiter, so it only works on peaks.
 */
import { Compressor, Gain, WaveShaper, type BaseContext, type ToneAudioNode } from 'tone';
import { SOFT_CLIP_DEFAULTS, softClipCurve } from '../soft-clip.ts';

export interface MasterBus {
  readonly input: ToneAudioNode;
  dispose(): void;
}

/**
 * The browser's compressor delays its output by a fixed 6 ms look-ahead (Chromium's
 * DynamicsCompressorNode pre-delay). Offline renders trim it so sample 0 is the song's start;
 * the live playhead allows for it so the drawn position matches what is heard.
 */
export const LIMITER_LATENCY = 0.006;

/**
 * A fresh compressor starts fully clamped and releases from there, which would squash the first
 * beat of a render; offline renders start this long after the context does, then trim it away.
 */
export const LIMITER_SETTLE = 0.3;

/** About -4 dB: eight tracks at 0 dB sum well past full scale otherwise. */
export const MASTER_HEADROOM = 0.63;

export function createMasterBus(context: BaseContext, destination: ToneAudioNode): MasterBus {
  const input = new Gain({ context, gain: MASTER_HEADROOM });
  const limiter = new Compressor({ context, threshold: -3, ratio: 20, knee: 0, attack: 0.001, release: 0.12 });
  // The wave shaper's curve spans ±range; scale the signal into its [-1, 1] input first.
  const intoCurve = new Gain({ context, gain: 1 / SOFT_CLIP_DEFAULTS.range });
  // `mapping` (not `curve`, which Tone ignores) takes the curve as an array.
  const clip = new WaveShaper({ context, mapping: softClipCurve() });
  input.chain(limiter, intoCurve, clip, destination);
  return {
    input,
    dispose() {
      for (const node of [input, limiter, intoCurve, clip]) node.dispose();
    },
  };
}
