/**
 * What a room made over HTTP (POST /api/rooms) hands out: an owner token for the person who made
 * it, under their server token's identity id (a teacher is the same person in every room they
 * make: the same id owns their tracks and counts against one per-identity connection cap), and
 * an editor and a viewer invite (each person who joins with one gets their own identity, POST
 * /join). Pure: the caller checks who may ask and signs what comes out.
 */
import type { ServerClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import type { ClaimsToSign } from './tokens.ts';

export interface RoomGrants {
  owner: ClaimsToSign & { id: string; iat: number };
  editorInvite: ClaimsToSign & { iat: number };
  viewerInvite: ClaimsToSign & { iat: number };
}

/**
 * The grants for `room`, made by `creator` (an admin or creator, verified) under the display name
 * `ownerName` (checked by the caller), with invites lasting `inviteSeconds`.
 */
export function createdRoomGrants(
  creator: ServerClaims,
  room: string,
  ownerName: string,
  inviteSeconds: number,
  nowSeconds: number,
): RoomGrants {
  const now = Math.floor(nowSeconds);
  const { ownerTokenSeconds, ownerRenewableSeconds } = LIMITS.createdRooms;
  const { editorInvite, viewerInvite } = inviteGrants(room, inviteSeconds, now);
  return {
    owner: {
      room,
      role: 'owner',
      name: ownerName,
      id: creator.id,
      iat: now,
      exp: now + ownerTokenSeconds,
      renewUntil: now + ownerRenewableSeconds,
    },
    editorInvite,
    viewerInvite,
  };
}

/**
 * Fresh editor and viewer invites for `room` (POST /api/rooms, and its owner's POST
 * /api/rooms/<room>/invites), lasting `inviteSeconds`.
 */
export function inviteGrants(room: string, inviteSeconds: number, nowSeconds: number): Pick<RoomGrants, 'editorInvite' | 'viewerInvite'> {
  const now = Math.floor(nowSeconds);
  const invite = (role: 'editor' | 'viewer') => ({ room, role, name: role, iat: now, exp: now + inviteSeconds, invite: true as const });
  return { editorInvite: invite('editor'), viewerInvite: invite('viewer') };
}
