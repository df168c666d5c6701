/**
 * The musicality report of eval:model: is what the model writes like real music, as closely as
 * real music is like itself? For each role, 4-bar windows of held-out songs; for each window the
 * real part and a part the model writes for the same conditions (key, chords, style, tempo, energy
 * from the real part's density). Per-window metrics (window-metrics.ts) are compared as
 * distributions (distribution.ts): real vs model, beside a control of real vs real, the windows
 * split in two halves by song. The model also scores each real window: bits per note and per bar,
 * which compare across tokenizations unlike NLL per token.
 */
import type { Key } from '../../../core/song/types.ts';
import { ticksPerBar } from '../../../core/time.ts';
import type { CausalLm } from '../../../inference/engine/causal-lm.ts';
import { DEFAULT_FOLLOW_CHORDS } from '../../../inference/engine/follow-chords.ts';
import { generatePart } from '../../../inference/engine/generate.ts';
import { registerSpanOf } from '../../../inference/engine/register.ts';
import { leapDampingOf } from '../../../inference/engine/line-leaps.ts';
import { repeatDampingOf, topRepeatDampingOf } from '../../../inference/engine/line-repeats.ts';
import type { SamplingSettings } from '../../../inference/engine/sampler.ts';
import { decodePart, sliceChords, type Part, type TokenChord } from '../../../inference/tokenizer/events.ts';
import { encodeExample, encodePrompt, sepIndex, targetChords, type Prompt } from '../../../inference/tokenizer/prompt.ts';
import { energyLevel, isSupportedMeter, type NoteRole } from '../../../inference/tokenizer/vocabulary.ts';
import type { Piece } from '../piece.ts';
import { seededRandom } from '../../../core/random.ts';
import { fnv1a, splitOf } from '../splits.ts';
import { METRIC_BINS, histogram, overlap, summarize, type Summary } from './distribution.ts';
import { modelNll, scoredPositions } from './nll.ts';
import { windowMetrics, type WindowMetrics } from './window-metrics.ts';

export const WINDOW_BARS = 4;
export const MUSICALITY_ROLES: NoteRole[] = ['drums', 'bass', 'keys', 'lead'];
/** The brief's yardstick: a metric passes when its overlap is at most this much below the control's. */
export const OVERLAP_TOLERANCE = 0.1;

/** One 4-bar window of a held-out piece, with the real part on the model's grid. */
export interface EvalWindow {
  pieceId: string;
  group: string;
  startBar: number;
  prompt: Prompt;
  chords: TokenChord[] | null;
  /** The real window as the model would write it (encodeExample, decoded back). */
  realTokens: number[];
  real: Part & { role: NoteRole };
}

/**
 * Up to `count` windows for `role`, spread evenly over every candidate window (bars 0, 4, 8, ...
 * of held-out pieces, with at least one note), so they come from as many songs as possible.
 */
export function selectWindows(pieces: readonly Piece[], role: NoteRole, count: number): EvalWindow[] {
  const candidates: EvalWindow[] = [];
  const sorted = pieces.filter(
    (p) => splitOf(p) === 'valid' && isSupportedMeter(p.meter) && p.tracks.some((t) => t.role === role && t.notes.length > 0),
  );
  sorted.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const piece of sorted) {
    for (let start = 0; start + WINDOW_BARS <= piece.lengthBars; start += WINDOW_BARS) {
      const w = windowOf(piece, role, start);
      if (w) candidates.push(w);
    }
  }
  if (candidates.length <= count) return candidates;
  return Array.from({ length: count }, (_, i) => candidates[Math.floor((i * candidates.length) / count)]!);
}

function windowOf(piece: Piece, role: NoteRole, start: number): EvalWindow | null {
  const bar = ticksPerBar(piece.meter);
  const target: Part = { role, notes: piece.tracks.filter((t) => t.role === role).flatMap((t) => t.notes) };
  const chords = role === 'drums' || piece.chords.length === 0 ? null : sliceChords(piece.chords, start * bar, WINDOW_BARS * bar);
  const base: Prompt = {
    conditions: {
      role,
      task: 'generate',
      style: piece.style,
      key: role === 'drums' ? null : keyAt(piece, start * bar),
      meter: piece.meter,
      bpm: piece.bpm,
      bars: WINDOW_BARS,
      energy: 0,
    },
    chords,
  };
  // The real part on the model's grid: encoded, then read back (quantized, in the role's range).
  const draft = encodeExample(base, target, start, WINDOW_BARS);
  const decoded = decodePart(draft.slice(sepIndex(draft) + 1), role, piece.meter).part;
  if (decoded.role === 'chords' || decoded.notes.length === 0) return null;
  const real = decoded as Part & { role: NoteRole };
  const prompt: Prompt = { ...base, conditions: { ...base.conditions, energy: energyLevel(role, real.notes.length / WINDOW_BARS) } };
  const realTokens = encodeExample(prompt, target, start, WINDOW_BARS);
  return { pieceId: piece.id, group: piece.group, startBar: start, prompt, chords: targetChords(prompt, 0, WINDOW_BARS), realTokens, real };
}

