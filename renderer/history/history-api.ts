/**
 * The history panel's client for the sync server's history HTTP API (types in
 * sync-server/contract.ts): history pages, the state at a seq, the replay stream, restore,
 * take-back and bookmarks. Every failure is a `HistoryApiError` whose `kind` says what the UI should tell the
 * user ("viewers cannot change this room", "the server is not reachable"), with the server's
 * own words as the message when it gave some.
 *
 * Pure: only fetch, so it runs in the page and under Node tests against a real server process.
 */
import type {
  BookmarkRequest,
  BookmarksResponse,
  ErrorResponse,
  HistoryBookmark,
  HistoryEntry,
  HistoryResponse,
  RestoreRequest,
  RestoreResponse,
  TakeBackRequest,
  TakeBackResponse,
  TakeBackSource,
} from '../../sync-server/contract.ts';
import { decodeUpdatesStream, MalformedStreamError, type LoggedUpdate } from './updates-stream.ts';

export type HistoryApiErrorKind =
  /** 401: no token, a bad one, or an expired one. */
  | 'unauthorized'
  /** 403: a viewer asked to change something, or the token is for another room. */
  | 'forbidden'
  /** 404: the room has no log yet (nothing was ever written to it). */
  | 'not-found'
  /** 400/405/413: the request itself was refused (a seq past the end, a bad name). */
  | 'invalid'
  /** 503: the server is at its room limit; 429: too many requests from this address for now. */
  | 'unavailable'
  /** Any other 5xx. */
  | 'server'
  /** No answer at all: offline, refused, aborted. */
  | 'network'
  /** An answer that does not follow the contract. */
  | 'malformed';

export class HistoryApiError extends Error {
  override name = 'HistoryApiError';
  readonly kind: HistoryApiErrorKind;
  /** The HTTP status, or null when there was no answer. */
  readonly status: number | null;
  constructor(kind: HistoryApiErrorKind, status: number | null, message: string) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export interface HistoryApiTarget {
  /** http://host:port (RoomLink.httpUrl), no trailing slash. */
  httpUrl: string;
  room: string;
  /** The bearer token, or a function giving the newest one (the page's token is renewed as it goes). */
  token: string | (() => string);
}

export interface HistoryApi {
  /** Entries with seq > after, oldest first, at most `limit` (the server caps it at 10,000). */
  history(after: number, limit: number): Promise<HistoryResponse>;
  /** The newest seq (0 for a room that has no log yet). */
  lastSeq(): Promise<number>;
  /** The Yjs state right after entry `seq`, as one update. */
  stateAt(seq: number): Promise<Uint8Array>;
  /** Entries' updates with seq > after, at most `limit`, for replay. */
  updates(after: number, limit: number): Promise<LoggedUpdate[]>;
  /** Brings the state at `seq` back as a new edit; resolves to that edit's seq. */
  restore(seq: number): Promise<number>;
  /** Takes back one source's edits as a new edit (409 'invalid' when it made none). */
  takeBack(source: TakeBackSource): Promise<TakeBackResponse>;
  bookmarks(): Promise<HistoryBookmark[]>;
  addBookmark(seq: number, name: string): Promise<HistoryBookmark>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

function kindForStatus(status: number): HistoryApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 503 || status === 429) return 'unavailable';
  if (status >= 500) return 'server';
  return 'invalid';
}

/** The server's `{ error }` text when the body has one, else the status line. */
async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as Partial<ErrorResponse>;
    if (typeof body.error === 'string' && body.error) return body.error;
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
}

const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string';

function checkEntry(e: unknown): e is HistoryEntry {
  const x = e as Partial<HistoryEntry> | null;
  return !!x && isSeq(x.seq) && typeof x.time === 'number' && isText(x.author) && isText(x.label) && isSeq(x.bytes);
}

function checkBookmark(b: unknown): b is HistoryBookmark {
  const x = b as Partial<HistoryBookmark> | null;
  return !!x && isSeq(x.seq) && isText(x.name) && isText(x.author) && typeof x.time === 'number';
}

function malformed(what: string): HistoryApiError {
  return new HistoryApiError('malformed', 200, `the server's answer to ${what} does not follow the contract`);
}

