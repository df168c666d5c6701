/**
 * What a bookmark may be (POST /api/rooms/<room>/bookmarks, contract.ts BookmarkRequest): a seq
 * of the room's history and a name of 1 to LIMITS.bookmarks.maxNameChars characters after
 * trimming, with no control characters (they would break the history list, or reorder its text:
 * bidirectional overrides). How many a room may hold is LIMITS.bookmarks.maxPerRoom.
 */
import { LIMITS } from '../limits.ts';
import { HttpError } from './responses.ts';

/** C0 and C1 controls, line and paragraph separators, bidirectional embeddings and isolates. */
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export function bookmarkNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'name must be a string';
  const trimmed = name.trim();
  const chars = [...trimmed].length;
  if (chars === 0 || chars > LIMITS.bookmarks.maxNameChars)
    return `name must be 1 to ${LIMITS.bookmarks.maxNameChars} characters (after trimming spaces)`;
  if (CONTROL.test(trimmed)) return 'name cannot hold control characters';
  return null;
}

/** The bookmark asked for, checked against a room whose last entry is `lastSeq`; HttpError 400 otherwise. */
export function parseBookmarkRequest(body: Record<string, unknown>, lastSeq: number): { seq: number; name: string } {
  const { seq, name } = body;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > lastSeq) {
    throw new HttpError(400, `seq must be an integer from 0 to ${lastSeq}`);
  }
  const problem = bookmarkNameProblem(name);
  if (problem) throw new HttpError(400, problem);
  return { seq, name: (name as string).trim() };
}
