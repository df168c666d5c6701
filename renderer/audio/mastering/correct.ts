/**
 * The correction offered on export: a gain to a loudness target, then a true-peak limiter. It
 * returns new buffers (the caller's are never written, so undo is keeping the original) and a
 * small, serializable description of what was done, for the exported file's metadata.
 */
import type { PcmAudio } from '../wav.ts';
import { DEFAULT_LOOKAHEAD_MS, DEFAULT_RELEASE_MS, limitTruePeak } from './limiter.ts';
import { meter, type Measurements } from './meter.ts';

/** The usual targets: streaming services (Spotify, YouTube, Tidal…), podcasts, EBU R 128 broadcast. */
export const LOUDNESS_TARGETS = { streaming: -14, podcast: -16, broadcast: -23 } as const;
export type LoudnessTargetName = keyof typeof LOUDNESS_TARGETS;

export const DEFAULT_CEILING_DBTP = -1;

export interface CorrectionOptions {
  /** LUFS, or a named target. */
  target: number | LoudnessTargetName;
  ceilingDbtp?: number;
  /** The input's measurements when already taken (the export dialog shows them first). */
  measured?: Measurements;
}

/** The figures a chain records before and after. */
export interface LoudnessSummary {
  integratedLufs: number;
  loudnessRangeLu: number;
  truePeakDbtp: number;
  samplePeakDbfs: number;
}

export interface MasteringChain {
  /** What the figures mean, for whoever reads the metadata. */
  standard: 'ITU-R BS.1770-4 / EBU R 128';
  targetLufs: number;
  /** The gain applied before the limiter, dB. */
  gainDb: number;
  limiter: {
    ceilingDbtp: number;
    lookaheadMs: number;
    releaseMs: number;
    /** Largest reduction it applied, dB (0 when it never acted). */
    maxReductionDb: number;
    /** Share of the time it reduced the gain by more than 0.1 dB, 0 … 1. */
    limitedShare: number;
  };
  measuredBefore: LoudnessSummary;
  measuredAfter: LoudnessSummary;
}

export interface Correction {
  audio: PcmAudio;
  chain: MasteringChain;
  /** The corrected audio's full measurements (for the report shown next). */
  after: Measurements;
}

export function correctLoudness(audio: PcmAudio, options: CorrectionOptions): Correction {
  const targetLufs = typeof options.target === 'number' ? options.target : LOUDNESS_TARGETS[options.target];
  if (targetLufs === undefined || !Number.isFinite(targetLufs) || targetLufs < -40 || targetLufs > -5) {
    throw new Error(
      `correctLoudness: target ${String(options.target)} is not a loudness between -40 and -5 LUFS or one of ${Object.keys(LOUDNESS_TARGETS).join(', ')}`,
    );
  }
  const ceilingDbtp = options.ceilingDbtp ?? DEFAULT_CEILING_DBTP;
  if (!Number.isFinite(ceilingDbtp) || ceilingDbtp > 0)
    throw new Error(`correctLoudness: ceiling ${ceilingDbtp} dBTP must be a number no higher than 0`);
  const before = options.measured ?? meter(audio).measurements;
  if (!Number.isFinite(before.integratedLufs)) {
    throw new Error('correctLoudness: the audio is silent (nothing passes the loudness gates), so it has no loudness to normalize');
  }
  const gainDb = targetLufs - before.integratedLufs;
  const gain = 10 ** (gainDb / 20);
  const gained = audio.channels.map((c) => {
    const y = new Float32Array(c.length);
    for (let i = 0; i < c.length; i++) y[i] = c[i]! * gain;
    return y;
  });
  // A gain scales the true peak by exactly itself, so when the result already sits under the
  // ceiling the limiter has nothing to do and is skipped (it would leave every sample as it is).
  const needsLimiter = before.truePeakDbtp + gainDb > ceilingDbtp;
  const limited = needsLimiter
    ? limitTruePeak(gained, audio.sampleRate, { ceilingDbtp, lookaheadMs: DEFAULT_LOOKAHEAD_MS, releaseMs: DEFAULT_RELEASE_MS })
    : { channels: gained, maxReductionDb: 0, limitedShare: 0 };
  const corrected: PcmAudio = { sampleRate: audio.sampleRate, channels: limited.channels };
  const after = meter(corrected).measurements;
  return {
    audio: corrected,
    after,
    chain: {
      standard: 'ITU-R BS.1770-4 / EBU R 128',
      targetLufs,
      gainDb: round(gainDb),
      limiter: {
        ceilingDbtp,
        lookaheadMs: DEFAULT_LOOKAHEAD_MS,
        releaseMs: DEFAULT_RELEASE_MS,
        maxReductionDb: round(limited.maxReductionDb),
        limitedShare: round(limited.limitedShare, 4),
      },
      measuredBefore: summary(before),
      measuredAfter: summary(after),
    },
  };
}

function summary(m: Measurements): LoudnessSummary {
  return {
    integratedLufs: round(m.integratedLufs),
    loudnessRangeLu: round(m.loudnessRangeLu),
    truePeakDbtp: round(m.truePeakDbtp),
    samplePeakDbfs: round(m.samplePeakDbfs),
  };
}

/** Metadata carries hundredths of a dB: finer is noise, and it keeps the JSON short. */
function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
