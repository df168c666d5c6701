/**
 * Everything a replay needs, fetched page by page: every entry up to the newest seq when the
 * replay starts (author, label and time: the timing and the caption of each step) and every
 * logged update (the steps themselves). Edits logged while it loads are left out; the replay
 * is of the session up to the moment it was asked for.
 */
import type { HistoryEntry } from '../../sync-server/contract.ts';
import type { HistoryApi } from './history-api.ts';
import type { LoggedUpdate } from './updates-stream.ts';

export interface ReplayData {
  /** One per step, in order. */
  updates: LoggedUpdate[];
  /** The entry of each step (same index as `updates`). */
  entries: HistoryEntry[];
}

export interface ReplayLoadOptions {
  /** Entries and updates per request. */
  pageSize?: number;
  /** Called as pages arrive: entries and updates fetched so far, out of 2 × the number of steps. */
  onProgress?(done: number, total: number): void;
  /** Stops between pages (the user left the replay). */
  signal?: AbortSignal;
}

export async function loadReplay(api: HistoryApi, options: ReplayLoadOptions = {}): Promise<ReplayData> {
  const pageSize = options.pageSize ?? 5000;
  const upTo = await api.lastSeq();
  const total = 2 * upTo;
  const entries: HistoryEntry[] = [];
  const updates: LoggedUpdate[] = [];
  const progress = (): void => options.onProgress?.(entries.length + updates.length, total);
  for (let after = 0; after < upTo; ) {
    options.signal?.throwIfAborted();
    const page = await api.history(after, Math.min(pageSize, upTo - after));
    if (!page.entries.length) break;
    entries.push(...page.entries.filter((e) => e.seq <= upTo));
    after = page.entries.at(-1)!.seq;
    progress();
  }
  for (let after = 0; after < upTo; ) {
    options.signal?.throwIfAborted();
    const page = await api.updates(after, Math.min(pageSize, upTo - after));
    if (!page.length) break;
    updates.push(...page.filter((u) => u.seq <= upTo));
    after = page.at(-1)!.seq;
    progress();
  }
  return alignReplay(entries, updates);
}

/**
 * Pairs updates with their entries by seq. They come from the same log and should match one to
 * one; an update without an entry still replays (captioned by its seq, timed like the step
 * before), and an entry without an update is skipped.
 */
export function alignReplay(entries: readonly HistoryEntry[], updates: readonly LoggedUpdate[]): ReplayData {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const out: ReplayData = { updates: [], entries: [] };
  let previousTime = entries[0]?.time ?? 0;
  for (const update of updates) {
    const entry = bySeq.get(update.seq) ?? {
      seq: update.seq,
      time: previousTime,
      author: '?',
      label: `#${update.seq}`,
      bytes: update.update.byteLength,
    };
    previousTime = entry.time;
    out.updates.push(update);
    out.entries.push(entry);
  }
  return out;
}
