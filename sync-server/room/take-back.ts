/**
 * "Take back" one source's edits (POST /api/rooms/<room>/take-back): which log entries a request
 * names, and how the forward edit that takes them back is labelled. The edit itself is computed by
 * rebuild.ts (revertEntries) from the log, like a restore, so every peer receives one ordinary
 * update and the take-back is a history entry of its own, which can itself be taken back.
 *
 * Sources are told apart by what the log records of each entry: its author (the name in the token
 * that sent it: two people with one name are one source) and its label. The AI bandmate runs in a
 * person's page, so its edits are logged under that person; they are the entries labelled as the
 * AI panel labels a kept take (core/song/edit-labels.ts isAiTakeLabel).
 */
import { isAiTakeLabel } from '../../core/song/edit-labels.ts';
import type { TakeBackSource } from '../contract.ts';

/** What an entry says of itself: enough to pick it. */
export interface EntryMeta {
  seq: number;
  author: string;
  label: string;
}

/** The seq after which entries are looked at (the moment the source's edits are taken back from). */
export function takeBackSince(source: TakeBackSource): number {
  return source.kind === 'entry' ? source.seq - 1 : source.since;
}

/** The seqs of the entries after `takeBackSince(source)` that the source wrote. */
export function takenSeqs(entries: Iterable<EntryMeta>, source: TakeBackSource): Set<number> {
  const since = takeBackSince(source);
  const taken = new Set<number>();
  for (const e of entries) {
    if (e.seq <= since) continue;
    if (source.kind === 'entry' ? e.seq === source.seq : source.kind === 'ai' ? isAiTakeLabel(e.label) : e.author === source.name) {
      taken.add(e.seq);
    }
  }
  return taken;
}

/** The history label of the take-back edit. */
export function takeBackLabel(source: TakeBackSource, count: number): string {
  const edits = `${count} edit${count === 1 ? '' : 's'}`;
  switch (source.kind) {
    case 'ai':
      return `took back the AI's ${edits} since #${source.since}`;
    case 'author':
      return `took back ${source.name}'s ${edits} since #${source.since}`;
    case 'entry':
      return `took back #${source.seq}`;
  }
}

/** Why nothing was taken back, in words for the person who asked. */
export function nothingToTakeBack(source: TakeBackSource): string {
  switch (source.kind) {
    case 'ai':
      return `the AI made no edits after #${source.since}`;
    case 'author':
      return `${source.name} made no edits after #${source.since}`;
    case 'entry':
      return `there is no entry #${source.seq}`;
  }
}

/**
 * Reads a request body's source, or says what is wrong with it. `lastSeq`: the room's newest
 * entry (since and seq must name one that exists; an entry 0 does not).
 */
export function parseTakeBackSource(body: Record<string, unknown>, lastSeq: number): TakeBackSource | string {
  const source = body.source;
  if (typeof source !== 'object' || source === null) return 'source must be an object: {kind: "ai" | "author" | "entry", ...}';
  const s = source as Record<string, unknown>;
  const seqIn = (value: unknown, min: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= lastSeq;
  switch (s.kind) {
    case 'ai':
      return seqIn(s.since, 0) ? { kind: 'ai', since: s.since as number } : `since must be an integer from 0 to ${lastSeq}`;
    case 'author':
      if (typeof s.name !== 'string' || s.name.length === 0 || s.name.length > 200) return 'name must be a bandmate name';
      return seqIn(s.since, 0)
        ? { kind: 'author', name: s.name, since: s.since as number }
        : `since must be an integer from 0 to ${lastSeq}`;
    case 'entry':
      return seqIn(s.seq, 1) ? { kind: 'entry', seq: s.seq as number } : `seq must be an integer from 1 to ${lastSeq}`;
    default:
      return 'source.kind must be "ai", "author" or "entry"';
  }
}
