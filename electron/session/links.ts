/**
 * Links to a jam. Hosting: this machine's LAN address and the invite link a bandmate opens.
 * Joining: reads a link pasted into "Join a jam" — to this app's host or any Riffroom server —
 * and says in words what is wrong with a bad one. Accepted forms (the token in the fragment,
 * `#token=<t>`, as the app makes them: a fragment never reaches a server's logs or a Referer; or
 * in the query, `?token=<t>`/`&token=<t>`, as older links and stock clients have it):
 *
 *   http(s)://host:port/?room=<room>#token=<t>     the invite link (also opens the web client)
 *   http(s)://page/?room=<room>&server=ws(s)://host:port#token=<t>   a page served elsewhere
 *   ws(s)://host:port/<room>?token=<t>             the room's websocket URL
 *   ws(s)://host:port/?room=<room>&token=<t>
 *
 * Plain Node (main process): no Electron import.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { ROLES, ROOM_NAME, type Role, type TokenClaims } from '../../sync-server/contract.ts';

/**
 * This machine's address on the LAN: the first non-internal IPv4 address, preferring a routable
 * one over a link-local 169.254.x.x; null when there is none (no network).
 */
export function lanAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | null {
  const candidates: string[] = [];
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      const family = a.family as string | number; // Node 18.0-18.3 reported 4 instead of 'IPv4'
      if ((family === 'IPv4' || family === 4) && !a.internal) candidates.push(a.address);
    }
  }
  return candidates.find((a) => !a.startsWith('169.254.')) ?? candidates[0] ?? null;
}

/** The invite link: http://<address>:<port>/?room=<room>#token=<token> (the token in the fragment). */
export function inviteLinkFor(address: string, port: number, room: string, token: string): string {
  const url = new URL(`http://${address.includes(':') ? `[${address}]` : address}:${port}/`);
  url.searchParams.set('room', room);
  url.hash = `token=${token}`;
  return url.href;
}

/** The token a link carries: in its fragment (`#token=`), else in its query; null when none. */
export function tokenOfLink(url: URL): string | null {
  const fragment = new URLSearchParams(url.hash.startsWith('#') ? url.hash.slice(1) : url.hash);
  return fragment.get('token') || url.searchParams.get('token') || null;
}

export interface JoinTarget {
  /** Websocket base URL of the server, no trailing slash: ws://host:port (the room is not in it). */
  serverUrl: string;
  /** HTTP base URL of the same server, for the history API. */
  httpUrl: string;
  room: string;
  token: string;
  /** The token's claims, read without verifying (only the server can): name, role, expiry. */
  claims: TokenClaims;
}

export type JoinLinkResult = { ok: true; target: JoinTarget } | { ok: false; problem: string };

const EXAMPLE = 'http://<host>:4455/?room=my-song#token=…';
const MAX_LINK_CHARS = 4096;

/** Reads a token's claims without verifying its signature; null when it is not a token. */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > MAX_LINK_CHARS || !/^[A-Za-z0-9_-]+$/.test(token.slice(0, dot))) return null;
  try {
    const claims = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as Partial<TokenClaims> | null;
    if (
      typeof claims !== 'object' || claims === null || typeof claims.room !== 'string' || typeof claims.name !== 'string' ||
      typeof claims.exp !== 'number' || typeof claims.id !== 'string' || !(ROLES as readonly string[]).includes(claims.role as string)
    ) {
      return null;
    }
    const out: TokenClaims = { room: claims.room, name: claims.name, id: claims.id, exp: claims.exp, role: claims.role as Role };
    if (claims.invite === true) out.invite = true;
    if (typeof claims.iat === 'number') out.iat = claims.iat;
    if (typeof claims.renewUntil === 'number') out.renewUntil = claims.renewUntil;
    return out;
  } catch {
    return null;
  }
}

/** Parses a pasted link; `nowSeconds` decides whether its token has expired. */
export function parseJoinLink(text: string, nowSeconds = Date.now() / 1000): JoinLinkResult {
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
    return { ok: false, problem: `A Riffroom link starts with http://, https://, ws:// or wss://, not ${url.protocol}//. An invite looks like ${EXAMPLE}` };
  }
  if (!url.hostname) return { ok: false, problem: 'This link names no server.' };
  if (url.username || url.password) return { ok: false, problem: 'This link carries a user name or password; Riffroom links never do. Ask the host for a new invite.' };

  const isWs = url.protocol === 'ws:' || url.protocol === 'wss:';
  const pathRoom = isWs ? decodeURIComponentSafe(url.pathname.slice(1)) : '';
  const room = url.searchParams.get('room') ?? (pathRoom || null);
  if (room === null || room === '') {
    return { ok: false, problem: `This link names no room. Ask the host for an invite link; it looks like ${EXAMPLE}` };
  }
  if (!ROOM_NAME.test(room)) {
    return { ok: false, problem: `"${room.slice(0, 80)}" is not a room name: rooms are 1-64 letters, digits, - or _. Check the link was copied whole.` };
  }
  if (isWs && pathRoom && url.searchParams.has('room') && pathRoom !== room) {
    return { ok: false, problem: `This link names two rooms ("${pathRoom.slice(0, 80)}" and "${room}").` };
  }
  const token = tokenOfLink(url);
  if (token === null) {
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
    return { ok: false, problem: `This invite expired on ${new Date(claims.exp * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC. Ask the host for a new one.` };
  }

  let server: URL = url;
  const named = url.searchParams.get('server');
  if (named !== null && !isWs) {
    try {
      server = new URL(named);
    } catch {
      return { ok: false, problem: `The link's server "${named.slice(0, 120)}" is not a ws:// or wss:// address.` };
    }
    if (server.protocol !== 'ws:' && server.protocol !== 'wss:') {
      return { ok: false, problem: `The link's server "${named.slice(0, 120)}" is not a ws:// or wss:// address.` };
    }
  }
  const secure = server.protocol === 'https:' || server.protocol === 'wss:';
  return {
    ok: true,
    target: {
      serverUrl: `${secure ? 'wss:' : 'ws:'}//${server.host}`,
      httpUrl: `${secure ? 'https:' : 'http:'}//${server.host}`,
      room,
      token,
      claims,
    },
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
