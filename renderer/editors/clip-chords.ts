/**
 * The song's chords as a clip's editor shows them: those that sound under the clip, in ticks from
 * the clip's start (cut to the clip), with their tones' pitch classes so the piano roll can shade
 * chord-tone rows. Pure.
 */
import { chordPitchClasses, parseChordSymbol } from '../../core/theory/chords.ts';
import type { Chord } from '../../core/song/types.ts';
import type { Ticks } from '../../core/time.ts';

export interface ClipChord {
  id: string;
  symbol: string;
  /** From the clip's start; negative never (a chord begun before the clip starts at 0). */
  tick: Ticks;
  duration: Ticks;
  /** Empty when the symbol is not one the theory module parses. */
  pitchClasses: ReadonlySet<number>;
}

export function chordsUnderClip(chords: readonly Chord[], clipStart: Ticks, clipTicks: Ticks): ClipChord[] {
  const end = clipStart + clipTicks;
  return chords
    .filter((c) => c.tick < end && c.tick + c.duration > clipStart)
    .map((c) => {
      const from = Math.max(c.tick, clipStart);
      const to = Math.min(c.tick + c.duration, end);
      const parsed = parseChordSymbol(c.symbol);
      return {
        id: c.id,
        symbol: c.symbol,
        tick: from - clipStart,
        duration: to - from,
        pitchClasses: parsed ? chordPitchClasses(parsed) : new Set<number>(),
      };
    });
}
