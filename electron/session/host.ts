/**
 * The session host: the entry point of Electron's "session" utility process and, with the same
 * code, of a plain Node child process (tests, headless use). It runs the sync server with the
 * open project file as its room (the file is the room's checkpoint log, so every edit is saved as
 * it arrives) and answers the parent with the links to it (contract.ts).
 *
 *   solo  bound to 127.0.0.1: only this machine's window connects
 *   lan   bound to 0.0.0.0: the invite link (an editor invite, this machine's LAN address) lets
 *         bandmates join from the app or a browser (this host serves the web client too): each
 *         one trades the invite for a personal token under their own name and identity
 *         (POST /api/rooms/<room>/join), so the server tells them apart
 *
 * Under utilityProcess the parent talks over process.parentPort; under child_process.fork over
 * the IPC channel. One host serves one project: switching projects is stop + a new host.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { startServer, type RunningServer } from '../../sync-server/server.ts';
import { DEFAULT_WEB_DIR, hasIndex } from '../../sync-server/static.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { RoomLogError } from '../../sync-server/store/room-log.ts';
import { inspectProject, ProjectFileError, projectFileError } from '../project/project-file.ts';
import { inviteLinkFor, lanAddress } from './links.ts';
import {
  SESSION_PROTOCOL,
  startRequestProblem,
  type HostedSession,
  type HostMessage,
  type StartRequest,
  type WireSessionError,
} from './contract.ts';

/** The bits of Electron's parentPort this host uses (no Electron import here). */
interface PortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The window's owner token and the invites last this long (seconds). */
export const OWNER_TOKEN_TTL = 30 * 24 * 3600;
export const INVITE_TTL = 7 * 24 * 3600;
/** The owner token can be renewed (POST /renew, or in-band on its sockets) for this long (seconds). */
export const OWNER_RENEWABLE_FOR = 365 * 24 * 3600;

export interface Hosting {
  readonly session: HostedSession;
  close(): Promise<void>;
}

