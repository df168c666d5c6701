/**
 * Projects in and out of a server, history included (store/log-transfer.ts):
 *
 *   GET  /api/rooms/<room>/export   the room's owner (a room token, role owner): the room's whole
 *        log as a fresh .riffroom project file, read in one read transaction (edits made during
 *        the export are not in it; none is ever half in it), its chain checked on the way.
 *   POST /api/rooms/<room>/import   an admin or creator (a server token): the body is a .riffroom
 *        file, streamed to a temporary file (at most maxImportBytes: 413 past it), checked like
 *        any project someone sent (log-check.ts: schema, bounds, decompression caps, the whole
 *        chain), then written as the new room's log and placed only once complete. A room that
 *        exists, or is being imported, is 409: nothing is ever imported over a room.
 *
 * An import may come from a page another server served (the browser's "Share online…": a room
 * on a LAN or desktop server pushed to a hosted one), so /import answers CORS: any origin, no
 * cookies (credentials are never sent or allowed), only the Authorization and Content-Type
 * headers. That opens nothing to a foreign page: the route acts only on a bearer server token,
 * which a page has only when its user typed it in.
 *
 * Both are heavy requests (the HeavyRequestGate counts them with replay downloads); an export is
 * copied a page at a time with the event loop free between pages, and sent paced by the replay
 * pacer. Temporary files live in <data>/tmp, which only the server uses: whatever a crash left
 * there is removed when the server starts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOM_NAME, type ImportResponse, type ServerClaims, type TokenClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { signToken } from '../auth/tokens.ts';
import { mayCreateRooms } from '../auth/server-tokens.ts';
import { authorize } from '../http-api.ts';
import type { RoomRegistry } from '../room/registry.ts';
import { RoomLogError } from '../store/log-error.ts';
import { checkLogFileOffThread } from '../store/log-check-off-thread.ts';
import { DEFAULT_TRANSFER_PAGES, openAndTransfer, type TransferSummary } from '../store/log-transfer.ts';
import { removeDbFiles, RoomFileSink, RoomFileSource, TransferTargetError } from '../store/sqlite-transfer.ts';
import type { BytePacer, HeavyRequestGate } from './rate-limits.ts';
import { HttpError, sendError, sendJson } from './responses.ts';
import { authorizeServer } from './server-auth.ts';
import { dropRefusedBody, receiveToFile } from './upload-file.ts';
import { drained } from './updates-stream.ts';

export interface TransferRouteOptions {
  secret: string;
  rooms: RoomRegistry;
  dataDir: string;
  /** Largest upload POST /import takes (bytes). */
  maxImportBytes: number;
  heavy?: HeavyRequestGate;
  /** Paces export downloads (the replay downloads' pacer: one budget for both). */
  pacer?: BytePacer;
}

/** Handles /api/rooms/<room>/export and /import; false for any other path. */
export type TransferRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

const PATH = /^\/api\/rooms\/([^/]+)\/(export|import)$/;

export function createTransferRoutes(options: TransferRouteOptions): TransferRoutes {
  const tempDir = join(options.dataDir, 'tmp');
  mkdirSync(tempDir, { recursive: true });
  for (const name of readdirSync(tempDir)) rmSync(join(tempDir, name), { recursive: true, force: true });
  /** Rooms being imported right now: a second import of the same name waits for nothing, it is 409. */
  const importing = new Set<string>();
  const tempFile = (kind: string) => join(tempDir, `${kind}-${randomBytes(8).toString('hex')}.riffroom`);

  return async (req, res, url) => {
    const match = PATH.exec(url.pathname);
    if (!match) return false;
    const [, room, action] = match as unknown as [string, string, 'export' | 'import'];
    const method = req.method ?? 'GET';
    if (action === 'import') {
      for (const [name, value] of Object.entries(IMPORT_CORS)) res.setHeader(name, value);
      if (method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return true;
      }
    }
    let release: (() => void) | null = null;
    const enterHeavy = (): (() => void) | null => {
      if (!options.heavy) return null;
      const admitted = options.heavy.enter(req.socket.remoteAddress ?? '');
      if (!admitted.ok) throw new HttpError(429, admitted.reason, { 'retry-after': '1' });
      return admitted.release;
    };
    try {
      if (!ROOM_NAME.test(room)) throw new HttpError(400, 'invalid room name');
      if (action === 'export') {
        if (method !== 'GET') throw new HttpError(405, `${method} is not allowed on export`);
        const claims = authorize(options.secret, req, url, room);
        if (claims.role !== 'owner') throw new HttpError(403, `only the room's owner can export it (this token is an ${claims.role}'s)`);
        if (!(await options.rooms.exists(room))) throw new HttpError(404, `no room named ${room}`);
        release = enterHeavy();
        await exportRoom(options, req, res, room, tempFile('export'));
      } else {
        if (method !== 'POST') throw new HttpError(405, `${method} is not allowed on import`);
        const claims = authorizeServer(options.secret, req, url, 'import a project');
        if (!mayCreateRooms(claims)) throw new HttpError(403, 'this token may not create rooms');
        if (importing.has(room)) throw roomExists(room);
        importing.add(room);
        try {
          if (await options.rooms.exists(room)) throw roomExists(room);
          release = enterHeavy();
          await importRoom(options, req, res, room, claims, tempFile('upload'));
        } finally {
          importing.delete(room);
        }
      }
    } catch (err) {
      answerError(req, res, url, room, action, err);
    } finally {
      release?.();
    }
    return true;
  };
}

