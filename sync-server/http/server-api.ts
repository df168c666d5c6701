/**
 * The server routes (contract.ts CreatorRequest, CreateRoomRequest): what an admin or a creator
 * does over HTTP, so a teacher or band leader never needs a shell on the server.
 *
 *   POST /api/creators   admin only: a creator token
 *   POST /api/rooms      admin or creator: a new, empty room, its owner token and invites
 *
 * Both take `Authorization: Bearer <server token>` only (auth/server-tokens.ts): a ?token= in the
 * URL is refused (401) as on every route, a room token is refused (403) with a reason. The
 * per-address rate limit of /api/ (server.ts) covers them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOM_NAME, type CreateRoomResponse, type ServerClaims, type ServerTokenResponse } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { mayCreateRooms, mayMintCreators, mintServerToken } from '../auth/server-tokens.ts';
import { authorizeServer } from './server-auth.ts';
import { lifetimeSeconds } from '../auth/lifetime.ts';
import { createdRoomGrants } from '../auth/room-grants.ts';
import { nameProblem, signToken, TokenError } from '../auth/tokens.ts';
import { RoomLimitError, type RoomRegistry } from '../room/registry.ts';
import { newRoomName } from '../room/room-names.ts';
import { readJsonObject, refuseUnknownFields } from './json-body.ts';
import { HttpError, sendError, sendJson } from './responses.ts';

export interface ServerApiContext {
  secret: string;
  rooms: RoomRegistry;
  /**
   * Where people reach this server (an origin: https://jam.example.org, from <data>/config.json):
   * the links handed out start with it. Without one, the request's own origin is used.
   */
  publicUrl?: string | null;
}

type Handler = (ctx: ServerApiContext, req: IncomingMessage, res: ServerResponse, url: URL, claims: ServerClaims) => Promise<void>;

const ROUTES: Record<string, Handler> = {
  '/api/creators': postCreator,
  '/api/rooms': postRoom,
};

/** Handles the server routes; returns false when the path is not one of them. */
export async function handleServerApi(ctx: ServerApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const handler = ROUTES[url.pathname];
  if (!handler) return false;
  try {
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}: use POST`, { allow: 'POST' });
    await handler(ctx, req, res, url, authorizeServer(ctx.secret, req, url));
  } catch (err) {
    if (err instanceof HttpError) sendError(res, err);
    else if (err instanceof RoomLimitError) sendJson(res, 503, { error: `${err.message}: try again later` });
    else {
      console.error(`api ${url.pathname}:`, err);
      sendJson(res, 500, { error: 'internal error' });
    }
  }
  return true;
}

async function postCreator(
  ctx: ServerApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  claims: ServerClaims,
): Promise<void> {
  if (!mayMintCreators(claims)) throw new HttpError(403, 'only an admin may mint creator tokens');
  const body = await readJsonObject(req);
  refuseUnknownFields(body, ['name', 'ttl']);
  const problem = nameProblem(body.name);
  if (problem) throw new HttpError(400, `name: ${problem}`);
  const seconds = badRequestOn(() => lifetimeSeconds(body.ttl, LIMITS.serverTokens.creatorDefaultSeconds, LIMITS.serverTokens.maxSeconds));
  const answer: ServerTokenResponse = mintServerToken(ctx.secret, 'creator', (body.name as string).trim(), seconds);
  sendJson(res, 201, answer);
}

async function postRoom(ctx: ServerApiContext, req: IncomingMessage, res: ServerResponse, _url: URL, claims: ServerClaims): Promise<void> {
  if (!mayCreateRooms(claims)) throw new HttpError(403, 'this token may not create rooms');
  const body = await readJsonObject(req, { emptyIsObject: true });
  refuseUnknownFields(body, ['room', 'name', 'inviteTtl']);
  if (body.room !== undefined && (typeof body.room !== 'string' || !ROOM_NAME.test(body.room))) {
    throw new HttpError(400, 'room must be 1-64 letters, digits, - or _, starting with a letter or digit (or left out for a fresh name)');
  }
  const ownerName = body.name === undefined ? claims.name : body.name;
  const problem = nameProblem(ownerName);
  if (problem) throw new HttpError(400, `name: ${problem}`);
  const inviteSeconds = badRequestOn(() =>
    lifetimeSeconds(body.inviteTtl, LIMITS.createdRooms.inviteSeconds, LIMITS.createdRooms.maxInviteSeconds, 'inviteTtl'),
  );
  const room = body.room === undefined ? await freshRoomName(ctx.rooms) : (body.room as string);
  // Loading a room that has no log creates it: it exists from now on, empty. The registry claims
  // the name before it looks, so two requests for one name cannot both create it.
  const created = await ctx.rooms.create(room);
  if (!created) throw new HttpError(409, `a room named ${room} already exists: choose another name, or leave it out for a fresh one`);
  created.lastActivity = Date.now();
  const grants = createdRoomGrants(claims, room, (ownerName as string).trim(), inviteSeconds, Date.now() / 1000);
  const ownerToken = signToken(ctx.secret, grants.owner);
  const editorInvite = signToken(ctx.secret, grants.editorInvite);
  const viewerInvite = signToken(ctx.secret, grants.viewerInvite);
  const origin = ctx.publicUrl ?? requestOrigin(req);
  const answer: CreateRoomResponse = {
    room,
    ownerToken,
    editorInvite,
    viewerInvite,
    links: {
      owner: pageLink(origin, room, ownerToken),
      editor: pageLink(origin, room, editorInvite),
      viewer: pageLink(origin, room, viewerInvite),
    },
    ownerExpires: grants.owner.exp,
    ownerRenewableUntil: grants.owner.renewUntil!,
    invitesExpire: grants.editorInvite.exp,
  };
  console.log(`riffroom-server: room ${room} created by ${claims.role} ${JSON.stringify(claims.name)} (${claims.id})`);
  sendJson(res, 201, answer);
}

/** A room name no room has yet (a clash of random names is next to impossible, but checked). */
async function freshRoomName(rooms: RoomRegistry): Promise<string> {
  for (let tries = 0; tries < 8; tries++) {
    const name = newRoomName();
    if (!(await rooms.exists(name))) return name;
  }
  throw new Error('no free random room name after 8 tries');
}

/**
 * The page link for `room` with `token` (in the fragment, which a browser never sends to a server),
 * the format renderer/platform/room-link.ts reads: <origin>/?room=<room>#token=<token>.
 */
export function pageLink(origin: string, room: string, token: string): string {
  const url = new URL('/', origin);
  url.searchParams.set('room', room);
  url.hash = `token=${token}`;
  return url.href;
}

/** The origin the request reached (its Host header was checked before: http/host-check.ts). */
function requestOrigin(req: IncomingMessage): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${tls ? 'https' : 'http'}://${req.headers.host}`;
}

function badRequestOn<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof TokenError) throw new HttpError(400, err.message);
    throw err;
  }
}
