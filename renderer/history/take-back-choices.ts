/**
 * What the history banner offers to take back from the moment it shows (#seq): the AI's edits
 * since then, each bandmate's edits since then (by the name the log records), and the shown entry
 * alone (which is how a take-back, or any one edit, is undone). Only sources with an entry after
 * the moment are offered, each with how many of the loaded entries it would take back.
 */
import { isAiTakeLabel } from '../../core/song/edit-labels.ts';
import type { HistoryEntry, TakeBackSource } from '../../sync-server/contract.ts';

export interface TakeBackChoice {
  /** Stable for a <select>'s value. */
  key: string;
  /** What the menu says: "the AI's 3 edits since #12". */
  label: string;
  source: TakeBackSource;
}

const edits = (n: number) => `${n} edit${n === 1 ? '' : 's'}`;

/** `entries`: the loaded timeline (any order); `seq`: the moment shown. */
export function takeBackChoices(entries: readonly HistoryEntry[], seq: number): TakeBackChoice[] {
  const after = entries.filter((e) => e.seq > seq).sort((a, b) => a.seq - b.seq);
  const choices: TakeBackChoice[] = [];
  const ai = after.filter((e) => isAiTakeLabel(e.label)).length;
  if (ai > 0) choices.push({ key: 'ai', label: `the AI's ${edits(ai)} since #${seq}`, source: { kind: 'ai', since: seq } });
  const byAuthor = new Map<string, number>();
  for (const e of after) byAuthor.set(e.author, (byAuthor.get(e.author) ?? 0) + 1);
  for (const [name, count] of byAuthor) {
    choices.push({ key: `author:${name}`, label: `${name}'s ${edits(count)} since #${seq}`, source: { kind: 'author', name, since: seq } });
  }
  if (seq > 0 && entries.some((e) => e.seq === seq)) {
    choices.push({ key: `entry:${seq}`, label: `entry #${seq} alone`, source: { kind: 'entry', seq } });
  }
  return choices;
}
