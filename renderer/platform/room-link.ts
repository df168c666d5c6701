/**
 * The invite link a bandmate opens: `http://<host>:<port>/?room=<room>&token=<token>`, optionally
 * with `&server=ws://<host>:<port>` when the page is not served by the sync server itself.
 * Parsing it says in words what is wrong with a malformed link, so the UI can show that instead
 * of failing to connect. Pure: runs in the page, in Electron and under Node tests.
 */
import { ROLES, ROOM_NAME, type Role, type TokenClaims } from '../../sync-server/contract.ts';

export interface RoomLink {
  /** Websocket base URL of the sync server, without a trailing slash: ws://host:port */
  serverUrl: string;
  /** HTTP base URL of the same server, for the history API: http://host:port */
  httpUrl: string;
  room: string;
  token: string;
  /** The token's claims as the page reads them (unverified: only the server can verify). */
  claims: TokenClaims;
}

export type LinkResult = { ok: true; link: RoomLink } | { ok: false; problem: string };

const EXAMPLE = 'http://<host>:4455/?room=my-song&token=…';

/**
 * Reads a token's claims without verifying the signature (the page has no secret). Good for the
 * display name, role and expiry; the server decides whether the token is valid.
 */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return null;
  try {
    const base64 = token.slice(0, dot).replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<TokenClaims>;
    if (
      typeof claims !== 'object' || claims === null ||
      typeof claims.room !== 'string' || typeof claims.name !== 'string' ||
      typeof claims.exp !== 'number' || typeof claims.id !== 'string' || !(ROLES as readonly string[]).includes(claims.role as string)
    ) {
      return null;
    }
    return { room: claims.room, name: claims.name, id: claims.id, exp: claims.exp, role: claims.role as Role };
  } catch {
    return null;
  }
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

/** Parses an invite link; `nowSeconds` decides whether the token has expired. */
export function parseRoomLink(href: string, nowSeconds = Date.now() / 1000): LinkResult {
  let page: URL;
  try {
    page = new URL(href);
  } catch {
    return { ok: false, problem: `This is not a link Riffroom can read. An invite looks like ${EXAMPLE}` };
  }
  const params = page.searchParams;
  const room = params.get('room');
  const token = params.get('token');
  if (room === null || room === '') {
    return { ok: false, problem: `This link names no room. Ask the host for an invite link; it looks like ${EXAMPLE}` };
  }
  if (!ROOM_NAME.test(room)) {
    return { ok: false, problem: `"${room.slice(0, 80)}" is not a room name: rooms are 1-64 letters, digits, - or _. Check the link was copied whole.` };
  }
  if (token === null || token === '') {
    return { ok: false, problem: `This link to room "${room}" has no token. Ask the host for an invite link with a token.` };
  }
  const claims = decodeTokenClaims(token);
  if (!claims) {
    return { ok: false, problem: 'The token in this link is damaged (was the link cut off when it was copied?). Ask the host for a new invite.' };
  }
  if (claims.room !== room) {
    return { ok: false, problem: `This token is for room "${claims.room}", not "${room}". Ask the host for an invite to this room.` };
  }
  if (claims.exp <= nowSeconds) {
    return { ok: false, problem: `This invite expired on ${new Date(claims.exp * 1000).toLocaleString()}. Ask the host for a new one.` };
  }
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
  return { ok: true, link: { serverUrl: base, httpUrl: httpUrlFor(serverUrl), room, token, claims } };
}

/** The link to send a bandmate (with the same or another token). */
export function inviteLink(httpUrl: string, room: string, token: string): string {
  const url = new URL('/', httpUrl);
  url.searchParams.set('room', room);
  url.searchParams.set('token', token);
  return url.href;
}
