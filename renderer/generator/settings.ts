/**
 * What the AI bandmate panel's controls hold: the part to write (role, style, key, bars, energy),
 * how to sample it (temperature, seed, variations), and what to keep of a selected clip (mode,
 * scale lock) and how closely to follow the chords. Plain data; the panel keeps one of these in
 * React state and every request is built from it (build-request.ts).
 */
import type { Key } from '../../core/song/types.ts';
import {
  DEFAULT_FOLLOW_CHORDS,
  ENERGY_LEVELS,
  MAX_BARS,
  MODEL_ROLES,
  STYLES,
  type Mode,
  type ModelRole,
  type Style,
} from '../../inference/contract.ts';

export { MODEL_ROLES, STYLES, type ModelRole, type Style };

/** Alternatives decoded in one batch (the engine's limit, inference/engine/plan.ts MAX_VARIATIONS). */
export const MAX_VARIATIONS = 8;
export const MAX_GENERATED_BARS = MAX_BARS;

/** Energy levels as musicians say them, 0 (sparse) .. 4 (busy): the library's metadata uses the same words. */
export { ENERGY_LABELS } from '../../core/analysis/energy.ts';

export const MODE_LABELS: Record<Mode, string> = {
  free: 'free',
  'keep-rhythm': 'keep rhythm, new notes',
  'keep-notes': 'keep notes, new rhythm',
};

export const TEMPERATURE_RANGE = { min: 0.1, max: 2, step: 0.05 } as const;
/** The engine's sampling defaults (inference/engine/sampler.ts DEFAULT_SAMPLING); only temperature is a control. */
export const TOP_K = 0;
export const TOP_P = 0.95;

/** The largest seed the engine takes (a uint32). */
export const MAX_SEED = 0xffffffff;

export interface GeneratorSettings {
  role: ModelRole;
  style: Style;
  /** null: the song's key, whatever it is when the request is made. */
  key: Key | null;
  /** Bars to write; for Continue, bars added after the clip. */
  bars: number;
  energy: number;
  temperature: number;
  seed: number;
  variations: number;
  /** For Vary and Fill: what of the clip to keep. */
  mode: Mode;
  /** Keep free pitches in the key's scale. */
  scaleLock: boolean;
  /**
   * Follow the chords, 0..1: how strongly notes on a beat keep to the chord's tones; null: the
   * role's default (the engine's DEFAULT_FOLLOW_CHORDS), which the request then leaves unnamed.
   */
  followChords: number | null;
}

export const DEFAULT_SETTINGS: GeneratorSettings = {
  role: 'bass',
  style: 'any',
  key: null,
  bars: 4,
  energy: 2,
  temperature: 1,
  seed: 1234,
  variations: 3,
  mode: 'free',
  scaleLock: false,
  followChords: null,
};

export const FOLLOW_CHORDS_STEP = 0.1;

/** Whether a role has chords to follow (drums and the chord track do not). */
export const followsChords = (role: ModelRole): boolean => role === 'bass' || role === 'keys' || role === 'lead';

/** The strength the panel shows and a request decodes with: the chosen one, or the role's default. */
export function followChordsShown(s: Pick<GeneratorSettings, 'role' | 'followChords'>): number {
  return s.followChords ?? DEFAULT_FOLLOW_CHORDS[s.role];
}

const clampInt = (value: number, min: number, max: number, fallback: number): number =>
  Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;

/**
 * Settings with every field in range: number inputs can hold anything while the user types, and
 * the request must not (the engine would refuse it).
 */
export function clampSettings(s: GeneratorSettings): GeneratorSettings {
  return {
    role: (MODEL_ROLES as readonly string[]).includes(s.role) ? s.role : DEFAULT_SETTINGS.role,
    style: (STYLES as readonly string[]).includes(s.style) ? s.style : 'any',
    key: s.key,
    bars: clampInt(s.bars, 1, MAX_GENERATED_BARS, DEFAULT_SETTINGS.bars),
    energy: clampInt(s.energy, 0, ENERGY_LEVELS - 1, DEFAULT_SETTINGS.energy),
    temperature: Number.isFinite(s.temperature)
      ? Math.min(TEMPERATURE_RANGE.max, Math.max(TEMPERATURE_RANGE.min, Math.round(s.temperature * 100) / 100))
      : DEFAULT_SETTINGS.temperature,
    seed: clampInt(s.seed, 0, MAX_SEED, DEFAULT_SETTINGS.seed),
    variations: clampInt(s.variations, 1, MAX_VARIATIONS, DEFAULT_SETTINGS.variations),
    mode: s.mode,
    scaleLock: Boolean(s.scaleLock),
    followChords:
      s.followChords === null || !Number.isFinite(s.followChords) ? null : Math.min(1, Math.max(0, Math.round(s.followChords * 100) / 100)),
  };
}

/** A new seed for the dice button: short enough to read out to a bandmate ("seed 48213"). */
export function randomSeed(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * 999_999);
}
