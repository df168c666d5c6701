/**
 * Chord qualities and chord symbols. A chord is a root pitch class and one of a fixed set of
 * qualities; that set is what the song's chord track, the datasets and the model's vocabulary share.
 * Symbols are written the way musicians write them ("C", "F#m7", "Bb7/D").
 */

export const CHORD_QUALITIES = ['maj', 'min', 'dim', 'aug', 'sus2', 'sus4', '7', 'maj7', 'm7', 'dim7', 'm7b5', 'mMaj7', '6', 'm6'] as const;
export type ChordQuality = (typeof CHORD_QUALITIES)[number];

/** Semitones above the root of each quality's chord tones. */
export const CHORD_INTERVALS: Record<ChordQuality, readonly number[]> = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  dim: [0, 3, 6],
  aug: [0, 4, 8],
  sus2: [0, 2, 7],
  sus4: [0, 5, 7],
  '7': [0, 4, 7, 10],
  maj7: [0, 4, 7, 11],
  m7: [0, 3, 7, 10],
  dim7: [0, 3, 6, 9],
  m7b5: [0, 3, 6, 10],
  mMaj7: [0, 3, 7, 11],
  '6': [0, 4, 7, 9],
  m6: [0, 3, 7, 9],
};

/** How each quality is written after the root in a symbol. */
const QUALITY_SUFFIX: Record<ChordQuality, string> = {
  maj: '',
  min: 'm',
  dim: 'dim',
  aug: 'aug',
  sus2: 'sus2',
  sus4: 'sus4',
  '7': '7',
  maj7: 'maj7',
  m7: 'm7',
  dim7: 'dim7',
  m7b5: 'm7b5',
  mMaj7: 'mMaj7',
  '6': '6',
  m6: 'm6',
};

export interface ChordName {
  /** Pitch class of the root, 0 = C. */
  root: number;
  quality: ChordQuality;
  /** Pitch class of a slash bass ("/D"), or null. */
  bass: number | null;
}

const SHARP_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const FLAT_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'];
const LETTER_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** Pitch class of a note name such as "C", "F#", "Bb", "Cb"; null when it is not one. */
export function pitchClassOf(name: string): number | null {
  const match = /^([A-Ga-g])([#b♯♭]*)$/.exec(name.trim());
  if (!match) return null;
  let pc = LETTER_PC[match[1]!.toUpperCase()]!;
  for (const accidental of match[2]!) pc += accidental === '#' || accidental === '♯' ? 1 : -1;
  return ((pc % 12) + 12) % 12;
}

export function pitchClassName(pc: number, preferFlats = false): string {
  return (preferFlats ? FLAT_NAMES : SHARP_NAMES)[((pc % 12) + 12) % 12]!;
}

/** Suffixes musicians use, longest first so "maj7" wins over "maj". */
const SUFFIX_TO_QUALITY: [string, ChordQuality][] = (
  [
    ['mMaj7', 'mMaj7'],
    ['mmaj7', 'mMaj7'],
    ['minmaj7', 'mMaj7'],
    ['m(maj7)', 'mMaj7'],
    ['maj7', 'maj7'],
    ['M7', 'maj7'],
    ['Δ7', 'maj7'],
    ['Δ', 'maj7'],
    ['maj9', 'maj7'],
    ['m7b5', 'm7b5'],
    ['min7b5', 'm7b5'],
    ['ø7', 'm7b5'],
    ['ø', 'm7b5'],
    ['dim7', 'dim7'],
    ['°7', 'dim7'],
    ['o7', 'dim7'],
    ['min7', 'm7'],
    ['m7', 'm7'],
    ['m9', 'm7'],
    ['m11', 'm7'],
    ['-7', 'm7'],
    ['min6', 'm6'],
    ['m6', 'm6'],
    ['min', 'min'],
    ['m', 'min'],
    ['-', 'min'],
    ['dim', 'dim'],
    ['°', 'dim'],
    ['o', 'dim'],
    ['aug', 'aug'],
    ['+', 'aug'],
    ['sus2', 'sus2'],
    ['sus4', 'sus4'],
    ['sus', 'sus4'],
    ['7sus4', 'sus4'],
    ['maj', 'maj'],
    ['M', 'maj'],
    ['', 'maj'],
    ['5', 'maj'],
    ['add9', 'maj'],
    ['6', '6'],
    ['13', '7'],
    ['11', '7'],
    ['9', '7'],
    ['7', '7'],
  ] as [string, ChordQuality][]
).sort((a, b) => b[0].length - a[0].length);

/**
 * Parses a chord symbol ("C", "F#m7", "Bb7/D", "Ebmaj7"). Extensions beyond the fixed qualities
 * ("C9", "Am11") map to the nearest quality. Returns null for what is not a chord symbol.
 */
export function parseChordSymbol(symbol: string): ChordName | null {
  const match = /^\s*([A-Ga-g][#b♯♭]?)([^/]*?)(?:\/([A-Ga-g][#b♯♭]?))?\s*$/.exec(symbol);
  if (!match) return null;
  const root = pitchClassOf(match[1]!);
  if (root === null) return null;
  const suffix = match[2]!.trim();
  const found = SUFFIX_TO_QUALITY.find(([text]) => text === suffix);
  if (!found) return null;
  const bass = match[3] ? pitchClassOf(match[3]) : null;
  return { root, quality: found[1], bass: bass === root ? null : bass };
}

export function chordSymbol(chord: ChordName, preferFlats = false): string {
  const bass = chord.bass === null ? '' : `/${pitchClassName(chord.bass, preferFlats)}`;
  return `${pitchClassName(chord.root, preferFlats)}${QUALITY_SUFFIX[chord.quality]}${bass}`;
}

/** Pitch classes of the chord's tones (the slash bass included). */
export function chordPitchClasses(chord: Pick<ChordName, 'root' | 'quality'> & { bass?: number | null }): Set<number> {
  const pcs = new Set(CHORD_INTERVALS[chord.quality].map((i) => (chord.root + i) % 12));
  if (chord.bass !== undefined && chord.bass !== null) pcs.add(chord.bass);
  return pcs;
}
