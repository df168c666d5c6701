/**
 * Energy levels: how busy a part is, as the AI bandmate is asked for it (the ENERGY_n condition
 * of the model's prompt) and as the library reports it for any clip. One scale for both, so a
 * clip found as "lively" asks the generator for "lively" more of the same.
 *
 * Energy = notes (chords: chord changes) per bar of the part; the level is how many of the part's
 * thresholds it reaches. The thresholds are the training data's per-part quintiles, and part of
 * the model's vocabulary file (inference/tokenizer/vocabulary.ts re-exports them from here).
 */

/** The parts the thresholds were measured for: four instrument roles and the chord track. */
export type EnergyPart = 'drums' | 'bass' | 'keys' | 'lead' | 'chords';

export const ENERGY_LEVELS = 5;

export const ENERGY_THRESHOLDS: Record<EnergyPart, readonly number[]> = {
  drums: [14, 18, 21.5, 26],
  bass: [3.75, 5, 6.25, 7.75],
  keys: [8.75, 11.25, 14, 16.75],
  lead: [3.25, 4.5, 5.25, 6.5],
  chords: [1, 1.25, 1.5, 2],
};

/** Energy levels as musicians say them, 0 (sparse) .. 4 (busy). */
export const ENERGY_LABELS = ['sparse', 'light', 'steady', 'lively', 'busy'] as const;
export type EnergyLabel = (typeof ENERGY_LABELS)[number];

export function energyLevel(part: EnergyPart, eventsPerBar: number): number {
  return ENERGY_THRESHOLDS[part].filter((t) => eventsPerBar >= t).length;
}
