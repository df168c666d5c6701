/**
 * The sync server's public contract, imported by the server and by every client (renderer,
 * tests, benchmarks). No Node or DOM APIs here.
 *
 * Websocket:  ws://host:port/<room> (wss:// when the server has --tls-cert)   y-websocket protocol
 *             (sync, awareness). The token goes in the subprotocols (tokenProtocols(token): a
 *             browser cannot set headers, and a URL ends up in logs); the stock y-websocket
 *             provider takes them as its `protocols` option. Every client Riffroom ships sends it
 *             so. ?token=<t> is accepted too, only for clients that can shape nothing but a URL
 *             (tools, the tests' raw sockets): a server run with --refuse-query-token refuses it.
 * HTTP:       Authorization: Bearer <t>   only: a ?token= on an HTTP route is refused (401).
 *
 * Every request's Host header must be an IP literal, `localhost` or a name the server was told
 * to answer to (--allowed-host), else 421: a page on another site cannot reach a server on the
 * LAN by pointing its own name at it (DNS rebinding).
 */

/** Room names are also file names on the server: letters, digits, '-' and '_' only. */
export const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Server tokens (not bound to a room): an admin (made by `riffroom-server init`) may mint creator
 * tokens; an admin or a creator may create rooms and import projects over HTTP. Sent as
 * `Authorization: Bearer <t>` on the server routes only; they open no room (a room token never
 * passes as a server token, nor the other way round). Same format and secret as room tokens.
 */