function keyAt(piece: Piece, tick: number): Key | null {
  let key = piece.keys[0]?.key ?? null;
  for (const change of piece.keys) if (change.tick <= tick) key = change.key;
  return key;
}

function metricsOf(w: EvalWindow, notes: Part & { role: NoteRole }): WindowMetrics {
  return windowMetrics({
    role: w.real.role,
    notes: notes.notes,
    bars: WINDOW_BARS,
    meter: w.prompt.conditions.meter,
    key: w.prompt.conditions.key,
    chords: w.chords,
  });
}

export interface MetricComparison {
  real: Summary;
  model: Summary;
  /** Overlap of the real and the model's histograms. */
  overlap: number;
  /**
   * The yardstick: overlap of two halves of the real windows, split by song; the mean over
   * CONTROL_SPLITS random splits (one split alone moves by ±0.05-0.10 with 120 windows).
   */
  control: number;
  /** The control's spread over those splits: 10th and 90th percentile. */
  controlP10: number;
  controlP90: number;
  /** overlap >= control - OVERLAP_TOLERANCE. */
  pass: boolean;
  /** The two histograms the overlap compares (shares per bin of METRIC_BINS), to see where they part. */
  realHistogram: number[];
  modelHistogram: number[];
}

/** Random song splits the control is averaged over. */
export const CONTROL_SPLITS = 100;

/**
 * Compares per-window metric records: real vs model, and the control: real vs real over `splits`
 * (pairs of halves of the real windows; see songSplits).
 */
export function compareMetrics(
  real: readonly WindowMetrics[],
  model: readonly WindowMetrics[],
  splits: readonly (readonly [readonly WindowMetrics[], readonly WindowMetrics[]])[],
): Record<string, MetricComparison> {
  const names = [...new Set(real.flatMap((m) => Object.keys(m)))].filter((n) => METRIC_BINS[n]);
  const out: Record<string, MetricComparison> = {};
  const values = (rows: readonly WindowMetrics[], name: string) => rows.map((m) => m[name]).filter((v): v is number => v !== undefined);
  for (const name of names) {
    const bins = METRIC_BINS[name]!;
    const o = overlap(values(real, name), values(model, name), bins);
    const controls = splits
      .map(([a, b]) => overlap(values(a, name), values(b, name), bins))
      .filter((x) => !Number.isNaN(x))
      .sort((x, y) => x - y);
    const c = controls.length === 0 ? Number.NaN : controls.reduce((sum, x) => sum + x, 0) / controls.length;
    const at = (q: number) => controls[Math.round(q * (controls.length - 1))] ?? Number.NaN;
    out[name] = {
      real: summarize(values(real, name)),
      model: summarize(values(model, name)),
      overlap: o,
      control: c,
      controlP10: at(0.1),
      controlP90: at(0.9),
      pass: o >= c - OVERLAP_TOLERANCE,
      realHistogram: histogram(values(real, name), bins),
      modelHistogram: histogram(values(model, name), bins),
    };
  }
  return out;
}

/**
 * `count` splits of the windows in two halves by song (no song on both sides): the first in hash
 * order (songHalves), the others at random from a fixed seed, so a run repeats exactly.
 */
export function songSplits<T extends { group: string }>(windows: readonly T[], count: number, seed = 1): [T[], T[]][] {
  const splits: [T[], T[]][] = [songHalves(windows)];
  const groups = [...new Set(windows.map((w) => w.group))].sort();
  const random = seededRandom(seed);
  while (splits.length < count) {
    // A random half of the songs (shuffled, then the first half), so the halves stay near equal.
    const order = groups
      .map((g) => ({ g, r: random() }))
      .sort((x, y) => x.r - y.r)
      .map((x) => x.g);
    const inA = new Set(order.slice(0, Math.ceil(order.length / 2)));
    splits.push([windows.filter((w) => inA.has(w.group)), windows.filter((w) => !inA.has(w.group))]);
  }
  return splits;
}

/** Song halves for the control: songs (groups) in hash order, alternately to A and B. */
export function songHalves<T extends { group: string }>(windows: readonly T[]): [T[], T[]] {
  const groups = [...new Set(windows.map((w) => w.group))].sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1));
  const inA = new Set(groups.filter((_, i) => i % 2 === 0));
  return [windows.filter((w) => inA.has(w.group)), windows.filter((w) => !inA.has(w.group))];
}

