/**
 * The model's vocabulary, version riffroom-v1: every token the tokenizer writes and the model
 * reads, in id order. The list is built from the constants below; `vocabularyFile()` is the
 * canonical JSON written beside each model (its sha256 goes in the model card and is checked at
 * load), so a model can never be run with a tokenizer that numbers tokens differently.
 */
import { CHORD_QUALITIES } from '../../core/theory/chords.ts';
import type { Meter } from '../../core/time.ts';
import { ENERGY_LEVELS, ENERGY_THRESHOLDS, energyLevel as partEnergyLevel } from '../../core/analysis/energy.ts';

export const VOCABULARY_VERSION = 'riffroom-v1';

/** The parts the model writes: four instrument roles plus the chord track. */
export const MODEL_ROLES = ['drums', 'bass', 'keys', 'lead', 'chords'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
export type NoteRole = Exclude<ModelRole, 'chords'>;

/** What the model is asked to do; the context section before SEP depends on it. */
export const TASKS = ['generate', 'infill', 'vary', 'accompany'] as const;
export type Task = (typeof TASKS)[number];

/** Styles named by the datasets (Groove, OpenEWLD genres, POP909 = pop); 'any' when unknown. */
export const STYLES = [
  'any',
  'pop',
  'rock',
  'funk',
  'soul',
  'jazz',
  'latin',
  'hiphop',
  'afrocuban',
  'punk',
  'country',
  'gospel',
  'reggae',
  'afrobeat',
  'blues',
  'folk',
  'classical',
  'electronic',
  'stage',
  'neworleans',
  'middleeastern',
  'highlife',
  'dance',
] as const;
export type Style = (typeof STYLES)[number];

export const METERS = ['2/4', '3/4', '4/4', '5/4', '6/4', '7/4', '2/2', '3/2', '3/8', '6/8', '7/8', '9/8', '12/8'] as const;

/**
 * The time grid: 12 steps per quarter note, so straight 16ths (3 steps) and 8th- and 16th-note
 * triplets (4 and 2 steps) all land exactly. One step is 40 of core's 480 ticks per quarter.
 */
export const GRID_PER_QUARTER = 12;
export const TICKS_PER_STEP = 40;
/** Longest bar the grid holds: 8 quarters (12/8, 7/4 and 3/2 fit). */
export const MAX_BAR_STEPS = 96;
/** Longest note: 16 quarters. Longer notes are shortened to this. */
export const MAX_DURATION_STEPS = 192;
export const VELOCITY_LEVELS = 16;
export const MAX_BARS = 16;
/** Tempo bucket b holds bpm in [TEMPO_EDGES[b-1], TEMPO_EDGES[b]). */
export const TEMPO_EDGES = [70, 85, 100, 115, 130, 145, 165];

/**
 * Energy = notes (chords: chord changes) per bar of the part; the levels and their thresholds live
 * in core (core/analysis/energy.ts) so the library's metadata reports energy on the same scale.
 */
export { ENERGY_LEVELS, ENERGY_THRESHOLDS } from '../../core/analysis/energy.ts';

/** Pitches each role may write (drums: the nine General MIDI kit pieces the data is mapped to). */
export const DRUM_PITCHES = [36, 38, 42, 46, 45, 48, 50, 49, 51] as const;
export const PITCH_RANGES: Record<Exclude<NoteRole, 'drums'>, { low: number; high: number }> = {
  bass: { low: 24, high: 64 },
  keys: { low: 21, high: 108 },
  lead: { low: 36, high: 100 },
};

const SPECIALS = ['PAD', 'BOS', 'EOS', 'SEP', 'CTX', 'MASK', 'CHORDS', 'BAR'] as const;
export type SpecialToken = (typeof SPECIALS)[number];

const KEY_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'];

function buildTokens(): string[] {
  const tokens: string[] = [...SPECIALS];
  for (const role of MODEL_ROLES) tokens.push(`ROLE_${role}`);
  for (const task of TASKS) tokens.push(`TASK_${task}`);
  for (const style of STYLES) tokens.push(`STYLE_${style}`);
  tokens.push('KEY_none');
  for (let tonic = 0; tonic < 12; tonic++) tokens.push(`KEY_${KEY_NAMES[tonic]}_major`, `KEY_${KEY_NAMES[tonic]}_minor`);
  for (const meter of METERS) tokens.push(`METER_${meter}`);
  for (let b = 0; b <= TEMPO_EDGES.length; b++) tokens.push(`TEMPO_${b}`);
  for (let n = 1; n <= MAX_BARS; n++) tokens.push(`BARS_${n}`);
  for (let e = 0; e < ENERGY_LEVELS; e++) tokens.push(`ENERGY_${e}`);
  for (let p = 0; p < MAX_BAR_STEPS; p++) tokens.push(`POS_${p}`);
  for (let p = 0; p < 128; p++) tokens.push(`PITCH_${p}`);
  for (let v = 0; v < VELOCITY_LEVELS; v++) tokens.push(`VEL_${v}`);
  for (let d = 1; d <= MAX_DURATION_STEPS; d++) tokens.push(`DUR_${d}`);
  for (let r = 0; r < 12; r++) tokens.push(`CROOT_${r}`);
  tokens.push('CROOT_none');
  for (const quality of CHORD_QUALITIES) tokens.push(`CQUAL_${quality}`);
  return tokens;
}

export interface VocabularyFile {
  version: string;
  tokens: string[];
  grid: { perQuarter: number; ticksPerStep: number; maxBarSteps: number; maxDurationSteps: number };
  velocityLevels: number;
  tempoEdges: number[];
  energyThresholds: Record<string, readonly number[]>;
  drumPitches: readonly number[];
  pitchRanges: Record<string, { low: number; high: number }>;
}

/** The canonical vocabulary file, as written beside a model (see vocabularyJson). */
export function vocabularyFile(): VocabularyFile {
  return {
    version: VOCABULARY_VERSION,
    tokens: buildTokens(),
    grid: { perQuarter: GRID_PER_QUARTER, ticksPerStep: TICKS_PER_STEP, maxBarSteps: MAX_BAR_STEPS, maxDurationSteps: MAX_DURATION_STEPS },
    velocityLevels: VELOCITY_LEVELS,
    tempoEdges: TEMPO_EDGES,
    energyThresholds: ENERGY_THRESHOLDS,
    drumPitches: DRUM_PITCHES,
    pitchRanges: PITCH_RANGES,
  };
}

/** Exact bytes of the vocabulary file (stable key order, 2-space indent, trailing newline). */
export function vocabularyJson(): string {
  return `${JSON.stringify(vocabularyFile(), null, 2)}\n`;
}

/** Token id lookups for the current vocabulary. */
export class Vocabulary {
  readonly tokens: readonly string[];
  readonly size: number;
  private readonly ids: Map<string, number>;

  constructor(tokens: readonly string[] = buildTokens()) {
    this.tokens = tokens;
    this.size = tokens.length;
    this.ids = new Map(tokens.map((t, i) => [t, i]));
  }

  id(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`unknown token "${token}" in vocabulary ${VOCABULARY_VERSION}`);
    return id;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  token(id: number): string {
    const token = this.tokens[id];
    if (token === undefined) throw new Error(`token id ${id} is outside the vocabulary (size ${this.size})`);
    return token;
  }
}

export const VOCAB = new Vocabulary();

export function meterName(meter: Meter): string {
  return `${meter.numerator}/${meter.denominator}`;
}

export function isSupportedMeter(meter: Meter): boolean {
  return (METERS as readonly string[]).includes(meterName(meter));
}

/** Grid steps in one bar of the meter. */
export function barSteps(meter: Meter): number {
  return (meter.numerator * 4 * GRID_PER_QUARTER) / meter.denominator;
}

export function tempoBucket(bpm: number): number {
  let bucket = 0;
  while (bucket < TEMPO_EDGES.length && bpm >= TEMPO_EDGES[bucket]!) bucket++;
  return bucket;
}

export function energyLevel(role: ModelRole, eventsPerBar: number): number {
  return partEnergyLevel(role, eventsPerBar);
}

export function velocityLevel(velocity: number): number {
  return Math.max(0, Math.min(VELOCITY_LEVELS - 1, Math.floor(velocity / 8)));
}

export function velocityOfLevel(level: number): number {
  return level * 8 + 4;
}

export function keyTokenName(key: { tonic: number; mode: 'major' | 'minor' } | null): string {
  return key === null ? 'KEY_none' : `KEY_${KEY_NAMES[key.tonic]}_${key.mode}`;
}
