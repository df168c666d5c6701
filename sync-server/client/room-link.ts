/**
 * Links to a room, read and made in one place for the page and the desktop's main process.
 *
 * The invite link a bandmate opens: `http://<host>:<port>/?room=<room>#token=<token>`, optionally
 * with `&server=ws://<host>:<port>` (in the query) when the page is not served by the sync server
 * itself. The token rides in the fragment: a browser never sends a fragment to the server, so it
 * stays out of the server's and proxies' logs and out of Referer headers. Old links with
 * `?token=<token>` in the query still work. Once the page has read its token it removes it from
 * the address bar (`addressWithoutToken`), keeping the room.
 *
 * A link pasted into the desktop's "Join a jam" (parseJoinLink) may also be the room's websocket
 * URL, as stock clients have it: `ws(s)://host:port/<room>?token=<t>` or `ws(s)://host:port/?room=
 * <room>&token=<t>`.
 *
 * Parsing says in words what is wrong with a malformed link, so the UI can show that instead of
 * failing to connect. Pure (no Node, no DOM beyond URL, atob and TextDecoder): runs in the page,
 * in Electron's main process and under Node tests.
 */
import { ROLES, ROOM_NAME, type Role, type TokenClaims } from '../contract.ts';

/** Where a room is, without a token: what the address says once the token is out of it. */
export interface RoomAddress {
  /** Websocket base URL of the sync server, without a trailing slash: ws://host:port */
  serverUrl: string;
  /** HTTP base URL of the same server, for the history API: http://host:port */
  httpUrl: string;
  room: string;
}

export interface RoomLink extends RoomAddress {
  token: string;
  /** The token's claims as the page reads them (unverified: only the server can verify). */
  claims: TokenClaims;
}

export type LinkResult = { ok: true; link: RoomLink } | { ok: false; problem: string };
/** The room an address names and the token it carries (null when it carries none). */
export type AddressResult = { ok: true; address: RoomAddress; token: string | null } | { ok: false; problem: string };

const EXAMPLE = 'http://<host>:4455/?room=my-song#token=…';
/** Longer than any link or token Riffroom makes. */
const MAX_LINK_CHARS = 4096;

/**
 * Reads a token's claims without verifying the signature (the page has no secret). Good for the
 * display name, role, identity, expiry and whether it is an invite or can be renewed; the server
 * decides whether the token is valid.
 */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > MAX_LINK_CHARS || !/^[A-Za-z0-9_-]+$/.test(token.slice(0, dot))) return null;
  try {
    const base64 = token.slice(0, dot).replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<TokenClaims>;
    if (
      typeof claims !== 'object' ||
      claims === null ||
      typeof claims.room !== 'string' ||
      typeof claims.name !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.id !== 'string' ||
      !(ROLES as readonly string[]).includes(claims.role as string)
    ) {
      return null;
    }
    const out: TokenClaims = { room: claims.room, name: claims.name, id: claims.id, exp: claims.exp, role: claims.role as Role };
    if (typeof claims.iat === 'number' && Number.isFinite(claims.iat)) out.iat = claims.iat;
    if (typeof claims.renewUntil === 'number' && Number.isFinite(claims.renewUntil)) out.renewUntil = claims.renewUntil;
    if (claims.invite === true) out.invite = true;
    return out;
  } catch {
    return null;
  }
}

/** The fragment's parameters (`#token=…&x=…`), as the query's are read. */
function fragmentParams(url: URL): URLSearchParams {
  return new URLSearchParams(url.hash.startsWith('#') ? url.hash.slice(1) : url.hash);
}

/** The token an address carries: in the fragment (`#token=`), else in the query (old links); null if none. */
export function tokenInAddress(url: URL): string | null {
  return fragmentParams(url).get('token') || url.searchParams.get('token') || null;
}

/**
 * The same address without its token (in the fragment or the query), for history.replaceState:
 * the room, the server and anything else stay. Returns `href` unchanged when it carries no token.
 */
export function addressWithoutToken(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  if (!tokenInAddress(url)) return href;
  url.searchParams.delete('token');
  const fragment = fragmentParams(url);
  fragment.delete('token');
  const rest = fragment.toString();
  url.hash = rest ? `#${rest}` : '';
  return url.href;
}

/** The websocket URL of the server that served `pageUrl` (ws: for http:, wss: for https:). */
function serverUrlFor(pageUrl: URL): string | null {
  if (pageUrl.protocol === 'http:') return `ws://${pageUrl.host}`;
  if (pageUrl.protocol === 'https:') return `wss://${pageUrl.host}`;
  return null;
}

function httpUrlFor(serverUrl: URL): string {
  return `${serverUrl.protocol === 'wss:' ? 'https:' : 'http:'}//${serverUrl.host}`;
}

/** A time for people: "14:05" today, else the date and time. */
export function clockTime(seconds: number, nowSeconds = Date.now() / 1000): string {
  const at = new Date(seconds * 1000);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date(nowSeconds * 1000).toDateString() ? time : `${at.toLocaleDateString()} ${time}`;
}

