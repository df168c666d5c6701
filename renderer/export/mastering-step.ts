/**
 * The export dialog's mastering step: measure the rendered mix (renderer/audio/mastering/), show
 * the figures as rows, and offer the loudness corrections. The rendered mix is never written:
 * "none" is the original, and each correction is computed once into new buffers and kept, so
 * switching between them (undo included) before saving costs nothing after the first time.
 *
 * The work (about 0.4 s to meter 3 minutes, 1–2 s to correct on a 2-core machine) runs where
 * `work` says (mastering-work.ts): in a Web Worker in the app, on this thread in Node tests.
 */
import type { RenderedAudio } from '../audio/contract.ts';
import {
  describeCorrection,
  formatNumber,
  LOUDNESS_TARGETS,
  report,
  type Figure,
  type LoudnessTargetName,
  type MasteringChain,
  type Measurements,
  type ReportLine,
} from '../audio/mastering/index.ts';
import type { LoudnessFigure } from './loudness-figure.ts';
import { onThisThread, type MasteringWork } from './mastering-work.ts';

export type CorrectionId = 'none' | LoudnessTargetName;

export interface CorrectionOption {
  id: CorrectionId;
  label: string;
  detail: string;
}

/** What the dialog offers, "none" first (the default: the mix as rendered). */
export const CORRECTIONS: readonly CorrectionOption[] = [
  { id: 'none', label: 'None', detail: 'the mix as rendered' },
  { id: 'streaming', label: `Streaming (${lufs(LOUDNESS_TARGETS.streaming)})`, detail: 'Spotify, YouTube, Apple Music, Tidal' },
  { id: 'podcast', label: `Podcast (${lufs(LOUDNESS_TARGETS.podcast)})`, detail: 'podcast platforms, spoken word' },
  { id: 'broadcast', label: `Broadcast (${lufs(LOUDNESS_TARGETS.broadcast)})`, detail: 'EBU R 128 radio and TV' },
];

/** One correction, or none: what the dialog shows and what it saves. */
export interface MasteringOutcome {
  correction: CorrectionId;
  /** The figures of the mix that will be saved. */
  report: LoudnessFigure[];
  /** The corrected mix (absent for "none": the rendered one is saved). */
  mix?: RenderedAudio;
  /** Written into the file's metadata (absent for "none"). */
  masteringChain?: Record<string, unknown>;
  /** describeCorrection's sentence (absent for "none"). */
  summary?: string;
}

export interface MasteringSession {
  /** The rendered mix's own figures. */
  before: MasteringOutcome;
  corrections: readonly CorrectionOption[];
  /** The outcome of a correction: computed the first time, then the same object. */
  apply(id: string): Promise<MasteringOutcome>;
}

const LABELS: Record<Figure, string> = {
  'integrated-loudness': 'Integrated loudness',
  'loudness-range': 'Loudness range',
  'true-peak': 'True peak',
  clipping: 'Clipping',
  'stereo-balance': 'Stereo balance',
  'stereo-correlation': 'Stereo correlation',
  'dc-offset': 'DC offset',
};

/** A report line as a dialog row: its name, its value as read ("−9.1 LUFS"), verdict and words. */
export function toFigure(line: ReportLine): LoudnessFigure {
  return { figure: LABELS[line.figure], value: formatValue(line), verdict: line.verdict, words: line.words };
}

function formatValue(line: ReportLine): string {
  if (line.value === null) return '—';
  switch (line.figure) {
    case 'clipping':
      return `${line.value} ${line.value === 1 ? 'sample' : 'samples'}`;
    case 'stereo-balance':
      return Math.abs(line.value) < 0.05 ? '0.0 dB' : `${formatNumber(Math.abs(line.value))} dB ${line.value > 0 ? 'left' : 'right'}`;
    case 'stereo-correlation':
      return formatNumber(line.value, 2, true);
    case 'dc-offset':
      return `${formatNumber(line.value, 2, true)} %`;
    case 'true-peak':
      return `${formatNumber(line.value, 1, true)} dBTP`;
    default:
      return `${formatNumber(line.value)} ${line.unit}`;
  }
}

export function figures(measurements: Measurements): LoudnessFigure[] {
  return report(measurements).map(toFigure);
}

/** Measures the mix and returns the session the dialog chooses corrections from. */
export async function startMastering(mix: RenderedAudio, work: MasteringWork = onThisThread(mix)): Promise<MasteringSession> {
  const measured = await work.measure();
  const before: MasteringOutcome = { correction: 'none', report: figures(measured) };
  const done = new Map<CorrectionId, Promise<MasteringOutcome>>([['none', Promise.resolve(before)]]);
  const silent = !Number.isFinite(measured.integratedLufs);
  return {
    before,
    // A silent mix has no loudness to normalize: only "none" is offered.
    corrections: silent ? CORRECTIONS.filter((c) => c.id === 'none') : CORRECTIONS,
    apply(id) {
      if (!CORRECTIONS.some((c) => c.id === id)) {
        return Promise.reject(new Error(`Unknown loudness correction "${id}": choose one of ${CORRECTIONS.map((c) => c.id).join(', ')}`));
      }
      if (silent && id !== 'none') return Promise.reject(new Error('The mix is silent: it has no loudness to normalize'));
      let outcome = done.get(id as CorrectionId);
      if (!outcome) {
        outcome = correct(mix, measured, id as LoudnessTargetName, work);
        done.set(id as CorrectionId, outcome);
        // A failure is not remembered: choosing it again tries again.
        outcome.catch(() => done.delete(id as CorrectionId));
      }
      return outcome;
    },
  };
}

async function correct(
  mix: RenderedAudio,
  measured: Measurements,
  target: LoudnessTargetName,
  work: MasteringWork,
): Promise<MasteringOutcome> {
  const fixed = await work.correct(target, measured);
  return {
    correction: target,
    report: figures(fixed.after),
    mix: { sampleRate: fixed.audio.sampleRate, channels: fixed.audio.channels, duration: mix.duration },
    masteringChain: chainMetadata(fixed.chain),
    summary: describeCorrection(fixed.chain),
  };
}

/**
 * What to encode for the chosen outcome: the corrected mix in place of the rendered one (the stems
 * as rendered: they are for remixing), and its chain for the metadata; for none (or no mastering)
 * the rendered export itself and no chain, so the file is the one an uncorrected export writes.
 */
// Generic over the rendered export (export-song.ts's RenderedExport) so that this module stays free
// of the encoders' browser-only types and runs under Node.
export function exportInput<R extends { mix: RenderedAudio }>(
  rendered: R,
  outcome: { mix?: RenderedAudio; masteringChain?: Record<string, unknown> } | null,
): { rendered: R; masteringChain?: Record<string, unknown> } {
  if (!outcome?.mix) return { rendered };
  return { rendered: { ...rendered, mix: outcome.mix }, masteringChain: outcome.masteringChain };
}

/** The chain as it goes into the file (a plain JSON object: export-metadata serializes it). */
export function chainMetadata(chain: MasteringChain): Record<string, unknown> {
  return JSON.parse(JSON.stringify(chain)) as Record<string, unknown>;
}

function lufs(value: number): string {
  return `${formatNumber(value, 0)} LUFS`;
}