export const SERVER_ROLES = ['admin', 'creator'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

export interface ServerClaims {
  scope: 'server';
  role: ServerRole;
  /** Who this is (a teacher, a band leader): the author of the rooms they create. */
  name: string;
  /** An identity id, as in TokenClaims: the owner tokens this person mints carry it. */
  id: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
}

/**
 * POST /api/creators with `Authorization: Bearer <admin token>`: a creator token for a teacher or
 * band leader (a fresh identity id), lasting `ttl` ("90d", "12h" or whole seconds; default 90 d,
 * at most 2 years: LIMITS.serverTokens). 201 with a ServerTokenResponse.
 */
export interface CreatorRequest {
  /** Who the creator is (1-64 characters, no control characters): their name in the rooms they make. */
  name: string;
  ttl?: string | number;
}
export interface ServerTokenResponse {
  token: string;
  claims: ServerClaims;
}

/**
 * POST /api/rooms with `Authorization: Bearer <admin or creator token>` (the body may be empty):
 * makes an empty room and answers 201 with its owner token and invites. 409 when the room
 * exists, 503 when the server has all the rooms it can hold, 400 for a bad name.
 */
export interface CreateRoomRequest {
  /** The room's name (ROOM_NAME); a fresh random one when absent. */
  room?: string;
  /** The owner's display name; the server token's name when absent. */
  name?: string;
  /** How long the invites last ("30d", or whole seconds; default 7 d, at most 365 d). */
  inviteTtl?: string | number;
}
export interface CreateRoomResponse {
  room: string;
  /** The owner's token: the server token's identity id, renewable (POST /renew) for a year. */
  ownerToken: string;
  /** Invites (claims `invite: true`): each person who joins with one gets their own token (POST /join). */
  editorInvite: string;
  viewerInvite: string;
  /** Page links (<public URL>/?room=<room>#token=<token>) to open or send. */
  links: { owner: string; editor: string; viewer: string };
  /** Seconds since the epoch. */
  ownerExpires: number;
  ownerRenewableUntil: number;
  invitesExpire: number;
}

/** y-websocket message types (first varuint of every message). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/**
 * Renewing a document connection's token without reconnecting (before its exp; the connection is
 * closed with CLOSE.tokenExpired at exp otherwise):
 *   client → server  varuint MESSAGE_AUTH, varstring <new token>
 * The new token must verify and name the same room, identity id and role (a renewed token from
 * POST /renew does). Accepted: the connection now ends at the new token's exp, and the server
 * answers
 *   server → client  varuint MESSAGE_AUTH, varuint AUTH_TOKEN_RENEWED, varuint <new exp (seconds)>
 * (a stock y-websocket client ignores that answer: it only reads permission-denied, sub-type 0).
 * Refused: the connection is closed with CLOSE.tokenExpired and a reason starting 'renewal
 * refused: ' (expired, bad signature, another room, identity or role, an invite); a message
 * that is not a varstring closes it with CLOSE.malformed.
 */
export const AUTH_TOKEN_RENEWED = 1;

/**
 * Websocket subprotocols carrying a token: the client offers both, the server selects
 * TOKEN_PROTOCOL and never echoes the token. `new WebSocket(url, tokenProtocols(token))`, or the
 * y-websocket provider's `protocols` option.
 */
export const TOKEN_PROTOCOL = 'riffroom';
export const TOKEN_PROTOCOL_PREFIX = 'riffroom-token.';

export function tokenProtocols(token: string): string[] {
  return [TOKEN_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
}

/** Close codes the server uses; the close reason says more in words. */
export const CLOSE = {
  /** Server shutting down; clients should reconnect later. */
  goingAway: 1001,
  /**
   * Server restarting (SIGTERM: a deploy, a restart, a certificate renewal): reconnect now and
   * keep retrying; nothing acknowledged is lost. Reason 'server restarting'.
   */
  serviceRestart: 1012,
  /** ws closes with 1009 by itself when a message is over the size limit. */
  tooLarge: 1009,
  malformed: 4400,
  forbidden: 4403,
  /**
   * The connection's token expired while it was open (reason 'token expired'), or an in-band
   * renewal was refused (reason 'renewal refused: …'): renew it over HTTP (POST /renew) and
   * reconnect, or ask for a new link.
   */
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

/**
 * POST /api/rooms/<room>/take-back: one forward edit that takes back what one source did after a
 * moment, keeping everyone else's edits (sync-server/room/take-back.ts has the rule): the AI's
 * kept takes, one bandmate's edits, or one entry (a take-back is undone by taking back its entry).
 */
export type TakeBackSource =
  | { kind: 'ai'; since: number }
  | { kind: 'author'; name: string; since: number }
  | { kind: 'entry'; seq: number };
export interface TakeBackRequest {
  source: TakeBackSource;
}
export interface TakeBackResponse {
  /** The entry the take-back became. */
  seq: number;
  /** How many entries it took back. */
  taken: number;
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

/**
 * POST /api/rooms/<room>/join with `Authorization: Bearer <invite token>`: the one thing an
 * invite is good for. Answers a personal token: a fresh identity id, this name, the invite's
 * role, lasting at most LIMITS.tokens.joinedTokenSeconds (12 h) and renewable (POST /renew) until
 * the invite ends. Everyone who joins from one invite is a different person to the server.
 */
export interface JoinRequest {
  /** 1-64 characters, no control characters. */
  name: string;
}

/**
 * POST /api/rooms/<room>/renew with `Authorization: Bearer <personal token>` (unexpired, with a
 * renewUntil still ahead); no body. Answers the same room, role, name and id with
 * exp = min(now + (exp - iat), renewUntil). 403 with a reason when the token is not renewable.
 */
export interface TokenResponse {
  token: string;
  claims: TokenClaims;
}
export type JoinResponse = TokenResponse;
export type RenewResponse = TokenResponse;

/**
 * GET /api/rooms/<room>/export (Bearer: the room's owner): the room's log as a .riffroom project
 * file (application/octet-stream; X-Riffroom-Last-Seq: its newest entry).
 * POST /api/rooms/<room>/import (Bearer: an admin or creator server token; body: a .riffroom
 * file): 201 with this; 409 when the room exists, 413 past the server's size cap, 422 with the
 * reason (and its LogProblem) when the file fails the checks every project file passes.
 * `token` is an owner token for the new room, for the importer's identity.
 */
/** POST /api/rooms/<room>/invites (the room's owner; body `{ "inviteTtl"? }` or empty): fresh invites. */
export interface InvitesResponse {
  room: string;
  editorInvite: string;
  viewerInvite: string;
  /** Page links (<public URL or the request's origin>/?room=<room>#token=<invite>). */
  links: { editor: string; viewer: string };
  /** Seconds since the epoch. */
  invitesExpire: number;
}

export interface ImportResponse extends TokenResponse {
  room: string;
  lastSeq: number;
  bookmarks: number;
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
  /**
   * An invite: refused everywhere except POST /join, which trades it for a personal token. The
   * name in an invite is only a placeholder.
   */
  invite?: true;
  /** POST /renew gives this token a later exp, up to this time (seconds since the epoch). */
  renewUntil?: number;
}
