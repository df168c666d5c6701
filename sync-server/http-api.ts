/**
 * The history HTTP API (see contract.ts): history, state at a seq, restore, bookmarks, replay.
 * Every route needs a token for the room in `Authorization: Bearer <t>` (or `?token=`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as encoding from 'lib0/encoding';
import { ROOM_NAME, type BookmarkRequest, type HistoryResponse, type RestoreRequest, type TokenClaims } from './contract.ts';
import { TokenError, verifyToken } from './auth/tokens.ts';
import { LIMITS } from './limits.ts';
import { encodeStateAt } from './room/rebuild.ts';
import { RoomLimitError, type RoomRegistry } from './room/registry.ts';

const MAX_BODY_BYTES = LIMITS.http.maxBodyBytes;
const MAX_HISTORY_LIMIT = LIMITS.http.maxHistoryLimit;
const MAX_REPLAY_LIMIT = LIMITS.http.maxReplayLimit;

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface ApiContext {
  secret: string;
  rooms: RoomRegistry;
}

/** Handles /api/rooms/<room>/...; returns false when the path is not an API route. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const match = /^\/api\/rooms\/([^/]+)\/(history|state|restore|bookmarks|updates)$/.exec(url.pathname);
  if (!match) return false;
  const [, roomName, action] = match as unknown as [string, string, string];
  try {
    if (!ROOM_NAME.test(roomName)) throw new HttpError(400, 'invalid room name');
    const claims = authorize(ctx.secret, req, url, roomName);
    const method = req.method ?? 'GET';
    const route = `${method} ${action}`;
    const needsWrite = method === 'POST';
    if (needsWrite && claims.role === 'viewer') throw new HttpError(403, 'viewers cannot change this room');
    if (!needsWrite && !ctx.rooms.exists(roomName)) throw new HttpError(404, `no room named ${roomName}`);
    const room = ctx.rooms.get(roomName);
    switch (route) {
      case 'GET history': {
        const after = intParam(url, 'after', 0);
        const limit = Math.min(intParam(url, 'limit', 1000), MAX_HISTORY_LIMIT);
        const body: HistoryResponse = { entries: room.log.history(after, limit), lastSeq: room.log.lastSeq };
        return sendJson(res, 200, body);
      }
      case 'GET state': {
        const at = intParam(url, 'at', room.log.lastSeq);
        if (at > room.log.lastSeq) throw new HttpError(400, `seq ${at} is past the last entry (${room.log.lastSeq})`);
        return sendBinary(res, encodeStateAt(room.log, at), { 'x-riffroom-seq': String(at) });
      }
      case 'GET updates': {
        const after = intParam(url, 'after', 0);
        const limit = Math.min(intParam(url, 'limit', 1000), MAX_REPLAY_LIMIT);
        const encoder = encoding.createEncoder();
        for (const entry of room.log.entries(after, after + limit)) {
          encoding.writeVarUint(encoder, entry.seq);
          encoding.writeVarUint8Array(encoder, entry.update);
        }
        return sendBinary(res, encoding.toUint8Array(encoder), {});
      }
      case 'POST restore': {
        const body = (await readJson(req)) as Partial<RestoreRequest>;
        const seq = body.seq;
        if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > room.log.lastSeq) {
          throw new HttpError(400, `seq must be an integer from 0 to ${room.log.lastSeq}`);
        }
        // The teacher's rules hold on every write path (core/jam/student-rules.ts).
        const refused = room.restoreRefusal(seq, claims.role);
        if (refused) throw new HttpError(403, refused);
        return sendJson(res, 200, { seq: room.restore(seq, claims.name) });
      }
      case 'GET bookmarks':
        return sendJson(res, 200, { bookmarks: room.log.bookmarks() });
      case 'POST bookmarks': {
        const body = (await readJson(req)) as Partial<BookmarkRequest>;
        const { seq, name } = body;
        if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > room.log.lastSeq) {
          throw new HttpError(400, `seq must be an integer from 0 to ${room.log.lastSeq}`);
        }
        if (typeof name !== 'string' || !name.trim() || name.length > 100) {
          throw new HttpError(400, 'name must be a non-empty string of at most 100 characters');
        }
        // Asked once the body is in: the rules may have changed while it arrived.
        const refused = room.bookmarkRefusal(claims.role);
        if (refused) throw new HttpError(403, refused);
        const bookmark = { seq, name: name.trim(), author: claims.name, time: Date.now() };
        room.log.addBookmark(bookmark);
        return sendJson(res, 201, bookmark);
      }
      default:
        throw new HttpError(405, `${method} is not allowed on ${action}`);
    }
  } catch (err) {
    if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
    if (err instanceof RoomLimitError) return sendJson(res, 503, { error: err.message });
    console.error(`api ${url.pathname}:`, err);
    return sendJson(res, 500, { error: 'internal error' });
  }
}

/** Checks the bearer token against this room; throws HttpError 401/403. */
export function authorize(secret: string, req: IncomingMessage, url: URL, room: string): TokenClaims {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : url.searchParams.get('token');
  if (!token) throw new HttpError(401, 'a token is required');
  let claims: TokenClaims;
  try {
    claims = verifyToken(secret, token);
  } catch (err) {
    throw new HttpError(401, err instanceof TokenError ? err.message : 'invalid token');
  }
  if (claims.room !== room) throw new HttpError(403, 'the token is for another room');
  return claims;
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, `${name} must be a non-negative integer`);
  return Number(raw);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body must be JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

function sendBinary(res: ServerResponse, bytes: Uint8Array, headers: Record<string, string>): true {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength, ...headers });
  res.end(bytes);
  return true;
}
