/**
 * The condition sets eval:model generates from: for every role, one set per energy level, each
 * in its own major key (C, G, D, A, E: the circle of fifths, so key conditioning is exercised)
 * with the I–V–vi–IV progression of that key, one chord per bar, 4 bars of 4/4.
 */
import type { Key } from '../../../core/song/types.ts';
import type { TokenChord } from '../../../inference/tokenizer/events.ts';
import type { Conditions } from '../../../inference/tokenizer/prompt.ts';
import { ENERGY_LEVELS, type ModelRole } from '../../../inference/tokenizer/vocabulary.ts';

export interface ConditionSet {
  name: string;
  conditions: Conditions;
  chords: TokenChord[] | null;
}

export const EVAL_BARS = 4;
const METER = { numerator: 4, denominator: 4 };

export function progression(key: Key): TokenChord[] {
  const degrees: [number, TokenChord['quality']][] = [
    [0, 'maj'],
    [7, 'maj'],
    [9, 'min'],
    [5, 'maj'],
  ];
  return degrees.map(([step, quality], bar) => ({ tick: bar * 1920, root: (key.tonic + step) % 12, quality }));
}

export function conditionSets(role: ModelRole): ConditionSet[] {
  const sets: ConditionSet[] = [];
  for (let energy = 0; energy < ENERGY_LEVELS; energy++) {
    const key: Key = { tonic: (energy * 7) % 12, mode: 'major' };
    const style = role === 'drums' ? 'rock' : 'pop';
    sets.push({
      name: `${role} ${style} ${role === 'drums' ? '' : `${['C', 'G', 'D', 'A', 'E'][energy]} major `}energy ${energy}`,
      conditions: { role, task: 'generate', style, key: role === 'drums' ? null : key, meter: METER, bpm: 100, bars: EVAL_BARS, energy },
      chords: role === 'drums' || role === 'chords' ? null : progression(key),
    });
  }
  return sets;
}
