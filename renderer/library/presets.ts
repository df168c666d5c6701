/**
 * Prompt presets: the AI panel's settings (role, style, key handling, bars, energy, temperature,
 * seed, variations, mode, scale lock, follow chords) and its locked bars under a name, kept in
 * the library so any project can recall them; a preset also keeps the last riff it made.
 * A preset read back (from the store, or an imported file) is untrusted: every field is checked
 * and clamped into the panel's ranges, and an unknown or missing one becomes the default.
 */
import { newId } from '../../core/song/ids.ts';
import type { Key, NoteInput } from '../../core/song/types.ts';
import type { Meter } from '../../core/time.ts';
import type { PromptPreset } from '../../core/library/types.ts';
import { MODES, type Mode } from '../../inference/contract.ts';
import { clampSettings, DEFAULT_SETTINGS, MAX_GENERATED_BARS, type GeneratorSettings } from '../generator/settings.ts';

export interface RecalledPreset {
  settings: GeneratorSettings;
  lockedBars: number[];
}

export function presetFromSettings(
  name: string,
  settings: GeneratorSettings,
  lockedBars: readonly number[],
  now: Date,
  existing?: PromptPreset,
): PromptPreset {
  const at = now.toISOString();
  return {
    id: existing?.id ?? newId(),
    name: name.trim().slice(0, 100) || 'Preset',
    settings: JSON.parse(JSON.stringify({ ...clampSettings(settings), lockedBars: [...lockedBars] })) as Record<string, unknown>,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    lastRiff: existing?.lastRiff ?? null,
  };
}

function keyOf(value: unknown): Key | null {
  const k = value as Partial<Key> | null;
  if (!k || typeof k !== 'object') return null;
  return Number.isInteger(k.tonic) && (k.tonic as number) >= 0 && (k.tonic as number) <= 11 && (k.mode === 'major' || k.mode === 'minor')
    ? { tonic: k.tonic as number, mode: k.mode }
    : null;
}

const numberOr = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The panel's settings and locked bars a preset holds, checked and clamped. */
export function recallPreset(preset: PromptPreset): RecalledPreset {
  const s = preset.settings;
  const settings = clampSettings({
    role: s.role as GeneratorSettings['role'],
    style: s.style as GeneratorSettings['style'],
    key: keyOf(s.key),
    bars: numberOr(s.bars, DEFAULT_SETTINGS.bars),
    energy: numberOr(s.energy, DEFAULT_SETTINGS.energy),
    temperature: numberOr(s.temperature, DEFAULT_SETTINGS.temperature),
    seed: numberOr(s.seed, DEFAULT_SETTINGS.seed),
    variations: numberOr(s.variations, DEFAULT_SETTINGS.variations),
    mode: (MODES as readonly string[]).includes(s.mode as string) ? (s.mode as Mode) : DEFAULT_SETTINGS.mode,
    scaleLock: s.scaleLock === true,
    followChords: s.followChords === null || s.followChords === undefined ? null : numberOr(s.followChords, 0.5),
  });
  const lockedBars = Array.isArray(s.lockedBars)
    ? [...new Set(s.lockedBars.filter((b): b is number => Number.isInteger(b) && b >= 0 && b < MAX_GENERATED_BARS))].sort((a, b) => a - b)
    : [];
  return { settings, lockedBars };
}

/** The preset with the riff it just made (the kept take's notes). */
export function withRiff(
  preset: PromptPreset,
  riff: { name: string; notes: readonly NoteInput[]; lengthBars: number; meter: Meter },
  now: Date,
): PromptPreset {
  return {
    ...preset,
    updatedAt: now.toISOString(),
    lastRiff: {
      name: riff.name.slice(0, 100),
      notes: riff.notes.map((n) => ({ pitch: n.pitch, tick: n.tick, duration: n.duration, velocity: n.velocity })),
      lengthBars: riff.lengthBars,
      meter: { numerator: riff.meter.numerator, denominator: riff.meter.denominator },
      madeAt: now.toISOString(),
    },
  };
}
