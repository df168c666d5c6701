/**
 * How pitches and keys are written in MusicXML: note names with sharps or flats after the key
 * signature, key signatures as fifths, and where General MIDI drums sit on a percussion staff.
 */
import type { Key } from '../song/types.ts';

export interface SpelledPitch {
  step: string;
  /** -1 flat, 0 natural, 1 sharp. */
  alter: number;
  octave: number;
}

const SHARP_SPELLING: [string, number][] = [
  ['C', 0],
  ['C', 1],
  ['D', 0],
  ['D', 1],
  ['E', 0],
  ['F', 0],
  ['F', 1],
  ['G', 0],
  ['G', 1],
  ['A', 0],
  ['A', 1],
  ['B', 0],
];
const FLAT_SPELLING: [string, number][] = [
  ['C', 0],
  ['D', -1],
  ['D', 0],
  ['E', -1],
  ['E', 0],
  ['F', 0],
  ['G', -1],
  ['G', 0],
  ['A', -1],
  ['A', 0],
  ['B', -1],
  ['B', 0],
];

/** A MIDI pitch as step, alter and octave (middle C, 60, is C4); flats in flat keys. */
export function spellPitch(pitch: number, flats: boolean): SpelledPitch {
  const [step, alter] = (flats ? FLAT_SPELLING : SHARP_SPELLING)[pitch % 12]!;
  return { step, alter, octave: Math.floor(pitch / 12) - 1 };
}

const STEP_PITCH_CLASS: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/**
 * The MIDI pitch of a written step/alter/octave, or null when the step is not a note name or the
 * octave not a whole number (MusicXML's octave is an integer: "4.5" is not half way up).
 */
export function pitchOf(step: string, alter: number, octave: number): number | null {
  const pc = STEP_PITCH_CLASS[step.toUpperCase()];
  if (pc === undefined || !Number.isInteger(octave) || !Number.isFinite(alter)) return null;
  return (octave + 1) * 12 + pc + Math.round(alter);
}

/** Sharps (negative: flats) of a key's signature, choosing the spelling with fewer accidentals. */
export function keyFifths(key: Key): number {
  // A minor key shares its signature with the major key three semitones up.
  const majorTonic = key.mode === 'minor' ? (key.tonic + 3) % 12 : key.tonic;
  let best = 0;
  let found = false;
  for (let fifths = -7; fifths <= 7; fifths++) {
    if ((((fifths * 7) % 12) + 12) % 12 !== majorTonic) continue;
    if (!found || Math.abs(fifths) < Math.abs(best)) best = fifths;
    found = true;
  }
  return best;
}

/** The key a signature and mode name: the tonic is `fifths` steps round the circle from C (or A). */
export function keyOfFifths(fifths: number, minor: boolean): Key {
  const tonic = (((fifths * 7 + (minor ? 9 : 0)) % 12) + 12) % 12;
  return { tonic, mode: minor ? 'minor' : 'major' };
}

export interface DrumDisplay {
  step: string;
  octave: number;
  /** MusicXML <notehead>: cymbals are crosses. */
  notehead: 'normal' | 'x' | 'circle-x' | 'diamond';
}

/** Where the common General MIDI drums are written on a five-line percussion staff. */
const DRUM_DISPLAY: Record<number, DrumDisplay> = {
  35: { step: 'F', octave: 4, notehead: 'normal' }, // acoustic bass drum
  36: { step: 'F', octave: 4, notehead: 'normal' }, // bass drum
  37: { step: 'C', octave: 5, notehead: 'x' }, // side stick
  38: { step: 'C', octave: 5, notehead: 'normal' }, // snare
  39: { step: 'B', octave: 4, notehead: 'x' }, // hand clap
  40: { step: 'C', octave: 5, notehead: 'normal' }, // electric snare
  41: { step: 'G', octave: 4, notehead: 'normal' }, // low floor tom
  42: { step: 'G', octave: 5, notehead: 'x' }, // closed hi-hat
  43: { step: 'A', octave: 4, notehead: 'normal' }, // high floor tom
  44: { step: 'D', octave: 4, notehead: 'x' }, // pedal hi-hat
  45: { step: 'D', octave: 5, notehead: 'normal' }, // low tom
  46: { step: 'G', octave: 5, notehead: 'circle-x' }, // open hi-hat
  47: { step: 'D', octave: 5, notehead: 'normal' }, // low-mid tom
  48: { step: 'E', octave: 5, notehead: 'normal' }, // hi-mid tom
  49: { step: 'A', octave: 5, notehead: 'x' }, // crash
  50: { step: 'E', octave: 5, notehead: 'normal' }, // high tom
  51: { step: 'F', octave: 5, notehead: 'x' }, // ride
  52: { step: 'A', octave: 5, notehead: 'x' }, // china
  53: { step: 'F', octave: 5, notehead: 'diamond' }, // ride bell
  55: { step: 'A', octave: 5, notehead: 'x' }, // splash
  56: { step: 'E', octave: 5, notehead: 'x' }, // cowbell
  57: { step: 'A', octave: 5, notehead: 'x' }, // crash 2
  59: { step: 'F', octave: 5, notehead: 'x' }, // ride 2
};

/** The staff position of a drum; drums without a usual place go on the snare line as crosses. */
export function drumDisplay(pitch: number): DrumDisplay {
  return DRUM_DISPLAY[pitch] ?? { step: 'C', octave: 5, notehead: 'x' };
}

/** General MIDI percussion names (key 35..81), for <instrument-name>. */
export function drumName(pitch: number): string {
  return DRUM_NAMES[pitch - 35] ?? `Drum ${pitch}`;
}

const DRUM_NAMES = [
  'Acoustic Bass Drum',
  'Bass Drum',
  'Side Stick',
  'Acoustic Snare',
  'Hand Clap',
  'Electric Snare',
  'Low Floor Tom',
  'Closed Hi-Hat',
  'High Floor Tom',
  'Pedal Hi-Hat',
  'Low Tom',
  'Open Hi-Hat',
  'Low-Mid Tom',
  'Hi-Mid Tom',
  'Crash Cymbal 1',
  'High Tom',
  'Ride Cymbal 1',
  'Chinese Cymbal',
  'Ride Bell',
  'Tambourine',
  'Splash Cymbal',
  'Cowbell',
  'Crash Cymbal 2',
  'Vibraslap',
  'Ride Cymbal 2',
  'Hi Bongo',
  'Low Bongo',
  'Mute Hi Conga',
  'Open Hi Conga',
  'Low Conga',
  'High Timbale',
  'Low Timbale',
  'High Agogo',
  'Low Agogo',
  'Cabasa',
  'Maracas',
  'Short Whistle',
  'Long Whistle',
  'Short Guiro',
  'Long Guiro',
  'Claves',
  'Hi Wood Block',
  'Low Wood Block',
  'Mute Cuica',
  'Open Cuica',
  'Mute Triangle',
  'Open Triangle',
];
