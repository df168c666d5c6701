/**
 * General MIDI conventions: which program a Riffroom instrument sounds like in a DAW, and which
 * track role an imported GM program most likely plays (from its notes too: core/analysis/track-role.ts).
 */
import type { Track, TrackRole } from '../song/types.ts';
import { instrumentById } from '../song/instrument-catalog.ts';

/** GM drums live on channel 10, which is 9 when channels count from 0 as in the file. */
export const DRUM_CHANNEL = 9;

/**
 * Instrument-name keywords to GM programs (0-based), first match wins, so specific names come
 * before the generic ones they contain ("synth-bass" before "bass", "harpsichord" before "harp").
 */
const PROGRAM_BY_KEYWORD: ReadonlyArray<readonly [string, number]> = [
  ['electric-piano', 4],
  ['rhodes', 4],
  ['wurli', 5],
  ['harpsichord', 6],
  ['clav', 7],
  ['piano', 0],
  ['celesta', 8],
  ['glock', 9],
  ['music-box', 10],
  ['vibraphone', 11],
  ['vibes', 11],
  ['marimba', 12],
  ['xylophone', 13],
  ['bell', 14],
  ['organ', 16],
  ['accordion', 21],
  ['nylon', 24],
  ['acoustic-guitar', 25],
  ['jazz-guitar', 26],
  ['muted-guitar', 28],
  ['overdrive', 29],
  ['distortion', 30],
  ['guitar', 27],
  ['acoustic-bass', 32],
  ['upright', 32],
  ['finger-bass', 33],
  ['pick-bass', 34],
  ['fretless', 35],
  ['slap', 36],
  ['synth-bass', 38],
  ['bass', 33],
  ['violin', 40],
  ['viola', 41],
  ['cello', 42],
  ['harp', 46],
  ['choir', 52],
  ['voice', 53],
  ['string', 48],
  ['trumpet', 56],
  ['trombone', 57],
  ['tuba', 58],
  ['horn', 60],
  ['brass', 61],
  ['sax', 65],
  ['oboe', 68],
  ['clarinet', 71],
  ['pan-flute', 75],
  ['flute', 73],
  ['square', 80],
  ['saw', 81],
  ['lead', 81],
  ['pad', 89],
];

const PROGRAM_BY_ROLE: Record<TrackRole, number> = {
  drums: 0, // GM standard kit (program is ignored on the drum channel by most synths anyway)
  bass: 33, // Electric Bass (finger)
  keys: 4, // Electric Piano 1
  lead: 81, // Lead 2 (sawtooth)
  other: 89, // Pad 2 (warm)
};

export function programForTrack(track: Pick<Track, 'role' | 'instrument'>): number {
  // A preset of the shipped bank (core/song/instrument-catalog.ts) is exact; free text is guessed.
  const preset = instrumentById(track.instrument);
  if (preset && preset.bank === 0 && track.role !== 'drums') return preset.program;
  const instrument = track.instrument.toLowerCase();
  for (const [keyword, program] of PROGRAM_BY_KEYWORD) if (instrument.includes(keyword)) return program;
  return PROGRAM_BY_ROLE[track.role];
}

/**
 * Best guess of a track's role from its channel and GM program alone (null: no program change,
 * i.e. piano). When the notes are at hand, core/analysis/track-role.ts's detectTrackRole is better:
 * it also tells a melody from chords on the same program (MIDI import uses it).
 */
export function roleForProgram(program: number | null, channel: number): TrackRole {
  if (channel === DRUM_CHANNEL) return 'drums';
  const p = program ?? 0;
  if (p >= 32 && p <= 39) return 'bass';
  if (p <= 31) return 'keys';
  if (p <= 95) return 'lead';
  return 'other';
}

const FAMILIES = [
  'Piano',
  'Chromatic Percussion',
  'Organ',
  'Guitar',
  'Bass',
  'Strings',
  'Ensemble',
  'Brass',
  'Reed',
  'Pipe',
  'Synth Lead',
  'Synth Pad',
  'Synth Effects',
  'Ethnic',
  'Percussive',
  'Sound Effects',
];

/** A readable name for a track that has none: "Drums", or the GM family of its program. */
export function defaultTrackName(program: number | null, channel: number): string {
  if (channel === DRUM_CHANNEL) return 'Drums';
  return FAMILIES[Math.floor((program ?? 0) / 8)] ?? 'Track';
}
