/**
 * Musical checks on generated parts, as eval:model reports them. Pure functions over decoded
 * parts so they are unit-tested on hand-made examples.
 */
import type { Key, NoteInput } from '../../../core/song/types.ts';
import { chordPitchClasses } from '../../../core/theory/chords.ts';
import { inKeyPitchClasses } from '../../../core/theory/scales.ts';
import type { Meter } from '../../../core/time.ts';
import { ticksPerBar, ticksPerBeat } from '../../../core/time.ts';
import type { Part, TokenChord } from '../../../inference/tokenizer/events.ts';

/** Notes whose pitch class is in the key (diatonic; minor also counts its leading tone). */
export function inKeyCount(notes: readonly NoteInput[], key: Key): { inKey: number; total: number } {
  const pcs = inKeyPitchClasses(key);
  return { inKey: notes.filter((n) => pcs.has(n.pitch % 12)).length, total: notes.length };
}

/** Bass notes starting on beats 1 and 3 of a 4/4 bar (beat 1 otherwise) that are tones of the chord sounding then. */
export function chordToneCount(
  notes: readonly NoteInput[],
  chords: readonly TokenChord[],
  meter: Meter,
): { onChord: number; total: number } {
  const bar = ticksPerBar(meter);
  const strong = meter.numerator === 4 ? [0, 2 * ticksPerBeat(meter)] : [0];
  let onChord = 0;
  let total = 0;
  for (const note of notes) {
    if (!strong.includes(note.tick % bar)) continue;
    const chord = [...chords].reverse().find((c) => c.tick <= note.tick);
    if (!chord || chord.root === null) continue;
    total++;
    if (chordPitchClasses({ root: chord.root, quality: chord.quality }).has(note.pitch % 12)) onChord++;
  }
  return { onChord, total };
}

/** Events per bar: notes, or chord changes for the chord track. */
export function eventsPerBar(part: Part, bars: number): number {
  return (part.role === 'chords' ? part.chords.length : part.notes.length) / bars;
}

/** What makes two generations "the same": events at the same time with the same pitch (chord). */
export function eventSet(part: Part): Set<string> {
  return part.role === 'chords'
    ? new Set(part.chords.map((c) => `${c.tick}:${c.root}:${c.quality}`))
    : new Set(part.notes.map((n) => `${n.tick}:${n.pitch}`));
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}

/** Mean Jaccard similarity over all pairs. */
export function meanPairwiseJaccard(sets: readonly Set<string>[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      sum += jaccard(sets[i]!, sets[j]!);
      pairs++;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

export function isStrictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}
