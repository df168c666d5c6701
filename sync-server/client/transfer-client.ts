/**
 * The client side of moving a project to and from a hosted server ("Share online…" and "Keep a
 * local copy" in the desktop window and the browser page): the requests, and every answer or
 * failure turned into one sentence a musician can act on. `fetch` is passed in (the browser's,
 * Electron's net.fetch in the main process, Node's in tests), so this file runs everywhere and
 * imports only the contract.
 *
 *   importProject  POST /api/rooms/<room>/import   (Bearer: a creator or admin server token)
 *   mintInvites    POST /api/rooms/<room>/invites  (Bearer: the room's owner token)
 *   exportRoom     GET  /api/rooms/<room>/export   (Bearer: the room's owner token)
 */
import { ROOM_NAME, type ImportResponse, type InvitesResponse } from '../contract.ts';

export interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Uint8Array | ArrayBuffer },
) => Promise<ResponseLike>;

export type TransferProblem =
  | 'url' // not a server address we accept
  | 'unreachable' // no answer: down, wrong name, offline
  | 'certificate' // TLS: the server's certificate is not trusted
  | 'not-riffroom' // something answered, but not a Riffroom server
  | 'token' // 401/403: the token is wrong, expired or may not do this
  | 'exists' // 409: a room of that name is there already
  | 'too-big' // 413
  | 'refused-file' // 422: the project failed the server's checks
  | 'not-owner' // export or invites with a non-owner token
  | 'busy' // 429/503
  | 'server'; // anything else

export class TransferError extends Error {
  override name = 'TransferError';
  readonly problem: TransferProblem;
  readonly status: number | null;
  /** For 'exists': a free-looking name to offer. For 'refused-file': the server's problem code. */
  readonly detail: string | null;
  constructor(problem: TransferProblem, message: string, status: number | null = null, detail: string | null = null) {
    super(message);
    this.problem = problem;
    this.status = status;
    this.detail = detail;
  }
}

export type ServerUrlResult = { ok: true; origin: string } | { ok: false; problem: string };

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * The hosted server's origin from what the user typed ("jam.example.org" gets https://). https
 * only, except on this machine (localhost, 127.x, ::1: a test or a tunnel), because the creator
 * token and the whole project travel in the request.
 */
export function parseServerUrl(text: string): ServerUrlResult {
  const raw = text.trim();
  if (!raw) return { ok: false, problem: 'Type the address of the Riffroom server, like https://jam.example.org' };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return { ok: false, problem: `"${raw.slice(0, 80)}" is not a server address. It looks like https://jam.example.org` };
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    return { ok: false, problem: `Use https:// for ${url.host}: the token and the whole project would travel unencrypted over http://.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, problem: `A server address starts with https://, not ${url.protocol}//` };
  if (url.username || url.password)
    return { ok: false, problem: 'Leave the user name and password out of the address: the token goes in its own field.' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return {
      ok: false,
      problem: `Give only the server's address (${url.origin}), not a page or a link: to join a room, use its invite link instead.`,
    };
  }
  return { ok: true, origin: url.origin };
}

/** A room name like `room` that is not `room` ("my-song" → "my-song-2", "my-song-2" → "my-song-3"). */
export function suggestRoomName(room: string): string {
  const m = /^(.*?)-(\d{1,6})$/.exec(room);
  const next = m ? `${m[1]}-${Number(m[2]) + 1}` : `${room}-2`;
  return next.length <= 64 ? next : `${next.slice(0, 64 - 2)}-2`;
}

/** Why a request got no answer, in words (Node's and Electron's errors name a certificate; a browser's do not). */
export function explainNetworkError(error: unknown, origin: string): TransferError {
  const text = describe(error);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|unable to get local issuer|certificate/i.test(text)) {
    return new TransferError(
      'certificate',
      `The certificate of ${origin} is not trusted (${short(text)}). Check the address; if it is right, the server's TLS set-up needs a certificate from a public authority.`,
    );
  }
  if (/ENOTFOUND|ERR_NAME_NOT_RESOLVED|EAI_AGAIN/.test(text)) {
    return new TransferError('unreachable', `There is no server named ${new URL(origin).hostname}. Check the address for typos.`);
  }
  if (/ECONNREFUSED|ERR_CONNECTION_REFUSED/.test(text)) {
    return new TransferError(
      'unreachable',
      `Nothing answers at ${origin} (connection refused). Check the address and port, and that the server is running.`,
    );
  }
  if (/ETIMEDOUT|ERR_TIMED_OUT|ECONNRESET|ERR_CONNECTION_RESET/.test(text)) {
    return new TransferError('unreachable', `${origin} did not answer (${short(text)}). Check your connection and try again.`);
  }
  // A browser says only "Failed to fetch" for every one of these.
  return new TransferError(
    'unreachable',
    `Could not reach ${origin}: the address may be wrong, the server down, or its certificate not trusted by this browser (open ${origin}/healthz to see which).`,
  );
}

