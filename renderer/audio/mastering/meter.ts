/**
 * Every mastering figure of a mix in one call: loudness (BS.1770-4 / R 128), true and sample
 * peak, clipping, stereo balance and correlation, DC offset. Pure: the buffers are only read.
 */
import type { PcmAudio } from '../wav.ts';
import { measureLoudness, type Loudness } from './loudness.ts';
import { channelStats, correlation } from './signal-stats.ts';
import { toDb, truePeak } from './true-peak.ts';

export interface Measurements {
  sampleRate: number;
  channelCount: number;
  durationSeconds: number;
  /** -Infinity when the gates leave nothing (silence, or shorter than 400 ms). */
  integratedLufs: number;
  loudnessRangeLu: number;
  momentaryMaxLufs: number;
  shortTermMaxLufs: number;
  /** Largest over channels; -Infinity for silence. */
  truePeakDbtp: number;
  truePeakPerChannelDbtp: number[];
  /** Seconds from the start to the loudest true peak. */
  truePeakAtSeconds: number;
  samplePeakDbfs: number;
  samplePeakPerChannelDbfs: number[];
  /** Samples at or beyond full scale (|x| >= 1), all channels together. */
  clippedSamples: number;
  /** Runs of 2 or more consecutive full-scale samples, all channels together. */
  clipRuns: number;
  longestClipRun: number;
  /**
   * Stereo only (else null): left minus right level in dB, from each channel's K-weighted power
   * over the blocks that passed the loudness gates, so silence and fades do not sway it.
   */
  balanceDb: number | null;
  /** Stereo only (else null): -1 … 1; null too when a channel is silent. */
  correlation: number | null;
  /** Mean sample value per channel (linear, 1.0 = full scale). */
  dcOffset: number[];
}

export interface MeterResult {
  measurements: Measurements;
  /** The loudness series behind the figures (momentary and short-term every 100 ms), for graphs. */
  loudness: Loudness;
}

export function meter(audio: PcmAudio): MeterResult {
  const { sampleRate, channels } = audio;
  if (channels.length < 1) throw new Error('meter: no channels');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('meter: channels differ in length');
  const stats = channels.map((c) => channelStats(c));
  // A NaN or infinity would poison the filters' state and every figure after it: say where it is.
  stats.forEach((s, c) => {
    if (Number.isFinite(s.dcOffset)) return;
    const frame = channels[c]!.findIndex((v) => !Number.isFinite(v));
    if (frame < 0) return; // finite samples whose sum overflowed: absurd levels, but measurable
    throw new Error(`meter: channel ${c} has a non-finite sample (${channels[c]![frame]}) at frame ${frame}`);
  });
  const loudness = measureLoudness(channels, sampleRate);
  const peaks = channels.map((c) => truePeak(c));
  let loudest = 0;
  peaks.forEach((p, c) => {
    if (p.peak > peaks[loudest]!.peak) loudest = c;
  });
  const stereo = channels.length === 2;
  const [left, right] = loudness.gatedChannelPower;
  const r = stereo ? correlation(channels[0]!, channels[1]!) : Number.NaN;
  const measurements: Measurements = {
    sampleRate,
    channelCount: channels.length,
    durationSeconds: frames / sampleRate,
    integratedLufs: loudness.integratedLufs,
    loudnessRangeLu: loudness.loudnessRangeLu,
    momentaryMaxLufs: loudness.momentaryMaxLufs,
    shortTermMaxLufs: loudness.shortTermMaxLufs,
    truePeakDbtp: toDb(peaks[loudest]!.peak),
    truePeakPerChannelDbtp: peaks.map((p) => toDb(p.peak)),
    truePeakAtSeconds: peaks[loudest]!.frame / sampleRate,
    samplePeakDbfs: toDb(Math.max(...stats.map((s) => s.samplePeak))),
    samplePeakPerChannelDbfs: stats.map((s) => toDb(s.samplePeak)),
    clippedSamples: sum(stats.map((s) => s.clippedSamples)),
    clipRuns: sum(stats.map((s) => s.clipRuns)),
    longestClipRun: Math.max(...stats.map((s) => s.longestClipRun)),
    balanceDb: stereo && left! > 0 && right! > 0 ? 10 * Math.log10(left! / right!) : null,
    correlation: Number.isNaN(r) ? null : r,
    dcOffset: stats.map((s) => s.dcOffset),
  };
  return { measurements, loudness };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
