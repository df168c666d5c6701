/**
 * describeClip(): the metadata of a clip saved to the library (its key with a confidence, role,
 * tempo, meter, energy and mood tags, each with the features behind it), from what the clip and
 * its song already know.
 *
 * The analysis is core/analysis/'s (analyseClip): the key is the song's when it names one
 * (trusted as far as the notes keep to its scale; what the notes alone sound like is said beside
 * it), else the key the notes sound in (Krumhansl-Kessler and Temperley profiles, with their
 * confidence); the role is the track's; tempo and meter the song's; energy the AI panel's scale;
 * mood tags from mode, register, density and syncopation, each with the features behind it. Every
 * caller (saving a clip, importing a library, the tests) goes through this one function.
 */
import type { Meter } from '../time.ts';
import type { Key, NoteInput, TrackRole } from '../song/types.ts';
import { scalePitchClasses } from '../theory/scales.ts';
import { analyseClip } from '../analysis/metadata.ts';
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

const NOTE_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
export const keyLabel = (key: Key): string => `${NOTE_NAMES[key.tonic]} ${key.mode}`;

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

/** A number for the library's confidence field from the key finder's word for it. */
const CONFIDENCE = { high: 0.9, medium: 0.6, low: 0.3 } as const;

export function describeClip(facts: ClipFacts): ClipMetadata {
  const analysis = analyseClip(
    { name: 'clip', notes: facts.notes.map((n) => ({ ...n, velocity: 100 })) },
    { role: facts.role, bpm: facts.bpm, meter: facts.meter, key: facts.songKey },
  );
  const detected = analysis.key;
  const heard = detected
    ? `the notes alone sound like ${detected.name} (${detected.confidence} confidence, runner-up ${detected.runnerUp.name})`
    : 'too few notes to hear a key';
  let key: ClipMetadata['key'] = null;
  if (facts.role !== 'drums' && facts.songKey) {
    const share = inScaleShare(facts.notes, facts.songKey);
    // The song's key, trusted as far as the notes keep to its scale.
    key = {
      value: facts.songKey,
      confidence: Math.round(share * 100) / 100,
      because: `the song's key; ${Math.round(share * 100)}% of the notes' time is in its scale; ${heard}`,
    };
  } else if (facts.role !== 'drums' && detected) {
    key = { value: detected.key, confidence: CONFIDENCE[detected.confidence], because: `detected from the notes (key profiles): ${heard}` };
  }
  const energy = analysis.tracks[0]?.energy;
  return {
    key,
    role: { value: facts.role, because: "the track's role" },
    tempo: { value: facts.bpm, because: "the song's tempo" },
    meter: { numerator: facts.meter.numerator, denominator: facts.meter.denominator },
    energy: energy ? { value: energy.level, because: `${energy.label}: ${energy.because}` } : { value: 0, because: 'sparse: no notes' },
    moods: analysis.moods.map((m) => ({ value: m.tag, because: m.because })),
  };
}
