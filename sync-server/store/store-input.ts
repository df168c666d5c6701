/**
 * What every store refuses before it writes anything (both stores call these, so both refuse the
 * same input with the same message). The bounds are those a project file is held to on open
 * (LIMITS.projectFile), so whatever one store accepts the other accepts too, and a log moved
 * between them passes the checks on the way in.
 *
 * Texts must be well-formed Unicode without NUL: PostgreSQL cannot store NUL in text at all, and
 * a lone surrogate would be stored as U+FFFD while the hash was computed over the JSON escape of
 * the original (JSON.stringify writes "\ud800"), so the entry would fail verification forever.
 */
import { LIMITS } from '../limits.ts';
import type { Bookmark, NewEntry } from './room-log.ts';

export class StoreInputError extends Error {
  override name = 'StoreInputError';
}

export function checkEntries(entries: readonly NewEntry[]): void {
  if (!Array.isArray(entries)) throw new StoreInputError('entries must be an array');
  if (entries.length > LIMITS.store.maxBatchEntries) {
    throw new StoreInputError(`a batch holds at most ${LIMITS.store.maxBatchEntries} entries (got ${entries.length})`);
  }
  entries.forEach((entry, index) => checkEntry(entry, `entry ${index + 1} of the batch`));
}

export function checkEntry(entry: NewEntry, what: string): void {
  if (typeof entry !== 'object' || entry === null) throw new StoreInputError(`${what} is not an object`);
  checkTime(entry.time, `${what}: time`);
  checkText(entry.author, `${what}: author`);
  checkText(entry.label, `${what}: label`);
  if (!(entry.update instanceof Uint8Array)) throw new StoreInputError(`${what}: update must be bytes (a Uint8Array)`);
  if (entry.update.byteLength === 0) throw new StoreInputError(`${what}: update is empty (an empty Yjs update is 2 bytes: 0, 0)`);
  if (entry.update.byteLength > LIMITS.projectFile.maxUpdateBytes) {
    throw new StoreInputError(
      `${what}: update is ${entry.update.byteLength} bytes, over the ${LIMITS.projectFile.maxUpdateBytes}-byte limit`,
    );
  }
  if (entry.concurrent !== undefined && typeof entry.concurrent !== 'boolean')
    throw new StoreInputError(`${what}: concurrent must be true or false`);
}

export function checkBookmark(bookmark: Bookmark, lastSeq: number): void {
  if (typeof bookmark !== 'object' || bookmark === null) throw new StoreInputError('bookmark is not an object');
  checkSeq(bookmark.seq, lastSeq, 'bookmark: seq');
  checkText(bookmark.name, 'bookmark: name');
  checkText(bookmark.author, 'bookmark: author');
  checkTime(bookmark.time, 'bookmark: time');
}

/** The rules as the text stored: JSON, within its bound. */
export function rulesText(rules: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(rules);
  } catch (err) {
    throw new StoreInputError(`rules cannot be stored as JSON (${(err as Error).message})`);
  }
  if (text === undefined) throw new StoreInputError('rules cannot be stored as JSON (nothing to store)');
  if (Buffer.byteLength(text) > LIMITS.store.maxRulesBytes)
    throw new StoreInputError(`rules are over ${LIMITS.store.maxRulesBytes} bytes as JSON`);
  return text;
}

/** A state (snapshot or full state) at `seq`, an entry of the log. */
export function checkState(seq: number, state: Uint8Array, lastSeq: number, what: string): void {
  checkSeq(seq, lastSeq, `${what}: seq`);
  if (!(state instanceof Uint8Array)) throw new StoreInputError(`${what}: state must be bytes (a Uint8Array)`);
  if (state.byteLength > LIMITS.projectFile.maxInflatedBytes) {
    throw new StoreInputError(`${what}: state is ${state.byteLength} bytes, over the ${LIMITS.projectFile.maxInflatedBytes}-byte limit`);
  }
}

/** A range bound for reads: a whole number from 0. */
export function checkPosition(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new StoreInputError(`${what} must be a whole number from 0 (got ${String(value)})`);
}

/** A count for reads: a whole number from 1. */
export function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new StoreInputError(`${what} must be a whole number from 1 (got ${String(value)})`);
}

function checkSeq(seq: number, lastSeq: number, what: string): void {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > lastSeq) {
    throw new StoreInputError(`${what} must name an entry of the log, 1 to ${lastSeq} (got ${String(seq)})`);
  }
}

function checkTime(time: number, what: string): void {
  if (!Number.isSafeInteger(time) || time < 0)
    throw new StoreInputError(`${what} must be milliseconds since 1970, a whole number from 0 (got ${String(time)})`);
}

function checkText(text: string, what: string): void {
  if (typeof text !== 'string') throw new StoreInputError(`${what} must be text`);
  if (text.length === 0) throw new StoreInputError(`${what} is empty`);
  if (text.length > LIMITS.projectFile.maxTextChars)
    throw new StoreInputError(`${what} is over ${LIMITS.projectFile.maxTextChars} characters`);
  if (text.includes('\u0000')) throw new StoreInputError(`${what} contains a NUL character`);
  if (!text.isWellFormed()) throw new StoreInputError(`${what} is not well-formed Unicode (a lone surrogate)`);
}
