/**
 * The song's chord track as the model reads it: chord symbols (core/theory) become a root pitch
 * class and a quality, with ticks from the first bar of what is being written. The chord already
 * sounding when those bars start is restated at tick 0; beats the chord track leaves empty are
 * "no chord" (the musician left them open, and the model knows N.C. from its training data).
 * The way back: generated chords as chord-track entries, and voiced as notes for an audition.
 */
import type { Chord, NoteInput } from '../../core/song/types.ts';
import { CHORD_INTERVALS, parseChordSymbol } from '../../core/theory/chords.ts';
import { ticksPerBar, type Meter } from '../../core/time.ts';
import type { TokenChord } from '../../inference/contract.ts';
import type { BarRange } from './bar-ranges.ts';

export function chordsForBars(chords: readonly Chord[], meter: Meter, range: BarRange): TokenChord[] {
  const barTicks = ticksPerBar(meter);
  const start = range.from * barTicks;
  const end = range.to * barTicks;
  const out: TokenChord[] = [];
  const put = (songTick: number, chord: Omit<TokenChord, 'tick'>): void => {
    const tick = Math.max(0, songTick - start);
    // Two changes at one tick: the later one is what sounds.
    if (out.at(-1)?.tick === tick) out.pop();
    const last = out.at(-1);
    if (last && last.root === chord.root && (chord.root === null || last.quality === chord.quality)) return;
    out.push({ tick, ...chord });
  };
  let harmonyUntil = -1;
  for (const chord of [...chords].sort((a, b) => a.tick - b.tick)) {
    const chordEnd = chord.tick + chord.duration;
    if (chordEnd <= start || chord.tick >= end) continue;
    if (harmonyUntil >= 0 && chord.tick > harmonyUntil) put(harmonyUntil, { root: null, quality: 'maj' });
    // A symbol the theory module cannot read is no chord to follow rather than a wrong one.
    const name = parseChordSymbol(chord.symbol);
    put(chord.tick, name ? { root: name.root, quality: name.quality } : { root: null, quality: 'maj' });
    harmonyUntil = Math.max(harmonyUntil, chordEnd);
  }
  if (harmonyUntil >= 0 && harmonyUntil < end) put(harmonyUntil, { root: null, quality: 'maj' });
  return out;
}

/** The chord track's symbols for generated chords (role 'chords'), in song ticks, over `range`. */
export function chordInputs(
  generated: readonly TokenChord[],
  meter: Meter,
  range: BarRange,
  symbol: (c: TokenChord) => string,
): { tick: number; duration: number; symbol: string }[] {
  const barTicks = ticksPerBar(meter);
  const start = range.from * barTicks;
  const length = (range.to - range.from) * barTicks;
  const sorted = [...generated].filter((c) => c.tick >= 0 && c.tick < length).sort((a, b) => a.tick - b.tick);
  const out: { tick: number; duration: number; symbol: string }[] = [];
  sorted.forEach((c, i) => {
    const next = sorted[i + 1]?.tick ?? length;
    // "No chord" is a gap in the chord track; the next change ends the one before it.
    if (c.root === null || next <= c.tick) return;
    out.push({ tick: start + c.tick, duration: next - c.tick, symbol: symbol(c) });
  });
  return out;
}

/** Generated chords as notes to audition: close voicings from the C below middle C, each held to the next change. */
export function voiceChords(chords: readonly TokenChord[], lengthTicks: number): NoteInput[] {
  const sorted = [...chords].sort((a, b) => a.tick - b.tick);
  const notes: NoteInput[] = [];
  sorted.forEach((c, i) => {
    const end = Math.min(sorted[i + 1]?.tick ?? lengthTicks, lengthTicks);
    if (c.root === null || end <= c.tick) return;
    for (const interval of CHORD_INTERVALS[c.quality])
      notes.push({ pitch: 48 + c.root + interval, tick: c.tick, duration: end - c.tick, velocity: 80 });
  });
  return notes;
}
