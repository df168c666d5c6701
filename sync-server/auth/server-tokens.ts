/**
 * Server tokens (contract.ts ServerClaims): an admin or a creator, not bound to a room. Signed
 * with the room tokens' secret and format (tokens.ts); told apart by `scope: 'server'`, which a
 * room token never has and verifyToken refuses.
 */
import { SERVER_ROLES, type ServerClaims, type ServerRole } from '../contract.ts';
import { isIdentityId, nameProblem, newIdentityId, signClaims, TokenError, verifiedClaims } from './tokens.ts';

/** A room token offered where a server token is needed (HTTP 403 rather than 401: it is genuine, just the wrong kind). */
export class RoomTokenGivenError extends TokenError {
  override name = 'RoomTokenGivenError';
}

export function isServerRole(value: unknown): value is ServerRole {
  return (SERVER_ROLES as readonly unknown[]).includes(value);
}

/** Signs a server token; the id and issue time are filled in when not given. */
export function signServerToken(
  secret: string,
  claims: { role: ServerRole; name: string; exp: number; id?: string; iat?: number },
): string {
  if (!isServerRole(claims.role)) throw new TokenError(`invalid server role: ${String(claims.role)}`);
  const name = nameProblem(claims.name);
  if (name) throw new TokenError(`invalid name: ${name}`);
  const id = claims.id ?? newIdentityId();
  if (!isIdentityId(id)) throw new TokenError(`invalid identity id: ${id}`);
  if (!Number.isFinite(claims.exp)) throw new TokenError('exp must be a time in seconds');
  if (claims.iat !== undefined && !Number.isFinite(claims.iat)) throw new TokenError('iat must be a time in seconds');
  const full: ServerClaims = {
    scope: 'server',
    role: claims.role,
    name: claims.name,
    id,
    exp: claims.exp,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
  };
  return signClaims(secret, full);
}

/** The claims of a valid, unexpired server token; throws TokenError saying why otherwise. */
export function verifyServerToken(secret: string, token: string, nowSeconds = Date.now() / 1000): ServerClaims {
  const claims = verifiedClaims(secret, token);
  if (claims.scope !== 'server') throw new RoomTokenGivenError('a room token cannot be used here: this needs an admin or creator token');
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new TokenError('token expired');
  if (!isServerRole(claims.role) || nameProblem(claims.name) || !isIdentityId(claims.id) || typeof claims.iat !== 'number') {
    throw new TokenError('malformed token claims');
  }
  return claims as unknown as ServerClaims;
}

/** A new server token lasting `seconds` from now, and its claims (a fresh identity id). */
export function mintServerToken(
  secret: string,
  role: ServerRole,
  name: string,
  seconds: number,
  nowSeconds = Date.now() / 1000,
): { token: string; claims: ServerClaims } {
  const iat = Math.floor(nowSeconds);
  const token = signServerToken(secret, { role, name, exp: iat + seconds, iat });
  return { token, claims: verifyServerToken(secret, token, nowSeconds) };
}

/** May this server token create rooms and import projects? (Both roles may.) */
export function mayCreateRooms(claims: ServerClaims): boolean {
  return claims.role === 'admin' || claims.role === 'creator';
}

/** May this server token mint creator tokens? (Only an admin.) */
export function mayMintCreators(claims: ServerClaims): boolean {
  return claims.role === 'admin';
}
