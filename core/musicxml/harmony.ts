/**
 * MusicXML <harmony><kind> values mapped onto the fixed chord qualities the model knows
 * (core/theory/chords.ts). Extensions collapse onto the seventh chord they extend (a 9th or 13th
 * on a dominant is still a dominant), which is the level of detail the chord track keeps.
 */
import type { ChordQuality } from '../theory/chords.ts';

/** The MusicXML 4.0 kind values, plus spellings seen in real files (Wikifonia's "minor-major"). */
const KIND_QUALITY: Record<string, ChordQuality> = {
  major: 'maj',
  minor: 'min',
  augmented: 'aug',
  diminished: 'dim',
  dominant: '7',
  'major-seventh': 'maj7',
  'minor-seventh': 'm7',
  'diminished-seventh': 'dim7',
  // C E G# Bb: the seventh makes it act as a dominant, which matters more than the raised fifth.
  'augmented-seventh': '7',
  'half-diminished': 'm7b5',
  'major-minor': 'mMaj7',
  'minor-major': 'mMaj7',
  'major-sixth': '6',
  'minor-sixth': 'm6',
  'dominant-ninth': '7',
  'major-ninth': 'maj7',
  'minor-ninth': 'm7',
  'dominant-11th': '7',
  'major-11th': 'maj7',
  'minor-11th': 'm7',
  'dominant-13th': '7',
  'major-13th': 'maj7',
  'minor-13th': 'm7',
  'suspended-second': 'sus2',
  'suspended-fourth': 'sus4',
  // Non-standard names some editors wrote: a 9th chord with a raised fifth, and "6/9".
  'augmented-ninth': '7',
  maj69: '6',
  // The Neapolitan is a major triad (on the flat second); the root is given separately.
  Neapolitan: 'maj',
  // Augmented-sixth chords: the German is a dominant seventh by sound, the others near it.
  Italian: '7',
  French: '7',
  German: '7',
  // The Tristan chord sounds as a half-diminished seventh.
  Tristan: 'm7b5',
  // Root and fifth only, or a pedal tone: the plain major triad is the closest quality.
  power: 'maj',
  pedal: 'maj',
  // "none" is N.C.; the caller gives it a null root. The quality is then unused.
  none: 'maj',
};

/**
 * The quality for a <kind> value. Unknown kinds ("other", or empty, which a few files write for a
 * plain triad) become a major triad unless the kind's display text names a minor chord.
 */
export function harmonyQuality(kind: string, text?: string): { quality: ChordQuality; warning?: string } {
  const quality = KIND_QUALITY[kind.trim()];
  if (quality) return { quality };
  const shown = (text ?? '').trim();
  const minor = /^(m|min|-)(?!aj)/.test(shown);
  if (kind.trim() === '' || kind.trim() === 'other') return { quality: minor ? 'min' : 'maj' };
  return { quality: minor ? 'min' : 'maj', warning: `unknown chord kind "${kind}" read as ${minor ? 'minor' : 'major'}` };
}

/** A chord symbol at a position inside its measure (ticks, unrounded). */
export interface PlacedSymbol<T> {
  at: number;
  chord: T;
  /** True when the file gave an <offset>: its position is then exact and never moved. */
  exact: boolean;
}

/**
 * Several symbols written one after another with no note between them and no <offset> share a
 * position in the file, but were meant to follow each other over the note they sit on (Wikifonia
 * positioned them only graphically: typically two chords over a whole note, beats 1 and 3).
 * Each such stack is spread evenly from its position to the next onset (note, rest or exactly
 * placed symbol) or the measure end, on the coarsest of beat, half beat and quarter beat that keeps
 * the symbols apart. Repeats of one symbol inside a stack are dropped first.
 */
export function spreadStackedSymbols<T>(
  symbols: PlacedSymbol<T>[],
  onsets: number[],
  measureLength: number,
  beat: number,
  same: (a: T, b: T) => boolean,
): PlacedSymbol<T>[] {
  const out: PlacedSymbol<T>[] = [];
  for (let i = 0; i < symbols.length; ) {
    let j = i + 1;
    while (j < symbols.length && !symbols[i]!.exact && !symbols[j]!.exact && symbols[j]!.at === symbols[i]!.at) j++;
    const stack = symbols.slice(i, j).filter((s, k, all) => k === 0 || !same(s.chord, all[k - 1]!.chord));
    i = j;
    const at = stack[0]!.at;
    const next = Math.min(
      measureLength,
      ...onsets.filter((o) => o > at + 1e-6),
      ...symbols.filter((s) => s.at > at + 1e-6).map((s) => s.at),
    );
    const span = next - at;
    if (stack.length === 1 || span <= 1e-6) {
      out.push(...stack);
      continue;
    }
    const even = stack.map((_s, k) => (k * span) / stack.length);
    let offsets = even;
    for (const unit of [beat, beat / 2, beat / 4]) {
      const snapped = even.map((o) => Math.round(o / unit) * unit);
      if (snapped.every((o, k) => o < span - 1e-6 && (k === 0 || o > snapped[k - 1]! + 1e-6))) {
        offsets = snapped;
        break;
      }
    }
    stack.forEach((s, k) => out.push({ ...s, at: at + offsets[k]! }));
  }
  return out;
}
