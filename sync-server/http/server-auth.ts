/**
 * The server token of a request to a server route (create rooms, mint creators, import a
 * project): an admin or creator token (auth/server-tokens.ts) in `Authorization: Bearer <t>`,
 * never in the URL. A room token, however valid, is refused with 403 and told what is needed;
 * anything else that does not verify is 401.
 */
import type { IncomingMessage } from 'node:http';
import type { ServerClaims } from '../contract.ts';
import { TokenError } from '../auth/tokens.ts';
import { RoomTokenGivenError, verifyServerToken } from '../auth/server-tokens.ts';
import { HttpError } from './responses.ts';

/** `what` names the action in the answers ("import a project"); without it they speak of "here". */
export function authorizeServer(secret: string, req: IncomingMessage, url: URL, what?: string): ServerClaims {
  if (url.searchParams.has('token')) {
    throw new HttpError(401, 'send the token in an Authorization: Bearer header, not in the URL (URLs end up in logs and Referer headers)');
  }
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!token) {
    throw new HttpError(
      401,
      what
        ? `a token is required to ${what} (Authorization: Bearer <an admin or creator token>)`
        : 'an admin or creator token is required (Authorization: Bearer <token>)',
    );
  }
  try {
    return verifyServerToken(secret, token);
  } catch (err) {
    if (err instanceof RoomTokenGivenError) {
      throw new HttpError(403, what ? `a room token cannot ${what}: this needs an admin or creator token` : err.message);
    }
    throw new HttpError(401, err instanceof TokenError ? err.message : 'invalid token');
  }
}