/** Starts the sync server for one project; throws ProjectFileError or a listen error. */
export async function hostProject(request: StartRequest): Promise<Hosting> {
  // Refuse anything that is not a project before the server opens (and would write to) it. The
  // server's open below checks it again and walks its whole hash chain (a project file is not
  // the server's own: registry.ts), so the chain is read once, there.
  const project = inspectProject(request.projectPath, { verifyHistory: false });
  const room = project.room;
  const ownDataDir = request.dataDir === undefined;
  const dataDir = request.dataDir ?? mkdtempSync(join(tmpdir(), 'riffroom-session-'));
  const secret = request.secret ?? randomBytes(32).toString('base64url');
  const webDir = request.webDir === undefined ? (hasIndex(DEFAULT_WEB_DIR) ? DEFAULT_WEB_DIR : null) : request.webDir;
  const modelDir = request.modelDir === undefined ? (existsSync(SHIPPED_MODEL_DIR) ? SHIPPED_MODEL_DIR : null) : request.modelDir;
  const models = modelDir ? [{ id: basename(modelDir.replace(/[\\/]+$/, '')), dir: modelDir }] : [];
  let server: RunningServer;
  try {
    server = await startServer({
      dataDir,
      secret,
      port: request.port ?? 0,
      host: request.mode === 'lan' ? '0.0.0.0' : '127.0.0.1',
      web: { webDir, models },
      roomFiles: new Map([[room, project.path]]),
    });
  } catch (err) {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  try {
    // Open the log now, so a file that cannot be served fails the start, not the first connection.
    await server.rooms.get(room);
  } catch (err) {
    await server.close();
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    if (err instanceof RoomLogError) throw projectFileError(project.path, err);
    throw new ProjectFileError(project.path, 'damaged', `the room log cannot be opened (${(err as Error).message})`);
  }
  const now = Math.floor(Date.now() / 1000);
  const lan = request.mode === 'lan' ? lanAddress() : null;
  const linkAddress = lan ?? '127.0.0.1';
  const ownerToken = signToken(secret, {
    room,
    role: 'owner',
    name: request.userName ?? localUserName(),
    exp: now + OWNER_TOKEN_TTL,
    renewUntil: now + OWNER_RENEWABLE_FOR,
  });
  // An invite: good only for joining, where each bandmate gives their name and gets their own
  // token and identity (its name is a placeholder, never shown).
  const inviteToken = signToken(secret, { room, role: 'editor', name: 'editor', exp: now + INVITE_TTL, invite: true });
  const inviteLink = inviteLinkFor(linkAddress, server.port, room, inviteToken);
  const session: HostedSession = {
    projectPath: project.path,
    room,
    mode: request.mode,
    port: server.port,
    wsUrl: `ws://127.0.0.1:${server.port}`,
    httpUrl: `http://127.0.0.1:${server.port}`,
    ownerToken,
    inviteLink,
    browserLink: webDir ? inviteLink : null,
    lanAddress: lan,
    inviteExpires: now + INVITE_TTL,
  };
  return {
    session,
    async close() {
      await server.close();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function localUserName(): string {
  try {
    const name = userInfo().username.trim().slice(0, 64);
    return name || 'me';
  } catch {
    return 'me';
  }
}

/** The error a parent receives, by kind. */
export function toWireError(err: unknown): WireSessionError {
  if (err instanceof ProjectFileError) return { name: 'ProjectFileError', message: err.message, problem: err.problem };
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return { name: 'ListenError', code, message: 'the port is already in use by another program' };
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') return { name: 'ListenError', code, message: `the port cannot be opened (${code})` };
  return { name: 'SessionError', message: (err as Error)?.message ?? String(err) };
}

/**
 * Serves one parent: answers `start` once, `stop` by closing and exiting. `exit` ends the process
 * (tests pass their own).
 */
export function serveParent(post: (message: HostMessage) => void, exit: (code: number) => void): (data: unknown) => void {
  let hosting: Promise<Hosting | null> | null = null;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const current = await hosting?.catch(() => null);
    try {
      await current?.close();
    } finally {
      post({ v: SESSION_PROTOCOL, type: 'stopped' });
      exit(0);
    }
  };
  return (data: unknown) => {
    const message = data as { v?: unknown; type?: unknown } | null;
    if (message && message.v === SESSION_PROTOCOL && message.type === 'stop') return void stop();
    if (message && message.v === SESSION_PROTOCOL && message.type === 'start') {
      const problem = startRequestProblem(message);
      if (problem)
        return post({ v: SESSION_PROTOCOL, type: 'error', error: { name: 'ProtocolError', message: `bad start request: ${problem}` } });
      if (hosting || stopping) {
        return post({
          v: SESSION_PROTOCOL,
          type: 'error',
          error: { name: 'ProtocolError', message: 'this host already serves a project; start a new host to switch' },
        });
      }
      hosting = hostProject(message as StartRequest).then(
        (h) => {
          post({ v: SESSION_PROTOCOL, type: 'started', session: h.session });
          return h;
        },
        (err) => {
          hosting = null;
          post({ v: SESSION_PROTOCOL, type: 'error', error: toWireError(err) });
          return null;
        },
      );
      return;
    }
    post({ v: SESSION_PROTOCOL, type: 'error', error: { name: 'ProtocolError', message: 'unknown message' } });
  };
}

function main(): void {
  const parentPort = (process as unknown as { parentPort?: PortLike }).parentPort;
  let receive: (data: unknown) => void;
  if (parentPort) {
    receive = serveParent(
      (m) => parentPort.postMessage(m),
      (code) => process.exit(code),
    );
    parentPort.on('message', (event) => receive(event.data));
    parentPort.postMessage({ v: SESSION_PROTOCOL, type: 'ready', pid: process.pid } satisfies HostMessage);
  } else if (process.send) {
    const send = (m: HostMessage) => {
      if (process.connected) process.send!(m);
    };
    receive = serveParent(send, (code) => process.exit(code));
    process.on('message', (data) => receive(data));
    // The parent is gone: close the room (folding the log into the file) and leave.
    process.on('disconnect', () => receive({ v: SESSION_PROTOCOL, type: 'stop' }));
    send({ v: SESSION_PROTOCOL, type: 'ready', pid: process.pid });
  } else {
    throw new Error('session host: start me with utilityProcess.fork or child_process.fork');
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => receive({ v: SESSION_PROTOCOL, type: 'stop' }));
}

// Run as an entry: under utilityProcess (parentPort; also when bundled, where import.meta.main
// may not exist) or as Node's main module (child_process.fork). Imported by a test: nothing runs.
if (import.meta.main || (process as unknown as { parentPort?: unknown }).parentPort) {
  try {
    main();
  } catch (error) {
    console.error(`session host: ${(error as Error).message}`);
    process.exit(2);
  }
}
