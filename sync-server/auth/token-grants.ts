/**
 * What invites and renewals grant (contract.ts: JoinRequest, TokenResponse): the claims of the
 * personal token POST /join makes from an invite, of the later token POST /renew makes from a
 * personal one, and whether a token sent over an open connection may take over from the one the
 * connection was opened with. Pure: the caller verifies what comes in and signs what goes out.
 */
import type { TokenClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { nameProblem, newIdentityId, type ClaimsToSign } from './tokens.ts';

/** A grant refused; `status` is the HTTP status to answer with (400 bad request, 403 refused). */
export class GrantError extends Error {
  override name = 'GrantError';
  readonly status: 400 | 403;
  constructor(status: 400 | 403, message: string) {
    super(message);
    this.status = status;
  }
}

const when = (seconds: number): string => `${new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

/**
 * The personal token for someone joining with `invite` under `name`: a fresh identity id, the
 * invite's role, lasting LIMITS.tokens.joinedTokenSeconds at most and never past the invite's
 * end, renewable until then.
 */
export function joinedClaims(invite: TokenClaims, name: unknown, nowSeconds: number): ClaimsToSign & { id: string; iat: number } {
  if (!invite.invite) throw new GrantError(403, 'this token is not an invite: it is already a personal token');
  const problem = nameProblem(name);
  if (problem) throw new GrantError(400, problem);
  const now = Math.floor(nowSeconds);
  return {
    room: invite.room,
    role: invite.role,
    name: (name as string).trim(),
    id: newIdentityId(),
    iat: now,
    exp: Math.min(invite.exp, now + LIMITS.tokens.joinedTokenSeconds),
    renewUntil: invite.exp,
  };
}

/**
 * The same person's next token: same room, role, name and id, lasting as long as the current one
 * did when it was issued, never past its renewUntil. `claims` must already be verified (so not
 * expired).
 */
export function renewedClaims(claims: TokenClaims, nowSeconds: number): ClaimsToSign & { id: string; iat: number } {
  if (claims.invite) throw new GrantError(403, 'an invite cannot be renewed: join with it first (POST /join)');
  if (claims.renewUntil === undefined) throw new GrantError(403, 'this token is not renewable: ask for a new link');
  const now = Math.floor(nowSeconds);
  if (claims.renewUntil <= now)
    throw new GrantError(403, `this token could be renewed until ${when(claims.renewUntil)}: ask for a new link`);
  const lifetime = claims.iat === undefined ? 0 : claims.exp - claims.iat;
  if (!(lifetime > 0)) throw new GrantError(403, 'this token has no issue time to renew it by: ask for a new link');
  // Never shorter than the token being renewed (a renewal right after issue changes nothing).
  const exp = Math.max(claims.exp, Math.min(now + lifetime, claims.renewUntil));
  return { room: claims.room, role: claims.role, name: claims.name, id: claims.id, iat: now, exp, renewUntil: claims.renewUntil };
}

/**
 * Why `next` (verified) cannot take over an open connection opened with `current`, or null when
 * it can: it must be a personal token for the same room, identity and role.
 */
export function takeOverProblem(current: TokenClaims, next: TokenClaims): string | null {
  if (next.invite) return 'an invite cannot renew a connection';
  if (next.room !== current.room) return 'the new token is for another room';
  if (next.id !== current.id) return 'the new token is for another identity';
  if (next.role !== current.role) return 'the new token has another role';
  return null;
}
