/**
 * Mastering checks for exports: measure a mix (meter), say what the figures mean (report), and
 * offer the loudness correction (correctLoudness). Pure, synchronous, and Node-tested; the export
 * dialog runs them on the rendered mix.
 */
export { meter, type Measurements, type MeterResult } from './meter.ts';
export {
  report,
  describeCorrection,
  formatNumber,
  STREAMING_REFERENCE_LUFS,
  type ReportLine,
  type ReportOptions,
  type Verdict,
  type Figure,
} from './report.ts';
export {
  correctLoudness,
  LOUDNESS_TARGETS,
  DEFAULT_CEILING_DBTP,
  type Correction,
  type CorrectionOptions,
  type LoudnessSummary,
  type LoudnessTargetName,
  type MasteringChain,
} from './correct.ts';
export type { Loudness } from './loudness.ts';
