/**
 * The room HTTP API (contract.ts): history, state at a seq, replay updates, restore, take-back, bookmarks,
 * and the token routes: join (an invite → a personal token), renew (a personal token → a
 * later one) and invites (the owner's fresh editor and viewer invites, http/invites-route.ts). Every route needs `Authorization: Bearer <t>` for the room: a personal token,
 * except /join, which takes an invite. A token in the URL (?token=) is refused with 401: URLs
 * end up in logs and Referer headers.
 *
 * One handler per route (ROUTES). Checks several routes share are flags on the route (viewers
 * may not write, heavy reads are counted); a check one route needs goes in its handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ROOM_NAME,
  type HistoryResponse,
  type JoinRequest,
  type RestoreRequest,
  type RestoreResponse,
  type TakeBackResponse,
  type TokenClaims,
  type TokenResponse,
} from './contract.ts';
import { signToken, TokenError, verifyToken, type ClaimsToSign } from './auth/tokens.ts';
import { GrantError, joinedClaims, renewedClaims } from './auth/token-grants.ts';
import { LIMITS } from './limits.ts';
import { RoomLimitError, type RoomRegistry } from './room/registry.ts';
import { RoomOwnedElsewhereError } from './cluster/owned-elsewhere.ts';
import { StoreInputError } from './store/store-input.ts';
import { RoomLogError } from './store/room-log.ts';
import type { Room } from './room/room.ts';
import { parseBookmarkRequest } from './http/bookmark-request.ts';
import { nothingToTakeBack, parseTakeBackSource } from './room/take-back.ts';
import type { BytePacer, HeavyRequestGate } from './http/rate-limits.ts';
import type { ClientAddressOf } from './http/client-address.ts';
import { HttpError, sendError, sendJson } from './http/responses.ts';
import { readJsonObject } from './http/json-body.ts';
import { handleServerApi } from './http/server-api.ts';
import { streamUpdates } from './http/updates-stream.ts';
import { mintRoomInvites } from './http/invites-route.ts';

export { HttpError, sendJson };

export interface ApiContext {
  secret: string;
  rooms: RoomRegistry;
  /** Heavy requests (replay downloads, past states) running at once; unlimited when absent. */
  heavy?: HeavyRequestGate;
  /** Paces replay downloads per address and in all; unpaced when absent. */
  replayPacer?: BytePacer;
  /** The client's address for the per-address limits (http/client-address.ts); the TCP peer's when absent. */
  addressOf?: ClientAddressOf;
  /** Where people reach this server, for the links the server routes hand out (http/server-api.ts). */
  publicUrl?: string | null;
  /**
   * A request whose room another node won as this one opened it: true when it was taken over
   * (relayed to that node: cluster/room-router.ts), false to answer 503 naming the node.
   */
  ownedElsewhere?: (err: RoomOwnedElsewhereError, req: IncomingMessage, res: ServerResponse) => boolean;
}

/** One request on its way through a route. */
interface RouteCall {
  ctx: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  roomName: string;
  /** The verified token's claims. */
  claims: TokenClaims;
  /** The room, loaded on first use; a GET of a room that has no log is 404. */
  room(): Promise<Room>;
}

interface Route {
  /** The token the route takes: a personal one, or (only /join) an invite. */
  token: 'personal' | 'invite';
  /** Changes the room: viewers are refused. */
  write?: boolean;
  /** Reads much of the log: at most LIMITS.http.maxHeavyPerAddress at once per address, maxHeavyTotal in all. */
  heavy?: boolean;
  handle(call: RouteCall): void | Promise<void>;
}

const ROUTES: Record<string, Route> = {
  'GET history': { token: 'personal', handle: getHistory },
  'GET state': { token: 'personal', heavy: true, handle: getState },
  'GET updates': { token: 'personal', heavy: true, handle: getUpdates },
  'POST restore': { token: 'personal', write: true, handle: postRestore },
  'POST take-back': { token: 'personal', write: true, handle: postTakeBack },
  'GET bookmarks': { token: 'personal', handle: getBookmarks },
  'POST bookmarks': { token: 'personal', write: true, handle: postBookmark },
  'POST join': { token: 'invite', handle: postJoin },
  'POST renew': { token: 'personal', handle: postRenew },
  'POST invites': { token: 'personal', handle: postInvites },
};

const ACTIONS = new Set(Object.keys(ROUTES).map((key) => key.split(' ')[1]!));

