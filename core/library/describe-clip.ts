/**
 * describeClip(): the metadata of a clip saved to the library (its key with a confidence, role,
 * tempo, meter, energy and mood tags, each with the features behind it), from what the clip and
 * its song already know.
 *
 * THE PLUG POINT for the metadata analysis (core/analysis/: key finding by key profiles, role per
 * track, density and energy, mood tags): today the key is the song's (confidence 1 when the song
 * names one, less when the clip's notes stray from its scale), the role the track's, the tempo and
 * meter the song's, the energy the AI panel's notes-per-bar scale, and no mood is guessed. When
 * the analysis lands, only this function changes; every caller (saving a clip, importing a
 * library, the tests) goes through it.
 */
import type { Meter } from '../time.ts';
import type { Key, NoteInput, TrackRole } from '../song/types.ts';
import { scalePitchClasses } from '../theory/scales.ts';
import type { ClipMetadata } from './types.ts';

export interface ClipFacts {
  notes: readonly Pick<NoteInput, 'pitch' | 'tick' | 'duration'>[];
  lengthBars: number;
  meter: Meter;
  /** The track's role. */
  role: TrackRole;
  /** The song's key; null when it names none. */
  songKey: Key | null;
  bpm: number;
}

/**
 * Onsets per bar from which a clip is energy 1, 2, 3, 4 (below the first: 0), per role: the
 * thresholds the AI bandmate's training data was labelled with (inference/tokenizer/vocabulary.ts
 * ENERGY_THRESHOLDS; copied, as core/ may not import inference/), so a saved clip's energy means
 * what the panel's energy control means.
 */
export const ENERGY_THRESHOLDS: Record<TrackRole, readonly number[]> = {
  drums: [14, 18, 21.5, 26],
  bass: [3.75, 5, 6.25, 7.75],
  keys: [8.75, 11.25, 14, 16.75],
  lead: [3.25, 4.5, 5.25, 6.5],
  other: [3.25, 4.5, 5.25, 6.5],
};

export const ENERGY_WORDS = ['sparse', 'light', 'steady', 'lively', 'busy'] as const;

const NOTE_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
export const keyLabel = (key: Key): string => `${NOTE_NAMES[key.tonic]} ${key.mode}`;

/** Distinct onsets (chord tones struck together count once) per bar. */
export function onsetsPerBar(notes: ClipFacts['notes'], lengthBars: number): number {
  return new Set(notes.map((n) => n.tick)).size / Math.max(1, lengthBars);
}

/** The share of the notes' duration that lies in the key's scale (1 for a clip without notes). */
export function inScaleShare(notes: ClipFacts['notes'], key: Key): number {
  const scale = scalePitchClasses(key);
  let inside = 0;
  let total = 0;
  for (const n of notes) {
    total += n.duration;
    if (scale.has(n.pitch % 12)) inside += n.duration;
  }
  return total ? inside / total : 1;
}

export function describeClip(facts: ClipFacts): ClipMetadata {
  const rate = onsetsPerBar(facts.notes, facts.lengthBars);
  const level = ENERGY_THRESHOLDS[facts.role].filter((t) => rate >= t).length;
  const share = facts.songKey ? inScaleShare(facts.notes, facts.songKey) : 0;
  return {
    key:
      facts.role === 'drums' || !facts.songKey
        ? null
        : {
            value: facts.songKey,
            // The song's key, trusted as far as the notes keep to its scale.
            confidence: Math.round(share * 100) / 100,
            because: `the song's key; ${Math.round(share * 100)}% of the notes' time is in its scale`,
          },
    role: { value: facts.role, because: "the track's role" },
    tempo: { value: facts.bpm, because: "the song's tempo" },
    meter: { numerator: facts.meter.numerator, denominator: facts.meter.denominator },
    energy: {
      value: level,
      because: `${ENERGY_WORDS[level]}: ${rate.toFixed(1)} onsets a bar (${facts.role} scale: ${ENERGY_THRESHOLDS[facts.role].join(', ')})`,
    },
    moods: [],
  };
}
