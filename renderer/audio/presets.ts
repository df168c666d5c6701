/**
 * Which synthesized preset plays a track, and the General MIDI drum map: pure data shared by the
 * Tone instruments, the scheduler (mono presets) and the tests. Nothing here makes sound.
 */
import type { Track, TrackRole } from '../../core/song/types.ts';

export const PRESET_IDS = ['drum-kit', 'bass', 'electric-piano', 'lead', 'pad'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/**
 * Instrument-name keywords to presets, first match wins (specific before generic). Names are free
 * text shared with MIDI export (core/song/edits.ts DEFAULT_INSTRUMENT: acoustic-kit, finger-bass,
 * electric-piano, saw-lead, pad); anything unknown falls back to the track's role.
 */
const PRESET_BY_KEYWORD: ReadonlyArray<readonly [string, PresetId]> = [
  ['kit', 'drum-kit'],
  ['drum', 'drum-kit'],
  ['perc', 'drum-kit'],
  ['bass', 'bass'],
  ['piano', 'electric-piano'],
  ['rhodes', 'electric-piano'],
  ['wurli', 'electric-piano'],
  ['keys', 'electric-piano'],
  ['organ', 'electric-piano'],
  ['clav', 'electric-piano'],
  ['lead', 'lead'],
  ['saw', 'lead'],
  ['square', 'lead'],
  ['pad', 'pad'],
  ['string', 'pad'],
  ['choir', 'pad'],
];

export const PRESET_BY_ROLE: Record<TrackRole, PresetId> = {
  drums: 'drum-kit',
  bass: 'bass',
  keys: 'electric-piano',
  lead: 'lead',
  other: 'pad',
};

export function presetFor(track: Pick<Track, 'role' | 'instrument'>): PresetId {
  // Drums are special: a drum track always needs the kit, whatever its instrument is called,
  // because its pitches are drum keys, not notes.
  if (track.role === 'drums') return 'drum-kit';
  const name = track.instrument.toLowerCase();
  for (const [keyword, preset] of PRESET_BY_KEYWORD) {
    // A pitched track never gets the kit from its name: it would play its notes as drum hits.
    if (name.includes(keyword) && preset !== 'drum-kit') return preset;
  }
  return PRESET_BY_ROLE[track.role];
}

/**
 * Monophonic presets play one note at a time: the scheduler shortens each note to end where the
 * next begins (and drops all but the lowest of notes starting together), so a release scheduled
 * for an earlier note never cuts a later one.
 */
export function isMonophonic(preset: PresetId): boolean {
  return preset === 'bass';
}

export const DRUM_VOICES = ['kick', 'snare', 'closed-hat', 'open-hat', 'low-tom', 'mid-tom', 'high-tom', 'crash', 'ride'] as const;
export type DrumVoice = (typeof DRUM_VOICES)[number];

/**
 * General MIDI percussion keys (35..59, the kit's core) to the synthesized voices; the keys the
 * brief names first, then their neighbours mapped to the nearest voice (side stick and clap are a
 * snare, pedal hat is a closed hat, splash and china are crashes...). Other keys are not played.
 */
const GM_DRUMS: Readonly<Record<number, DrumVoice>> = {
  36: 'kick',
  38: 'snare',
  42: 'closed-hat',
  46: 'open-hat',
  45: 'low-tom',
  48: 'mid-tom',
  50: 'high-tom',
  49: 'crash',
  51: 'ride',
  35: 'kick',
  37: 'snare',
  39: 'snare',
  40: 'snare',
  44: 'closed-hat',
  41: 'low-tom',
  43: 'low-tom',
  47: 'mid-tom',
  52: 'crash',
  55: 'crash',
  57: 'crash',
  53: 'ride',
  59: 'ride',
  54: 'closed-hat',
  56: 'ride',
};

export function drumVoiceFor(pitch: number): DrumVoice | null {
  return GM_DRUMS[pitch] ?? null;
}

/**
 * MIDI velocity (1..127) to a linear amplitude: a power curve, so velocity 64 is about -9 dB
 * below 127 rather than -6 dB, closer to how players and most synths respond.
 */
export function velocityToGain(velocity: number): number {
  const v = Math.max(0, Math.min(127, velocity)) / 127;
  return v ** 1.5;
}