/** Handles /api/rooms/<room>/<action>; returns false when the path is not an API route. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (await handleServerApi(ctx, req, res, url)) return true; // POST /api/creators, POST /api/rooms
  const match = /^\/api\/rooms\/([^/]+)\/([a-z]+(?:-[a-z]+)*)$/.exec(url.pathname);
  if (!match || !ACTIONS.has(match[2]!)) return false;
  const [, roomName, action] = match as unknown as [string, string, string];
  const method = req.method ?? 'GET';
  let release: (() => void) | null = null;
  try {
    if (!ROOM_NAME.test(roomName)) throw new HttpError(400, 'invalid room name');
    const route = ROUTES[`${method} ${action}`];
    if (!route) throw new HttpError(405, `${method} is not allowed on ${action}`);
    const claims = authorize(ctx.secret, req, url, roomName, route.token);
    if (route.write && claims.role === 'viewer') throw new HttpError(403, 'viewers cannot change this room');
    if (route.heavy && ctx.heavy) {
      const admitted = ctx.heavy.enter(clientAddress(ctx, req));
      if (!admitted.ok) throw new HttpError(429, admitted.reason, { 'retry-after': '1' });
      release = admitted.release;
    }
    let loaded: Room | null = null;
    const room = async (): Promise<Room> => {
      if (loaded) return loaded;
      if (method === 'GET' && !(await ctx.rooms.exists(roomName))) throw new HttpError(404, `no room named ${roomName}`);
      return (loaded = await ctx.rooms.get(roomName));
    };
    await route.handle({ ctx, req, res, url, roomName, claims, room });
  } catch (err) {
    if (res.headersSent) {
      // Part of an answer is out (a stream): cutting it is the only way left to say it failed.
      console.error(`api ${url.pathname}:`, err);
      res.destroy();
    } else if (err instanceof HttpError) {
      sendError(res, err);
    } else if (err instanceof GrantError) {
      sendJson(res, err.status, { error: err.message });
    } else if (err instanceof RoomLimitError) {
      sendJson(res, 503, { error: err.message });
    } else if (err instanceof StoreInputError) {
      sendJson(res, 400, { error: err.message });
    } else if (err instanceof RoomOwnedElsewhereError) {
      // Relayed to the node that has the room when it can be (nothing of the body read yet: every
      // route opens the room before it reads one); otherwise the caller is told where the room is.
      if (ctx.ownedElsewhere?.(err, req, res)) return true;
      sendJson(res, 503, { error: err.message, node: err.node }, { 'retry-after': '1' });
    } else if (err instanceof RoomLogError) {
      // A room whose file was refused (hostile or damaged): say why, without the server's path.
      console.error(`api ${url.pathname}:`, err.message);
      sendJson(res, 500, { error: `the room's log cannot be opened: ${err.reason}` });
    } else {
      console.error(`api ${url.pathname}:`, err);
      sendJson(res, 500, { error: 'internal error' });
    }
  } finally {
    release?.();
  }
  return true;
}

async function getHistory({ res, url, room }: RouteCall): Promise<void> {
  const after = intParam(url, 'after', 0);
  const limit = Math.min(intParam(url, 'limit', 1000), LIMITS.http.maxHistoryLimit);
  const store = (await room()).store;
  const body: HistoryResponse = { entries: limit > 0 ? await store.history(after, limit) : [], lastSeq: store.lastSeq };
  sendJson(res, 200, body);
}

async function getState({ res, url, room }: RouteCall): Promise<void> {
  const target = await room();
  const store = target.store;
  const at = intParam(url, 'at', store.lastSeq);
  if (at > store.lastSeq) throw new HttpError(400, `seq ${at} is past the last entry (${store.lastSeq})`);
  const bytes = await target.encodeStateAt(at);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength, 'x-riffroom-seq': String(at) });
  res.end(bytes);
}

async function getUpdates({ ctx, req, res, url, roomName, room }: RouteCall): Promise<void> {
  const address = clientAddress(ctx, req);
  const after = intParam(url, 'after', 0);
  const limit = Math.min(intParam(url, 'limit', 1000), LIMITS.http.maxReplayLimit);
  await room(); // 404 before the stream starts
  await streamUpdates(
    res,
    async (from, upTo) => {
      // The room is looked up for every page: one that was unloaded or failed meanwhile loads again
      // from its log, and the download counts as activity, so it is not unloaded under a reader.
      const live = await ctx.rooms.get(roomName);
      live.lastActivity = Date.now();
      return live.store.updatePage(from, upTo, LIMITS.http.replayPageBytes, LIMITS.http.replayPageEntries);
    },
    after,
    after + limit,
    (bytes) => ctx.replayPacer?.spend(address, bytes) ?? 0,
  );
}

async function postRestore({ req, res, claims, room }: RouteCall): Promise<void> {
  // The room first: one another node has is relayed there with the body unread.
  const target = await room();
  const body = (await readJsonObject(req)) as Partial<RestoreRequest>;
  const seq = body.seq;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > target.store.lastSeq) {
    throw new HttpError(400, `seq must be an integer from 0 to ${target.store.lastSeq}`);
  }
  // The teacher's rules hold on every write path (core/jam/student-rules.ts).
  const refused = await target.restoreRefusal(seq, claims.role);
  if (refused) throw new HttpError(403, refused);
  const answer: RestoreResponse = { seq: await target.restore(seq, claims.name) };
  sendJson(res, 200, answer);
}

async function postTakeBack({ req, res, claims, room }: RouteCall): Promise<void> {
  const target = await room();
  const body = await readJsonObject(req);
  const source = parseTakeBackSource(body, target.store.lastSeq);
  if (typeof source === 'string') throw new HttpError(400, source);
  // Asked once the body is in: the rules may have changed while it arrived.
  const refused = target.takeBackRefusal(claims.role);
  if (refused) throw new HttpError(403, refused);
  const done = await target.takeBack(source, claims.name);
  if (!done) throw new HttpError(409, `nothing to take back: ${nothingToTakeBack(source)}`);
  const answer: TakeBackResponse = done;
  sendJson(res, 200, answer);
}

async function getBookmarks({ res, room }: RouteCall): Promise<void> {
  sendJson(res, 200, { bookmarks: await (await room()).store.bookmarks() });
}

async function postBookmark({ req, res, claims, room }: RouteCall): Promise<void> {
  const target = await room();
  const body = await readJsonObject(req);
  const log = target.store;
  const { seq, name } = parseBookmarkRequest(body, log.lastSeq);
  // Asked once the body is in: the rules may have changed while it arrived.
  const refused = target.bookmarkRefusal(claims.role);
  if (refused) throw new HttpError(403, refused);
  if ((await log.bookmarkCount()) >= LIMITS.bookmarks.maxPerRoom) {
    throw new HttpError(409, `this room has ${LIMITS.bookmarks.maxPerRoom} bookmarks, the most it can hold`);
  }
  const bookmark = { seq, name, author: claims.name, time: Date.now() };
  await target.addBookmark(bookmark);
  sendJson(res, 201, bookmark);
}

async function postJoin({ ctx, req, res, claims }: RouteCall): Promise<void> {
  const body = (await readJsonObject(req)) as Partial<JoinRequest>;
  sendJson(res, 200, signed(ctx.secret, joinedClaims(claims, body.name, Date.now() / 1000)));
}

function postRenew({ ctx, res, claims }: RouteCall): void {
  sendJson(res, 200, signed(ctx.secret, renewedClaims(claims, Date.now() / 1000)));
}

async function postInvites({ ctx, req, res, roomName, claims }: RouteCall): Promise<void> {
  sendJson(res, 201, await mintRoomInvites({ secret: ctx.secret, rooms: ctx.rooms, req, roomName, claims, publicUrl: ctx.publicUrl }));
}

function signed(secret: string, claims: ClaimsToSign & { id: string; iat: number }): TokenResponse {
  return { token: signToken(secret, claims), claims };
}

/**
 * The verified claims of the request's bearer token for `room`: `accepts` says whether the
 * route takes a personal token or an invite. Throws HttpError 401/403 saying why not.
 */