export interface MusicalityOptions {
  windows: number;
  sampling: SamplingSettings;
  /** Follow-the-chords strength for generation; absent: each role's default (DEFAULT_FOLLOW_CHORDS). */
  followChords?: number;
  /** Keep-register span for every role (0: none); absent: each role's default (DEFAULT_REGISTER_SPAN). */
  span?: number;
  /** Repeat damping for every role; absent: each role's default (DEFAULT_REPEAT_DAMPING). */
  repeatDamping?: number;
  /** Top-repeat damping for every role; absent: each role's default (DEFAULT_TOP_REPEAT_DAMPING). */
  topRepeatDamping?: number;
  /** Leap damping for every role; absent: each role's default (DEFAULT_LEAP_DAMPING). */
  leapDamping?: number;
  seed?: number;
  roles?: readonly NoteRole[];
  log?: (line: string) => void;
}

export interface RoleReport {
  windows: number;
  songs: number;
  metrics: Record<string, MetricComparison>;
  /** The model's score of the real windows. */
  bitsPerNote: number;
  bitsPerBar: number;
  /** The follow-the-chords strength the model's parts were written with. */
  followChords: number;
  /** Generated windows whose decode failed or held the wrong bar count (should be 0). */
  invalid: number;
}

export async function musicalityReport(
  lm: CausalLm,
  pieces: readonly Piece[],
  options: MusicalityOptions,
): Promise<Record<string, RoleReport>> {
  const log = options.log ?? (() => {});
  const report: Record<string, RoleReport> = {};
  for (const role of options.roles ?? MUSICALITY_ROLES) {
    const windows = selectWindows(pieces, role, options.windows);
    if (windows.length === 0) continue;
    const real: WindowMetrics[] = [];
    const model: WindowMetrics[] = [];
    let bits = 0;
    let notes = 0;
    let invalid = 0;
    for (const [i, w] of windows.entries()) {
      real.push(metricsOf(w, w.real));
      bits += (await modelNll(lm, w.realTokens, scoredPositions(w.realTokens))) / Math.LN2;
      notes += w.real.notes.length;
      const [tokens] = await generatePart(lm, {
        prompt: encodePrompt(w.prompt),
        role,
        meter: w.prompt.conditions.meter,
        bars: WINDOW_BARS,
        batch: 1,
        seed: (options.seed ?? 1) * 100_003 + i,
        sampling: options.sampling,
        chords: w.chords,
        followChords: options.followChords ?? DEFAULT_FOLLOW_CHORDS[role],
        span: options.span === undefined ? registerSpanOf(role) : options.span || undefined,
        repeatDamping: options.repeatDamping ?? repeatDampingOf(role),
        topRepeatDamping: options.topRepeatDamping ?? topRepeatDampingOf(role),
        leapDamping: options.leapDamping ?? leapDampingOf(role),
      });
      const decoded = decodePart(tokens!, role, w.prompt.conditions.meter);
      if (decoded.bars !== WINDOW_BARS || decoded.part.role === 'chords') {
        invalid++;
        continue;
      }
      model.push(metricsOf(w, decoded.part as Part & { role: NoteRole }));
    }
    const splits = songSplits(
      windows.map((w, i) => ({ group: w.group, m: real[i]! })),
      CONTROL_SPLITS,
    ).map(([a, b]) => [a.map((x) => x.m), b.map((x) => x.m)] as const);
    report[role] = {
      windows: windows.length,
      songs: new Set(windows.map((w) => w.group)).size,
      metrics: compareMetrics(real, model, splits),
      followChords: options.followChords ?? DEFAULT_FOLLOW_CHORDS[role],
      bitsPerNote: round(bits / notes),
      bitsPerBar: round(bits / (windows.length * WINDOW_BARS)),
      invalid,
    };
    log(`musicality ${role}: ${windows.length} windows from ${report[role].songs} songs`);
  }
  return report;
}

/** A readable table per role: metric, real and model mean ± sd, overlap, control, pass. */
export function musicalityTable(report: Record<string, RoleReport>): string {
  const lines: string[] = [];
  const f = (x: number, d = 2) => (Number.isNaN(x) ? '–' : x.toFixed(d));
  for (const [role, r] of Object.entries(report)) {
    lines.push(
      `### ${role}: ${r.windows} windows, ${r.songs} songs, follow-chords ${r.followChords}; model on real windows: ${f(r.bitsPerNote)} bits/note, ${f(r.bitsPerBar, 1)} bits/bar${r.invalid ? `; ${r.invalid} invalid` : ''}`,
      '',
    );
    lines.push('| metric | real mean ± sd | model mean ± sd | overlap | control (p10-p90) | within 0.10 |', '|---|---|---|---|---|---|');
    for (const [name, m] of Object.entries(r.metrics)) {
      lines.push(
        `| ${name} | ${f(m.real.mean)} ± ${f(m.real.sd)} | ${f(m.model.mean)} ± ${f(m.model.sd)} | ${f(m.overlap)} | ${f(m.control)} (${f(m.controlP10)}-${f(m.controlP90)}) | ${m.pass ? 'yes' : 'NO'} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Rounds every number of a report for JSON. */
export function roundReport<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' ? round(v) : v))) as T;
}

function round(x: number, digits = 4): number {
  return Number(x.toFixed(digits));
}
