/**
 * What a variation's card says when the originality check marked it (inference/originality/):
 * how much of it repeats one training song, in words, and why it is marked at all.
 */
import type { CopyReport } from '../../inference/contract.ts';

/** The card's words for a marked variation; null when it is not marked (or was not checked). */
export function copyMark(copy: CopyReport | undefined): string | null {
  if (!copy?.marked) return null;
  const unit = copy.unit === 'bars' ? 'bars' : 'notes';
  return `Repeats training music: ${copy.longestRun} ${unit} in a row (${copy.found} of ${copy.total} ${unit} found)`;
}

/** The tooltip: what the mark means. */
export const COPY_MARK_TITLE =
  'The model wrote a passage that a song it learned from also has, longer than the check allows (lead 10 notes, bass 16, keys 20, drums 2 bars). Keep another variation, or hide marked ones.';
