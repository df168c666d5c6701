/**
 * Groups the timeline's runs of small edits: dragging a clip around or typing a title makes a
 * checkpoint per step, and twenty "moved clip" rows by one bandmate hide everything else. A run
 * of consecutive small edits by the same author, close together in time, becomes one row that
 * opens to show every checkpoint in it — each stays reachable.
 *
 * Never grouped: restores and take-backs (the moments people look for) and bookmarked entries (named on
 * purpose). Pure, so the rule is tested on its own.
 */
import type { HistoryEntry } from '../../sync-server/contract.ts';

export interface GroupingRule {
  /** An edit at most this big is "small" (a move, a rename, a tempo change). */
  maxBytes: number;
  /** Two edits further apart than this are not one run. */
  maxGapMs: number;
  /** Fewer consecutive small edits than this stay separate rows. */
  minRun: number;
}

export const DEFAULT_GROUPING: GroupingRule = { maxBytes: 400, maxGapMs: 90_000, minRun: 3 };

export type TimelineItem =
  | { kind: 'entry'; entry: HistoryEntry }
  | {
      kind: 'group';
      /** Stable while the run grows at its newer end (live edits): the oldest seq in it. */
      key: number;
      author: string;
      /** Newest first, as the timeline shows them. */
      entries: HistoryEntry[];
    };

const isRestore = (entry: HistoryEntry): boolean => entry.label.startsWith('restored #') || entry.label.startsWith('took back ');

/**
 * `entries` newest first (the timeline's order, seqs falling); `keepAlone` names seqs that must
 * stay rows of their own (bookmarked ones). Returns the rows, newest first.
 */
export function groupEntries(
  entries: readonly HistoryEntry[],
  keepAlone: ReadonlySet<number> = new Set(),
  rule: GroupingRule = DEFAULT_GROUPING,
): TimelineItem[] {
  const groupable = (e: HistoryEntry): boolean => e.bytes <= rule.maxBytes && !isRestore(e) && !keepAlone.has(e.seq);
  const items: TimelineItem[] = [];
  let run: HistoryEntry[] = [];
  const flush = (): void => {
    if (run.length >= rule.minRun) {
      items.push({ kind: 'group', key: run.at(-1)!.seq, author: run[0]!.author, entries: run });
    } else {
      for (const entry of run) items.push({ kind: 'entry', entry });
    }
    run = [];
  };
  for (const entry of entries) {
    const previous = run.at(-1);
    const continues =
      previous !== undefined &&
      groupable(entry) &&
      entry.author === previous.author &&
      previous.seq - entry.seq === 1 &&
      previous.time - entry.time <= rule.maxGapMs;
    if (!continues) flush();
    if (groupable(entry)) run.push(entry);
    else items.push({ kind: 'entry', entry });
  }
  flush();
  return items;
}

/** "moved clip ×3, set tempo to 120 BPM": what a group did, most frequent first, at most `max` kinds. */
export function summarizeLabels(entries: readonly HistoryEntry[], max = 2): string {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = ranked.slice(0, max).map(([label, n]) => (n > 1 ? `${label} ×${n}` : label));
  const more = ranked.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