/** Reads the room, the server and the token (if any) of a page's address. */
export function parseRoomAddress(href: string): AddressResult {
  let page: URL;
  try {
    page = new URL(href);
  } catch {
    return { ok: false, problem: `This is not a link Riffroom can read. An invite looks like ${EXAMPLE}` };
  }
  const params = page.searchParams;
  const checked = checkRoom(params.get('room'));
  if (!checked.ok) return checked;
  const { room } = checked;
  let serverUrl: URL;
  const server = params.get('server');
  try {
    const resolved = server ?? serverUrlFor(page);
    if (!resolved) throw new Error('no server');
    serverUrl = new URL(resolved);
    if (serverUrl.protocol !== 'ws:' && serverUrl.protocol !== 'wss:') throw new Error('not a websocket URL');
  } catch {
    return {
      ok: false,
      problem: server
        ? `The link's server "${server.slice(0, 120)}" is not a ws:// or wss:// address.`
        : 'This page was not opened from a sync server, and the link names no server (add &server=ws://host:port).',
    };
  }
  const base = `${serverUrl.protocol}//${serverUrl.host}`;
  return { ok: true, address: { serverUrl: base, httpUrl: httpUrlFor(serverUrl), room }, token: tokenInAddress(page) };
}

/** Checks `token` against the room it is used for; `nowSeconds` decides whether it has expired. */
export function linkWithToken(address: RoomAddress, token: string, nowSeconds = Date.now() / 1000): LinkResult {
  const claims = decodeTokenClaims(token);
  if (!claims) {
    return {
      ok: false,
      problem: 'The token in this link is damaged (was the link cut off when it was copied?). Ask the host for a new invite.',
    };
  }
  if (claims.room !== address.room) {
    return {
      ok: false,
      problem: `This token is for room "${claims.room}", not "${address.room}". Ask the host for an invite to this room.`,
    };
  }
  if (claims.exp <= nowSeconds) {
    // In the reader's own time zone, as every time the app shows (clockTime).
    return {
      ok: false,
      problem: `This ${claims.invite ? 'invite' : 'link'} expired on ${new Date(claims.exp * 1000).toLocaleString()}. Ask the host for a new one.`,
    };
  }
  return { ok: true, link: { ...address, token, claims } };
}

/** Parses an invite link that must carry its token; `nowSeconds` decides whether the token has expired. */
export function parseRoomLink(href: string, nowSeconds = Date.now() / 1000): LinkResult {
  const parsed = parseRoomAddress(href);
  if (!parsed.ok) return parsed;
  if (parsed.token === null) {
    return { ok: false, problem: `This link to room "${parsed.address.room}" has no token. Ask the host for an invite link with a token.` };
  }
  return linkWithToken(parsed.address, parsed.token, nowSeconds);
}

/** The link to send a bandmate (with the same or another token): the token in the fragment. */
export function inviteLink(httpUrl: string, room: string, token: string): string {
  const url = new URL('/', httpUrl);
  url.searchParams.set('room', room);
  url.hash = `token=${token}`;
  return url.href;
}

/**
 * Reads a link pasted into "Join a jam": an invite link (to this app's host or any Riffroom
 * server, the page's address forms above) or the room's websocket URL. The token must be there
 * and be for that room, unexpired at `nowSeconds`.
 */
export function parseJoinLink(text: string, nowSeconds = Date.now() / 1000): LinkResult {
  const href = typeof text === 'string' ? text.trim() : '';
  if (href === '') return { ok: false, problem: `Paste an invite link. It looks like ${EXAMPLE}` };
  if (href.length > MAX_LINK_CHARS) return { ok: false, problem: 'That is far too long to be an invite link.' };
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { ok: false, problem: `This is not a link Riffroom can read. An invite looks like ${EXAMPLE}` };
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    return {
      ok: false,
      problem: `A Riffroom link starts with http://, https://, ws:// or wss://, not ${url.protocol}//. An invite looks like ${EXAMPLE}`,
    };
  }
  if (!url.hostname) return { ok: false, problem: 'This link names no server.' };
  if (url.username || url.password)
    return { ok: false, problem: 'This link carries a user name or password; Riffroom links never do. Ask the host for a new invite.' };
  if (url.protocol === 'http:' || url.protocol === 'https:') return parseRoomLink(url.href, nowSeconds);

  // The websocket URL: the room in the path or the query (not two different ones).
  const pathRoom = decodeURIComponentSafe(url.pathname.slice(1));
  const checked = checkRoom(url.searchParams.get('room') ?? (pathRoom || null));
  if (!checked.ok) return checked;
  const { room } = checked;
  if (pathRoom && url.searchParams.has('room') && pathRoom !== room) {
    return { ok: false, problem: `This link names two rooms ("${pathRoom.slice(0, 80)}" and "${room}").` };
  }
  const token = tokenInAddress(url);
  if (token === null) {
    return { ok: false, problem: `This link to room "${room}" has no token. Ask the host for an invite link with a token.` };
  }
  return linkWithToken({ serverUrl: `${url.protocol}//${url.host}`, httpUrl: httpUrlFor(url), room }, token, nowSeconds);
}

/** A link's room name, or why it cannot be used (none, or not a room name). */
function checkRoom(room: string | null): { ok: true; room: string } | { ok: false; problem: string } {
  if (room === null || room === '')
    return { ok: false, problem: `This link names no room. Ask the host for an invite link; it looks like ${EXAMPLE}` };
  if (!ROOM_NAME.test(room)) {
    return {
      ok: false,
      problem: `"${room.slice(0, 80)}" is not a room name: rooms are 1-64 letters, digits, - or _. Check the link was copied whole.`,
    };
  }
  return { ok: true, room };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