/** On every /import answer: a page of any origin may read it (bearer tokens only, no cookies). */
const IMPORT_CORS = { 'access-control-allow-origin': '*' } as const;

async function exportRoom(
  options: TransferRouteOptions,
  req: IncomingMessage,
  res: ServerResponse,
  room: string,
  temp: string,
): Promise<void> {
  let handle: FileHandle;
  let summary: TransferSummary;
  try {
    // The room's log as it is when the export begins (its chain compared entry by entry on the
    // way), into a fresh project file.
    summary = await openAndTransfer(
      () => options.rooms.exportSource(room),
      () => new RoomFileSink(temp),
      PAGED,
    );
    handle = await open(temp, 'r');
  } finally {
    // Open or not, the name goes now: the open handle keeps the bytes until the download ends.
    removeDbFiles(temp);
  }
  try {
    const { size } = await handle.stat();
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size,
      'content-disposition': `attachment; filename="${room}.riffroom"`,
      'x-riffroom-last-seq': String(summary.lastSeq),
    });
    const address = req.socket.remoteAddress ?? '';
    await sendPaced(res, handle, size, (bytes) => options.pacer?.spend(address, bytes) ?? 0);
  } finally {
    await handle.close();
  }
}

async function importRoom(
  options: TransferRouteOptions,
  req: IncomingMessage,
  res: ServerResponse,
  room: string,
  claims: ServerClaims,
  upload: string,
): Promise<void> {
  let summary: TransferSummary;
  try {
    await receiveToFile(req, upload, options.maxImportBytes);
    // Every check a project someone sent gets, its whole chain included, before anything is
    // written, in a worker thread (a second or more on a big file: not on the loop every room
    // shares); the room appears only once its log is complete (and never over one that appeared
    // meanwhile: a peer that opened the name first keeps it, and this is 409).
    await checkLogFileOffThread(upload, { history: true });
    summary = await openAndTransfer(
      () => new RoomFileSource(upload, { alreadyChecked: true }),
      () => options.rooms.importSink(room),
      PAGED,
    );
  } finally {
    removeDbFiles(upload);
  }
  const owner = ownerClaims(claims, room, Date.now() / 1000);
  const body: ImportResponse = {
    room,
    lastSeq: summary.lastSeq,
    bookmarks: summary.bookmarks,
    token: signToken(options.secret, owner),
    claims: owner,
  };
  sendJson(res, 201, body);
}

/**
 * The importer's owner token for the new room: their identity and name, lasting a joined token's
 * time at most (LIMITS.tokens.joinedTokenSeconds), renewable while their server token lasts.
 */
function ownerClaims(server: ServerClaims, room: string, nowSeconds: number): TokenClaims {
  const now = Math.floor(nowSeconds);
  return {
    room,
    role: 'owner',
    name: server.name,
    id: server.id,
    iat: now,
    exp: Math.min(server.exp, now + LIMITS.tokens.joinedTokenSeconds),
    renewUntil: server.exp,
  };
}

/** Sends `size` bytes of `handle`, a page at a time, waiting as `pace` says between pages. */
async function sendPaced(res: ServerResponse, handle: FileHandle, size: number, pace: (bytes: number) => number): Promise<void> {
  let gone = false;
  const onGone = () => {
    gone = true;
  };
  res.once('close', onGone);
  try {
    let position = 0;
    while (!gone && position < size) {
      const page = Buffer.allocUnsafe(Math.min(LIMITS.http.replayPageBytes, size - position));
      const { bytesRead } = await handle.read(page, 0, page.length, position);
      if (bytesRead === 0) throw new Error('the exported file ended early');
      position += bytesRead;
      const more = res.write(bytesRead === page.length ? page : page.subarray(0, bytesRead));
      const wait = pace(bytesRead);
      if (!more) await drained(res);
      if (wait > 0 && !gone && position < size) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (!gone) res.end();
  } finally {
    res.off('close', onGone);
  }
}

function answerError(req: IncomingMessage, res: ServerResponse, url: URL, room: string, action: 'export' | 'import', err: unknown): void {
  if (res.headersSent) {
    // Part of the file is out: cutting the response is the only way left to say it failed.
    console.error(`api ${url.pathname}:`, err);
    res.destroy();
  } else if (err instanceof HttpError) {
    sendError(res, err);
    if (action === 'import') dropRefusedBody(req, LIMITS.http.refusedUploadGraceMs);
  } else if (err instanceof TransferTargetError) {
    // The name was free when the import began, and a peer opened it meanwhile: it is theirs.
    sendJson(res, 409, { error: roomExists(room).message });
  } else if (err instanceof RoomLogError && action === 'import') {
    sendJson(res, 422, { error: `the project cannot be imported: ${err.reason}`, problem: err.problem });
  } else if (err instanceof RoomLogError) {
    console.error(`api ${url.pathname}:`, err.message);
    sendJson(res, 500, { error: `the room's log cannot be exported: ${err.reason}` });
  } else {
    console.error(`api ${url.pathname}:`, err);
    sendJson(res, 500, { error: 'internal error' });
  }
}

function roomExists(room: string): HttpError {
  return new HttpError(409, `a room named ${room} already exists: import the project under another name`);
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Transfers a page at a time, the event loop free between pages. */
const PAGED = { ...DEFAULT_TRANSFER_PAGES, betweenPages: nextTurn };
