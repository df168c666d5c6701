/**
 * The token routes of the sync server's HTTP API (sync-server/contract.ts): POST /join trades an
 * invite and a name for a personal token; POST /renew gives a personal token a later exp. Answers
 * are checked (the token must be for this room) and failures carry what the user should read.
 * In the Electron window `httpUrl` is the app's own origin: the main process forwards /api/.
 */
import type { ErrorResponse, JoinRequest, TokenClaims, TokenResponse } from '../../sync-server/contract.ts';
import { clockTime, decodeTokenClaims } from '../../sync-server/client/room-link.ts';
import { certificateProblem } from './reach-problem.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type TokenAnswer =
  | { ok: true; token: string; claims: TokenClaims }
  /**
   * `status`: the HTTP status, or null when the server could not be reached. `refused`: the
   * server said no (a 4xx other than 429): asking again will not help. `error`: the server's
   * reason, or what went wrong.
   */
  | { ok: false; status: number | null; refused: boolean; error: string; retryAfterS: number | null };

async function post(fetchImpl: Fetch, url: string, bearer: string, room: string, body?: JoinRequest): Promise<TokenAnswer> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    // A certificate the client does not trust is said as such (Node's fetch hides it in `cause`).
    return {
      ok: false,
      status: null,
      refused: false,
      error: certificateProblem(error) ?? ((error as Error).message || 'no answer'),
      retryAfterS: null,
    };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      ok: false,
      status: res.status,
      refused: res.status >= 400 && res.status < 500 && res.status !== 429,
      error: typeof (json as ErrorResponse | null)?.error === 'string' ? (json as ErrorResponse).error.slice(0, 300) : `HTTP ${res.status}`,
      retryAfterS: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    };
  }
  const token = (json as Partial<TokenResponse> | null)?.token;
  const claims = typeof token === 'string' ? decodeTokenClaims(token) : null;
  if (!claims || claims.room !== room || claims.invite) {
    return {
      ok: false,
      status: res.status,
      refused: false,
      error: 'the server answered with something that is not a token for this room',
      retryAfterS: null,
    };
  }
  return { ok: true, token: token as string, claims };
}

const base = (httpUrl: string, room: string) => `${httpUrl}/api/rooms/${encodeURIComponent(room)}`;

/** POST /join: `invite` and `name` for a personal token. */
export function joinRoom(
  httpUrl: string,
  room: string,
  invite: string,
  name: string,
  fetchImpl: Fetch = (i, init) => fetch(i, init),
): Promise<TokenAnswer> {
  return post(fetchImpl, `${base(httpUrl, room)}/join`, invite, room, { name });
}

/** POST /renew: the same token for longer. */
export function renewToken(
  httpUrl: string,
  room: string,
  token: string,
  fetchImpl: Fetch = (i, init) => fetch(i, init),
): Promise<TokenAnswer> {
  return post(fetchImpl, `${base(httpUrl, room)}/renew`, token, room);
}

/** Why joining failed, in words, with what to do. */
export function joinProblem(
  answer: Extract<TokenAnswer, { ok: false }>,
  invite: TokenClaims,
  httpUrl: string,
  nowSeconds = Date.now() / 1000,
): string {
  // Node's fetch (above), or the desktop app's proxy answering 502 with Chromium's net::ERR_CERT_….
  const certificate = certificateProblem(answer.error);
  if (certificate) return `${certificate} Ask the host to fix it (or to give you their certificate authority), then try again.`;
  if (answer.status === null) {
    return `Cannot reach the sync server at ${httpUrl} (${answer.error}). Check your network connection, or ask the host whether the session is still running, then try again.`;
  }
  if (answer.status === 429) {
    const wait = answer.retryAfterS ? ` Wait ${Math.ceil(answer.retryAfterS)} s` : ' Wait a moment';
    return `Too many people joined from here just now (the server said: ${answer.error}).${wait}, then try again.`;
  }
  if (answer.status === 401 && /expired/.test(answer.error)) {
    return `This invite expired at ${clockTime(invite.exp, nowSeconds)}. Ask the host for a new link.`;
  }
  if (answer.status === 400) return `The server did not take that name: ${answer.error}. Try another.`;
  if (answer.refused) return `The server refused this invite: ${answer.error}. Ask the host for a new link.`;
  return `Joining failed: ${answer.error}. Try again in a moment.`;
}