export function authorize(
  secret: string,
  req: IncomingMessage,
  url: URL,
  room: string,
  accepts: 'personal' | 'invite' = 'personal',
): TokenClaims {
  if (url.searchParams.has('token')) {
    throw new HttpError(401, 'send the token in an Authorization: Bearer header, not in the URL (URLs end up in logs and Referer headers)');
  }
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!token) throw new HttpError(401, 'a token is required (Authorization: Bearer <token>)');
  let claims: TokenClaims;
  try {
    claims = verifyToken(secret, token);
  } catch (err) {
    throw new HttpError(401, err instanceof TokenError ? err.message : 'invalid token');
  }
  if (claims.room !== room) throw new HttpError(403, 'the token is for another room');
  if (accepts === 'personal' && claims.invite) {
    throw new HttpError(403, `this is an invite: join with it first (POST /api/rooms/${room}/join with your name)`);
  }
  if (accepts === 'invite' && !claims.invite) throw new HttpError(403, 'this token is not an invite: it is already a personal token');
  return claims;
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, `${name} must be a non-negative integer`);
  return Number(raw);
}

function clientAddress(ctx: ApiContext, req: IncomingMessage): string {
  return ctx.addressOf ? ctx.addressOf(req) : (req.socket.remoteAddress ?? '');
}
