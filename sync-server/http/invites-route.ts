/**
 * POST /api/rooms/<room>/invites (Bearer: the room's owner; body `{ "inviteTtl"? }` or empty):
 * fresh editor and viewer invites for a room that exists, with their page links. A room made by
 * POST /api/rooms hands out invites once; a room that arrived by import (the desktop's "Share
 * online…") or whose invites ran out needs a way to get new ones without a shell on the server.
 * Only the owner: an editor minting editor invites would let anyone in the room widen it.
 */
import type { InvitesResponse, TokenClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { lifetimeSeconds } from '../auth/lifetime.ts';
import { inviteGrants } from '../auth/room-grants.ts';
import { signToken, TokenError } from '../auth/tokens.ts';
import type { RoomRegistry } from '../room/registry.ts';
import { readJsonObject, refuseUnknownFields } from './json-body.ts';
import { HttpError } from './responses.ts';
import { pageLink } from './server-api.ts';
import type { IncomingMessage } from 'node:http';

export interface InvitesCall {
  secret: string;
  rooms: RoomRegistry;
  req: IncomingMessage;
  roomName: string;
  claims: TokenClaims;
  /** Where people reach this server: the links start with it (else the request's origin). */
  publicUrl?: string | null;
}

export async function mintRoomInvites(call: InvitesCall, nowSeconds = Date.now() / 1000): Promise<InvitesResponse> {
  const { claims, roomName: room } = call;
  if (claims.role !== 'owner') throw new HttpError(403, `only the room's owner can make invites (this token is an ${claims.role}'s)`);
  const body = await readJsonObject(call.req, { emptyIsObject: true });
  refuseUnknownFields(body, ['inviteTtl']);
  let seconds: number;
  try {
    seconds = lifetimeSeconds(body.inviteTtl, LIMITS.createdRooms.inviteSeconds, LIMITS.createdRooms.maxInviteSeconds, 'inviteTtl');
  } catch (err) {
    if (err instanceof TokenError) throw new HttpError(400, err.message);
    throw err;
  }
  // A POST would create the room by loading it: an owner token outliving its room gets 404.
  if (!(await call.rooms.exists(room))) throw new HttpError(404, `no room named ${room}`);
  const grants = inviteGrants(room, seconds, nowSeconds);
  const editorInvite = signToken(call.secret, grants.editorInvite);
  const viewerInvite = signToken(call.secret, grants.viewerInvite);
  const origin = call.publicUrl ?? requestOrigin(call.req);
  return {
    room,
    editorInvite,
    viewerInvite,
    links: { editor: pageLink(origin, room, editorInvite), viewer: pageLink(origin, room, viewerInvite) },
    invitesExpire: grants.editorInvite.exp,
  };
}

/** The origin the request reached (its Host header was checked before: host-check.ts). */
function requestOrigin(req: IncomingMessage): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${tls ? 'https' : 'http'}://${req.headers.host}`;
}