function describe(error: unknown): string {
  const parts: string[] = [];
  for (
    let e = error as { message?: unknown; code?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    e = e.cause as typeof e, i++
  ) {
    if (typeof e.code === 'string') parts.push(e.code);
    if (typeof e.message === 'string') parts.push(e.message);
  }
  return parts.join(': ') || String(error);
}

const short = (text: string) => text.slice(0, 160);

async function call(fetch: FetchLike, origin: string, path: string, init: Parameters<FetchLike>[1]): Promise<ResponseLike> {
  try {
    return await fetch(`${origin}${path}`, init);
  } catch (error) {
    throw explainNetworkError(error, origin);
  }
}

/** The server's `{ error, problem }`, or null when the body is not a Riffroom JSON answer. */
async function errorBody(res: ResponseLike): Promise<{ error: string; problem?: string } | null> {
  try {
    const body = JSON.parse(await res.text()) as { error?: unknown; problem?: unknown };
    if (typeof body?.error !== 'string') return null;
    return { error: body.error.slice(0, 400), ...(typeof body.problem === 'string' ? { problem: body.problem } : {}) };
  } catch {
    return null;
  }
}

async function json<T>(res: ResponseLike, origin: string): Promise<T> {
  try {
    return JSON.parse(await res.text()) as T;
  } catch {
    throw notRiffroom(origin, res.status);
  }
}

function notRiffroom(origin: string, status: number): TransferError {
  return new TransferError(
    'not-riffroom',
    `${origin} answered (${status}) but not as a Riffroom server. Check the address: it is the server's own address, like https://jam.example.org`,
    status,
  );
}

/** What a refusal that is not specific to one route means. */
function common(status: number, body: { error: string } | null, origin: string, what: string): TransferError {
  if (!body) return notRiffroom(origin, status);
  if (status === 429 || status === 503)
    return new TransferError('busy', `${origin} is busy (${body.error}). Try again in a moment.`, status);
  return new TransferError('server', `${origin} could not ${what}: ${body.error}`, status);
}

export interface ImportRequest {
  /** The server's origin (parseServerUrl). */
  origin: string;
  room: string;
  /** A creator (or admin) server token. */
  creatorToken: string;
  /** The .riffroom project file. */
  file: Uint8Array;
}

/** Pushes a project to a server as a new room; the answer carries the importer's owner token. */
export async function importProject(fetch: FetchLike, request: ImportRequest): Promise<ImportResponse> {
  const { origin, room } = request;
  if (!ROOM_NAME.test(room))
    throw new TransferError(
      'url',
      `"${room.slice(0, 80)}" is not a room name: 1-64 letters, digits, - or _, starting with a letter or digit.`,
    );
  const token = request.creatorToken.trim();
  if (!token)
    throw new TransferError(
      'token',
      `Paste a creator token for ${origin} (its admin makes one with: riffroom-server token --server-role creator).`,
    );
  const res = await call(fetch, origin, `/api/rooms/${encodeURIComponent(room)}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: request.file,
  });
  if (res.status === 201) return json<ImportResponse>(res, origin);
  const body = await errorBody(res);
  if (!body) throw notRiffroom(origin, res.status);
  switch (res.status) {
    case 401:
      throw new TransferError(
        'token',
        `${origin} did not accept the token (${body.error}). Paste a creator token from its admin; tokens expire.`,
        401,
      );
    case 403:
      throw new TransferError(
        'token',
        `This token may not create rooms on ${origin} (${body.error}). You need a creator or admin token, not a room link's token.`,
        403,
      );
    case 409:
      throw new TransferError(
        'exists',
        `${origin} already has a room named "${room}". Choose another name, like "${suggestRoomName(room)}".`,
        409,
        suggestRoomName(room),
      );
    case 413:
      throw new TransferError(
        'too-big',
        `The project (${megabytes(request.file.byteLength)}) is larger than ${origin} takes (${body.error}). Ask its admin to raise --max-import-bytes.`,
        413,
      );
    case 422:
      throw new TransferError(
        'refused-file',
        `${origin} refused the project file: ${body.error.replace(/^the project cannot be imported: /, '')}.`,
        422,
        body.problem ?? null,
      );
    default:
      throw common(res.status, body, origin, 'take the project');
  }
}

export interface RoomRequest {
  /** The room's server: its HTTP origin, or '' for the page's own origin (relative URLs). */
  origin: string;
  room: string;
  /** The room's owner token. */
  token: string;
}

function roomRefusal(status: number, body: { error: string } | null, origin: string, what: string): TransferError {
  if (body && status === 403 && /only the room's owner/.test(body.error)) {
    return new TransferError('not-owner', `Only the room's owner can ${what}. You joined with an invite; ask the owner.`, 403);
  }
  if (body && (status === 401 || status === 403)) return new TransferError('token', `The server refused your token: ${body.error}`, status);
  if (body && status === 404) return new TransferError('server', `The server has no room by that name any more (${body.error}).`, 404);
  return common(status, body, origin || 'the server', what);
}

/** Fresh editor and viewer invites for a room (its owner only). */
export async function mintInvites(fetch: FetchLike, request: RoomRequest & { inviteTtl?: string }): Promise<InvitesResponse> {
  const res = await call(fetch, request.origin, `/api/rooms/${encodeURIComponent(request.room)}/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${request.token}`, 'content-type': 'application/json' },
    body: new TextEncoder().encode(JSON.stringify(request.inviteTtl ? { inviteTtl: request.inviteTtl } : {})),
  });
  if (res.status === 201) return json<InvitesResponse>(res, request.origin);
  throw roomRefusal(res.status, await errorBody(res), request.origin, 'make invites');
}

/** The room's whole log as a .riffroom project file (its owner only). */
export async function exportRoom(fetch: FetchLike, request: RoomRequest): Promise<{ file: Uint8Array; lastSeq: number | null }> {
  const res = await call(fetch, request.origin, `/api/rooms/${encodeURIComponent(request.room)}/export`, {
    method: 'GET',
    headers: { authorization: `Bearer ${request.token}` },
  });
  if (res.status === 200) {
    const last = res.headers.get('x-riffroom-last-seq');
    return { file: new Uint8Array(await res.arrayBuffer()), lastSeq: last === null ? null : Number(last) };
  }
  throw roomRefusal(res.status, await errorBody(res), request.origin, 'keep a local copy of the room');
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
