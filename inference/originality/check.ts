/**
 * Checks a generated part against the originality index: which of its line notes (or drum bars)
 * lie in a window the training data also has, and the longest run of them. A part is marked when
 * that run is longer than its role's window (index.roles[role].size): two overlapping windows
 * both found, so one 32-bit coincidence never marks a part. bench/originality measures what
 * this marks on held-out human songs (false alarms) and on the model's own parts.
 */
import type { Meter } from '../../core/time.ts';
import type { NoteInput } from '../../core/song/types.ts';
import { drumWindows, lineOf, lineWindows, type CheckedRole } from './fingerprint.ts';
import { holds, type OriginalityIndex } from './index-file.ts';

export interface CopyReport {
  /** 'notes' for a line (bass, keys, lead), 'bars' for drums. */
  unit: 'notes' | 'bars';
  /** Line notes (or bars) of the part. */
  total: number;
  /** Of them, how many lie in a window found in the training data. */
  found: number;
  /** The longest run of consecutive ones. */
  longestRun: number;
  /** The run is longer than the threshold: shown on the variation's card. */
  marked: boolean;
}

/** Lengths of runs of covered positions, when windows of `size` starting at `starts` are found. */
function coverage(length: number, found: readonly boolean[], size: number): { covered: number; longest: number } {
  const covered = new Uint8Array(length);
  found.forEach((hit, i) => {
    if (hit) covered.fill(1, i, i + size);
  });
  let longest = 0;
  let run = 0;
  let count = 0;
  for (const c of covered) {
    run = c ? run + 1 : 0;
    count += c;
    longest = Math.max(longest, run);
  }
  return { covered: count, longest };
}

export interface PartToCheck {
  role: CheckedRole;
  notes: readonly NoteInput[];
  meter: Meter;
  bars: number;
}

export function checkPart(index: OriginalityIndex, part: PartToCheck): CopyReport {
  const { size, fingerprints } = index.roles[part.role];
  if (part.role === 'drums') {
    const windows = drumWindows(part.notes, part.meter, part.bars, size);
    const { covered, longest } = coverage(
      part.bars,
      windows.map((w) => w !== null && holds(fingerprints, w)),
      size,
    );
    return { unit: 'bars', total: part.bars, found: covered, longestRun: longest, marked: longest > size };
  }
  const line = lineOf(part.notes, part.role);
  const windows = lineWindows(line, size, index.minPitches);
  const { covered, longest } = coverage(
    line.length,
    windows.map((w) => w !== null && holds(fingerprints, w)),
    size,
  );
  return { unit: 'notes', total: line.length, found: covered, longestRun: longest, marked: longest > size };
}
