/**
 * The sync server's public contract, imported by the server and by every client (renderer,
 * tests, benchmarks). No Node or DOM APIs here.
 *
 * Websocket:  ws://host:port/<room>?token=<t>   y-websocket protocol (sync, awareness)
 * HTTP:       Authorization: Bearer <t>         (or ?token=<t>)
 */

/** Room names are also file names on the server: letters, digits, '-' and '_' only. */
export const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** y-websocket message types (first varuint of every message). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/** Close codes the server uses; the close reason says more in words. */
export const CLOSE = {
  /** Server shutting down; clients should reconnect later. */
  goingAway: 1001,
  /** ws closes with 1009 by itself when a message is over the size limit. */
  tooLarge: 1009,
  malformed: 4400,
  forbidden: 4403,
  /** The connection's token expired while it was open: renew it, or ask for a new link. */
  tokenExpired: 4401,
  rateLimited: 4429,
  internalError: 4500,
} as const;

export interface HistoryEntry {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  author: string;
  label: string;
  /** Size of the update in bytes. */
  bytes: number;
}

/** GET /api/rooms/<room>/history?after=<seq>&limit=<n> */
export interface HistoryResponse {
  entries: HistoryEntry[];
  /** The newest seq in the room. */
  lastSeq: number;
}

/** GET /api/rooms/<room>/state?at=<seq> answers with the Yjs update (application/octet-stream). */

/** POST /api/rooms/<room>/restore */
export interface RestoreRequest {
  seq: number;
}
export interface RestoreResponse {
  /** The entry the restore itself became. */
  seq: number;
}

/** POST /api/rooms/<room>/bookmarks; GET lists them. */
export interface BookmarkRequest {
  seq: number;
  name: string;
}
export interface HistoryBookmark {
  seq: number;
  name: string;
  author: string;
  time: number;
}
export interface BookmarksResponse {
  bookmarks: HistoryBookmark[];
}

/**
 * GET /api/rooms/<room>/updates?after=<seq>&limit=<n> answers the entries' updates for replay as
 * application/octet-stream: for each entry, varuint seq, varuint byte length, the update bytes.
 */

export interface ErrorResponse {
  error: string;
}

/** Claims inside a signed token. */
export interface TokenClaims {
  room: string;
  role: Role;
  /** Who this is, shown as the author in history (1-64 characters, no control characters). */
  name: string;
  /**
   * Whose token this is: an id unique to one person (every token the desktop app or the CLI mints
   * gets its own unless told otherwise; every invitee who joins through an invite gets their own).
   * Teacher mode's 'own-track' and the per-identity connection caps compare it, never the name.
   * 1-64 letters, digits, '-' or '_'.
   */
  id: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat?: number;
}