export function createHistoryApi(target: HistoryApiTarget, fetchImpl: Fetch = (input, init) => fetch(input, init)): HistoryApi {
  const base = `${target.httpUrl}/api/rooms/${encodeURIComponent(target.room)}`;
  const token = typeof target.token === 'function' ? target.token : () => target.token as string;

  const send = async (what: string, path: string, init: RequestInit = {}): Promise<Response> => {
    let res: Response;
    try {
      const headers = { authorization: `Bearer ${token()}` };
      res = await fetchImpl(`${base}${path}`, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
      });
    } catch (error) {
      throw new HistoryApiError('network', null, `${what}: the server is not reachable (${(error as Error).message})`);
    }
    if (!res.ok) throw new HistoryApiError(kindForStatus(res.status), res.status, await errorText(res));
    return res;
  };

  const json = async (what: string, res: Response): Promise<unknown> => {
    try {
      return await res.json();
    } catch {
      throw malformed(what);
    }
  };

  const bytes = async (what: string, res: Response): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (error) {
      throw new HistoryApiError('network', res.status, `${what}: the answer was cut off (${(error as Error).message})`);
    }
  };

  const postJson = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  const api: HistoryApi = {
    async history(after, limit) {
      const body = (await json('history', await send('history', `/history?after=${after}&limit=${limit}`))) as Partial<HistoryResponse>;
      if (!Array.isArray(body.entries) || !isSeq(body.lastSeq) || !body.entries.every(checkEntry)) throw malformed('history');
      return { entries: body.entries, lastSeq: body.lastSeq };
    },
    async lastSeq() {
      try {
        return (await api.history(0, 0)).lastSeq;
      } catch (error) {
        // A room nobody has written to has no log: its history is empty, not an error.
        if (error instanceof HistoryApiError && error.kind === 'not-found') return 0;
        throw error;
      }
    },
    async stateAt(seq) {
      return bytes('state', await send(`state at #${seq}`, `/state?at=${seq}`));
    },
    async updates(after, limit) {
      const body = await bytes('updates', await send('updates', `/updates?after=${after}&limit=${limit}`));
      try {
        return decodeUpdatesStream(body);
      } catch (error) {
        if (error instanceof MalformedStreamError)
          throw new HistoryApiError('malformed', 200, `the replay stream is corrupt: ${error.message}`);
        throw error;
      }
    },
    async restore(seq) {
      const request: RestoreRequest = { seq };
      const body = (await json('restore', await send(`restore #${seq}`, '/restore', postJson(request)))) as Partial<RestoreResponse>;
      if (!isSeq(body.seq)) throw malformed('restore');
      return body.seq;
    },
    async takeBack(source) {
      const request: TakeBackRequest = { source };
      const body = (await json('take-back', await send('take-back', '/take-back', postJson(request)))) as Partial<TakeBackResponse>;
      if (!isSeq(body.seq) || !isSeq(body.taken)) throw malformed('take-back');
      return { seq: body.seq, taken: body.taken };
    },
    async bookmarks() {
      const body = (await json('bookmarks', await send('bookmarks', '/bookmarks'))) as Partial<BookmarksResponse>;
      if (!Array.isArray(body.bookmarks) || !body.bookmarks.every(checkBookmark)) throw malformed('bookmarks');
      return body.bookmarks;
    },
    async addBookmark(seq, name) {
      const request: BookmarkRequest = { seq, name };
      const body = await json('bookmark', await send('bookmark', '/bookmarks', postJson(request)));
      if (!checkBookmark(body)) throw malformed('bookmark');
      return body;
    },
  };
  return api;
}

/** Words for the UI: what went wrong and, where it helps, what to do. */
export function describeApiError(error: unknown): string {
  if (!(error instanceof HistoryApiError)) return `Something went wrong: ${(error as Error)?.message ?? String(error)}`;
  switch (error.kind) {
    case 'unauthorized':
      return `The server did not accept your link (${error.message}). Ask for a new invite.`;
    case 'forbidden':
      return `Not allowed: ${error.message}.`;
    case 'not-found':
      return 'This room has no history yet.';
    case 'invalid':
      return `The server refused: ${error.message}.`;
    case 'unavailable':
      return `The server is busy (${error.message}). Try again in a moment.`;
    case 'server':
      return `The server failed (${error.message}).`;
    case 'network':
      return 'The server is not reachable: history will load when the connection is back.';
    case 'malformed':
      return `Unexpected answer from the server: ${error.message}.`;
  }
}
