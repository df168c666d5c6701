/**
 * The vertical axis of an editor as a list of rows, top to bottom, each one pitch. The piano roll
 * has all 128 pitches (high at the top); the drum grid has one row per kit piece. Moving a note
 * "one row down" is then the same operation in both, whatever pitch that row stands for.
 */

export interface RowModel {
  /** Pitch of each row, top row first. */
  readonly pitches: readonly number[];
  /** Row index of each pitch shown. */
  readonly indexOf: ReadonlyMap<number, number>;
}

export function rowModel(pitches: readonly number[]): RowModel {
  return { pitches, indexOf: new Map(pitches.map((p, i) => [p, i])) };
}

/** Every MIDI pitch, 127 at the top. */
export const PIANO_ROWS: RowModel = rowModel(Array.from({ length: 128 }, (_, i) => 127 - i));

const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** Scientific pitch name, middle C (60) = C4. */
export function pitchName(pitch: number): string {
  return `${NAMES[pitch % 12]}${Math.floor(pitch / 12) - 1}`;
}

export function isBlackKey(pitch: number): boolean {
  return [1, 3, 6, 8, 10].includes(pitch % 12);
}

/**
 * The pitch a note lands on after moving `rows` rows (positive: down), or null when that is
 * off the model (above the top or below the bottom row, or a pitch the model does not show).
 */
export function shiftedPitch(model: RowModel, pitch: number, rows: number): number | null {
  const index = model.indexOf.get(pitch);
  if (index === undefined) return null;
  return model.pitches[index + rows] ?? null;
}
