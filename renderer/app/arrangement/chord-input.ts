/**
 * What a musician types into a bar of the chord track: "Am7", "C G" (two chords splitting the
 * bar), "" (clear the bar). Each symbol must be one the chord vocabulary understands
 * (core/theory/chords.ts), so the AI bandmate can follow it.
 */
import { parseChordSymbol } from '../../../core/theory/chords.ts';
import type { ChordInput } from '../../../core/song/edits.ts';
import type { Chord } from '../../../core/song/types.ts';

export type ParsedBar = { ok: true; chords: ChordInput[] } | { ok: false; problem: string };

/** Chords for the bar starting at `barTick`, `barTicks` long, from the typed text. */
export function parseBarChords(text: string, barTick: number, barTicks: number): ParsedBar {
  const symbols = text.trim().split(/\s+/).filter(Boolean);
  if (symbols.length > 8) return { ok: false, problem: 'At most 8 chords fit in one bar.' };
  const chords: ChordInput[] = [];
  const each = Math.floor(barTicks / Math.max(1, symbols.length));
  for (let i = 0; i < symbols.length; i++) {
    // Musicians type "am7" as often as "Am7": the root letter is written upper-case.
    const symbol = symbols[i]!.charAt(0).toUpperCase() + symbols[i]!.slice(1);
    if (!parseChordSymbol(symbol)) {
      return { ok: false, problem: `"${symbols[i]}" is not a chord symbol Riffroom knows; try Am7, F#m7b5, Bbmaj7 or C/E.` };
    }
    const tick = barTick + i * each;
    // The last chord takes the remainder, so the bar is covered exactly.
    const duration = i === symbols.length - 1 ? barTick + barTicks - tick : each;
    chords.push({ tick, duration, symbol });
  }
  return { ok: true, chords };
}

/** The text a bar's cell shows and starts editing from: its chords' symbols in order. */
export function barChordText(chords: Pick<Chord, 'tick' | 'symbol'>[], barTick: number, barTicks: number): string {
  return chords
    .filter((c) => c.tick >= barTick && c.tick < barTick + barTicks)
    .sort((a, b) => a.tick - b.tick)
    .map((c) => c.symbol)
    .join(' ');
}
