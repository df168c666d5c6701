/**
 * Which role (core/song/types.ts TrackRole) a track of notes plays, with the reason in words.
 * General MIDI channel 10 is the drum kit; a program that only one role plays decides (basses,
 * solo winds and synth leads, pads and strings); otherwise, and for piano (the program a file
 * without program changes gets), how the notes play decides: lines that seldom overlap are a
 * bass below E3 and a lead above, parts that sound several notes at once are keys.
 *
 * Thresholds come from POP909's MELODY, BRIDGE and PIANO tracks (bench/metadata): melodies and
 * counter-melodies overlap in at most ~75% of their notes (median 0-28%) and sit at median pitch
 * 63-80, piano accompaniment overlaps in 89-100% and sits at 55-64.
 */
import type { NoteInput, TrackRole } from '../song/types.ts';
import type { Meter } from '../time.ts';
import { DRUM_CHANNEL } from '../midi/general-midi.ts';
import { partFeatures, type PartFeatures } from './features.ts';

export interface RoleEstimate {
  role: TrackRole;
  /** One short sentence for the UI: why this role. */
  because: string;
}

export interface TrackToClassify {
  /** 0..15 (9 = General MIDI drums); null when unknown (a clip, not a file track). */
  channel: number | null;
  /** General MIDI program 0..127, or null when the file sets none. */
  program: number | null;
  notes: readonly NoteInput[];
}

/** A line whose notes overlap less than this share is monophonic (a melody or a bass line). */
export const LINE_POLYPHONY = 0.5;
/** Lines whose median pitch is below this (E3) are bass lines. */
export const BASS_MEDIAN_PITCH = 52;
/**
 * A part that overlaps (a melody played with sustain, doubled thirds) but sits this high (G#4
 * median) and is not fully chordal is still a lead.
 */
export const LEAD_MEDIAN_PITCH = 68;
const CHORDAL_POLYPHONY = 0.85;

const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
/** "E3" for 52 (middle C = C4 = 60). */
export function noteName(pitch: number): string {
  return `${NOTE_NAMES[pitch % 12]}${Math.floor(pitch / 12) - 1}`;
}

/** The 16 General MIDI program families of 8 programs each, in order. */
const FAMILIES = [
  'piano',
  'chromatic',
  'organ',
  'guitar',
  'bass',
  'strings',
  'ensemble',
  'brass',
  'reed',
  'pipe',
  'synth-lead',
  'synth-pad',
  'synth-effects',
  'ethnic',
  'percussive',
  'sound-effects',
] as const;
type Family = (typeof FAMILIES)[number];

function familyOf(program: number): Family {
  return FAMILIES[Math.min(15, Math.max(0, Math.floor(program / 8)))]!;
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

export function detectTrackRole(track: TrackToClassify, meter: Meter): RoleEstimate {
  if (track.channel === DRUM_CHANNEL) return { role: 'drums', because: 'it plays on General MIDI channel 10, the drum kit' };
  const features = partFeatures(track.notes as NoteInput[], meter);
  const family = track.program === null ? null : familyOf(track.program);
  if (!features) return { role: family === 'bass' ? 'bass' : 'other', because: 'it has no notes' };
  if (family === 'bass') return { role: 'bass', because: `its General MIDI program (${track.program! + 1}) is a bass` };
  const line = features.polyphony < LINE_POLYPHONY;
  const register = `median pitch ${noteName(features.medianPitch)}`;
  const program = `General MIDI program ${(track.program ?? 0) + 1}`;
  if (family === 'synth-pad') return { role: 'other', because: `a pad: its ${program} is a synth pad` };
  if ((family === 'strings' || family === 'ensemble') && !line) {
    return {
      role: 'other',
      because: `a pad: its ${program} is strings or an ensemble playing chords (${percent(features.polyphony)} of its notes overlap)`,
    };
  }
  // Sitar, banjo, fiddle and the rest of the ethnic family play lines or chords: the notes decide.
  if (family === 'synth-effects' || family === 'percussive' || family === 'sound-effects') {
    return { role: 'other', because: `its ${program} is a sound effect or a percussion sound` };
  }
  return roleFromTexture(features, family, register);
}

function roleFromTexture(features: PartFeatures, family: Family | null, register: string): RoleEstimate {
  const overlap = `${percent(features.polyphony)} of its notes overlap`;
  if (features.polyphony < LINE_POLYPHONY) {
    if (features.medianPitch < BASS_MEDIAN_PITCH) return { role: 'bass', because: `a single line low down (${register}; ${overlap})` };
    return { role: 'lead', because: `a single line (${overlap}) at ${register}` };
  }
  const soloFamily = family === 'brass' || family === 'reed' || family === 'pipe' || family === 'synth-lead';
  if (soloFamily || (features.medianPitch >= LEAD_MEDIAN_PITCH && features.polyphony < CHORDAL_POLYPHONY)) {
    return { role: 'lead', because: `a melody high up (${register}), held or doubled (${overlap})` };
  }
  return { role: 'keys', because: `chords: ${overlap}, ${register}` };
}
