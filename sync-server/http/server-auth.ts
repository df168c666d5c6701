/**
 * The server token of a request to a server route (import a project; later: create rooms): an
 * admin or creator token (auth/server-tokens.ts) in `Authorization: Bearer <t>`, never in the URL.
 * A room token, however valid, is refused with 403 and told what is needed; anything else that
 * does not verify is 401.
 */
import type { IncomingMessage } from 'node:http';
import type { ServerClaims } from '../contract.ts';
import { TokenError, verifyToken } from '../auth/tokens.ts';
import { verifyServerToken } from '../auth/server-tokens.ts';
import { HttpError } from './responses.ts';

export function authorizeServer(secret: string, req: IncomingMessage, url: URL, what: string): ServerClaims {
  if (url.searchParams.has('token')) {
    throw new HttpError(401, 'send the token in an Authorization: Bearer header, not in the URL (URLs end up in logs and Referer headers)');
  }
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!token) throw new HttpError(401, `a token is required to ${what} (Authorization: Bearer <an admin or creator token>)`);
  try {
    return verifyServerToken(secret, token);
  } catch (err) {
    if (isRoomToken(secret, token)) throw new HttpError(403, `a room token cannot ${what}: this needs an admin or creator token`);
    throw new HttpError(401, err instanceof TokenError ? err.message : 'invalid token');
  }
}

function isRoomToken(secret: string, token: string): boolean {
  try {
    verifyToken(secret, token);
    return true;
  } catch {
    return false;
  }
}
