/**
 * What riffroom://app/<path> answers, decided without Electron (main/index.ts does the I/O):
 * - /api/rooms/<room>/… is forwarded to the current session's sync server (the history panel's
 *   HTTP API), so the page talks only to its own origin: no CORS, and COEP holds;
 * - anything else is a file of the built renderer (renderer/dist), never outside it.
 */
import { extname, join, normalize, resolve, sep } from 'node:path';
import { ROOM_NAME } from '../../sync-server/contract.ts';
import { APP_HOST, APP_SCHEME } from './security.ts';

export type AppRequest =
  | { kind: 'file'; path: string; contentType: string }
  | { kind: 'proxy'; url: string }
  | { kind: 'refuse'; status: 400 | 403 | 404 | 405; reason: string };

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The room API routes the proxy forwards (sync-server/http-api.ts): history, the token routes
 * (join an invite, renew), and the owner's invites and export (Keep a local copy; the server
 * refuses anyone else).
 */
const API_ROUTE = /^\/api\/rooms\/([^/]+)\/(history|state|updates|restore|bookmarks|join|renew|invites|export)$/;

/**
 * Decides what to do with one request. `webRoot`: the built renderer folder; `sessionHttpUrl`:
 * the current session's sync server (http://127.0.0.1:port, or a joined jam's server), or null.
 */
export function resolveAppRequest(requestUrl: string, method: string, webRoot: string, sessionHttpUrl: string | null): AppRequest {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'refuse', status: 400, reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { kind: 'refuse', status: 403, reason: 'not the app' };
  const path = url.pathname;
  if (path.startsWith('/api/')) {
    const route = API_ROUTE.exec(path);
    if (!route || !ROOM_NAME.test(decodeURIComponentSafe(route[1]!) ?? ''))
      return { kind: 'refuse', status: 404, reason: 'no such API route' };
    if (method !== 'GET' && method !== 'POST') return { kind: 'refuse', status: 405, reason: `${method} is not allowed` };
    if (!sessionHttpUrl) return { kind: 'refuse', status: 404, reason: 'no session is open' };
    const target = new URL(path + url.search, sessionHttpUrl);
    return { kind: 'proxy', url: target.href };
  }
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'refuse', status: 405, reason: `${method} is not allowed` };
  const file = resolveStaticPath(webRoot, path);
  if (!file) return { kind: 'refuse', status: 404, reason: 'not found' };
  return { kind: 'file', path: file, contentType: contentTypeFor(file) };
}

function decodeURIComponentSafe(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The file under `webRoot` that `urlPath` names (/ is index.html), or null if it would leave it. */
export function resolveStaticPath(webRoot: string, urlPath: string): string | null {
  const decoded = decodeURIComponentSafe(urlPath);
  if (decoded === null || decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split('/').some((part) => part === '..' || part === '.')) return null;
  const root = resolve(webRoot);
  const full = normalize(join(root, relative));
  if (!full.startsWith(root + sep)) return null;
  return full;
}

/** What the window needs to open a room: the server's websocket URL, the room, a token. */
export interface RoomEndpoint {
  /** ws://host:port or wss://host (no path). */
  wsUrl: string;
  room: string;
  token: string;
}

/**
 * The page the window loads for a room: the renderer reads the room, token and server from its
 * own URL (sync-server/client/room-link.ts), as a browser guest does from an invite link: the
 * token in the fragment, which is never part of a request to riffroom://app/ (and the page takes
 * it out of its address once read).
 */
export function appPageUrl(endpoint: RoomEndpoint): string {
  const ws = new URL(endpoint.wsUrl);
  if (ws.protocol !== 'ws:' && ws.protocol !== 'wss:') throw new Error(`not a websocket URL: ${endpoint.wsUrl}`);
  if (!ROOM_NAME.test(endpoint.room)) throw new Error(`not a room name: ${endpoint.room}`);
  const page = new URL(`${APP_SCHEME}://${APP_HOST}/index.html`);
  page.searchParams.set('room', endpoint.room);
  page.searchParams.set('server', `${ws.protocol}//${ws.host}`);
  page.hash = `token=${endpoint.token}`;
  return page.href;
}

/** Request headers forwarded to the sync server: the token and the body's type, nothing else. */
export function forwardedHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const get = (name: string): string | null =>
    headers instanceof Headers ? headers.get(name) : (Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? null);
  const out: Record<string, string> = {};
  const auth = get('authorization');
  if (auth && auth.length <= 8192) out.authorization = auth;
  const type = get('content-type');
  if (type && type.length <= 200) out['content-type'] = type;
  return out;
}
