/**
 * The one contract between the session host process (host.ts: the sync server serving the open
 * project as its room) and its parent (the Electron main process's session manager, or a test).
 * Messages are plain data, safe over Electron's parentPort and Node's IPC channel; each carries
 * the protocol version, and the host answers anything it does not understand with an error.
 *
 *   host → parent   ready                      the host listens for messages
 *   parent → host   start {projectPath, mode}  serve this project: 'solo' on 127.0.0.1, 'lan' on 0.0.0.0
 *   host → parent   started {session} | error  the links, or why it could not start
 *   parent → host   stop                       close every room (the log is folded into the file)
 *   host → parent   stopped                    then the host exits with code 0
 */

import { LIMITS } from '../../sync-server/limits.ts';

export const SESSION_PROTOCOL = 1;

/** 'solo': only this machine can connect (127.0.0.1). 'lan': bandmates on the LAN can join (0.0.0.0). */
export type HostMode = 'solo' | 'lan';
export const HOST_MODES: readonly HostMode[] = ['solo', 'lan'];

export interface StartRequest {
  v: typeof SESSION_PROTOCOL;
  type: 'start';
  /** The project file (a room log) to serve as the room. */
  projectPath: string;
  mode: HostMode;
  /** 0 or absent: any free port. A restart after a crash asks for the port it had, so clients reconnect. */
  port?: number;
  /**
   * The token signing secret. The manager keeps one for the app's lifetime so tokens (the
   * window's and every invite) stay valid across restarts; absent: a random one.
   */
  secret?: string;
  /** Folder for the server's own files (it keeps no rooms there); absent: a temporary folder. */
  dataDir?: string;
  /** The built web client served to browser guests; null: none; absent: renderer/dist when built. */
  webDir?: string | null;
  /** The model folder browser guests load; null: none; absent: the shipped model. */
  modelDir?: string | null;
  /** The local user's name: the author of their edits in the history. */
  userName?: string;
}

export interface StopRequest {
  v: typeof SESSION_PROTOCOL;
  type: 'stop';
}

export type ParentMessage = StartRequest | StopRequest;

/** What a started host serves, and the links to it. */
export interface HostedSession {
  projectPath: string;
  /** The room (from the project's file name). */
  room: string;
  mode: HostMode;
  port: number;
  /** For this machine's window: ws://127.0.0.1:<port> (y-websocket server URL; the room is the path). */
  wsUrl: string;
  /** http://127.0.0.1:<port>: the history API. */
  httpUrl: string;
  /** An owner token for this machine's window (author: userName). */
  ownerToken: string;
  /**
   * The link to send a bandmate: http://<address>:<port>/?room=<room>#token=<editor invite>. Pasted
   * into "Join a jam" it opens the room in the app; opened in a browser it opens the web client.
   * The address is the LAN address in 'lan' mode, 127.0.0.1 in 'solo' mode.
   */
  inviteLink: string;
  /** The same link for browser guests, or null when this host serves no web client. */
  browserLink: string | null;
  /** This machine's LAN address ('lan' mode), or null when it has none (then the links say 127.0.0.1). */
  lanAddress: string | null;
  /** When the invite's token expires (seconds since the epoch). */
  inviteExpires: number;
}

export type SessionErrorName =
  | 'ProjectFileError' // the project cannot be served (problem says why; the file is untouched)
  | 'ListenError' // the port is taken or cannot be bound
  | 'ProtocolError' // the message was not one this host understands
  | 'SessionError'; // anything else

export interface WireSessionError {
  name: SessionErrorName;
  message: string;
  /** For ProjectFileError: the problem code (project-file.ts ProjectFileProblem). */
  problem?: string;
  /** For ListenError: the system error code (EADDRINUSE, EACCES, ...). */
  code?: string;
}

export type HostMessage =
  | { v: typeof SESSION_PROTOCOL; type: 'ready'; pid: number }
  | { v: typeof SESSION_PROTOCOL; type: 'started'; session: HostedSession }
  | { v: typeof SESSION_PROTOCOL; type: 'error'; error: WireSessionError }
  | { v: typeof SESSION_PROTOCOL; type: 'stopped' };

/** The shape check both sides use on what arrives. */
export function isHostMessage(data: unknown): data is HostMessage {
  const m = data as { v?: unknown; type?: unknown } | null;
  return (
    typeof m === 'object' && m !== null && m.v === SESSION_PROTOCOL && ['ready', 'started', 'error', 'stopped'].includes(m.type as string)
  );
}

/** Validates a start request field by field; returns the problem in words, or null. */
export function startRequestProblem(data: unknown): string | null {
  const m = data as Partial<StartRequest> | null;
  if (typeof m !== 'object' || m === null) return 'not an object';
  if (m.v !== SESSION_PROTOCOL) return `protocol version ${String(m.v)} is not ${SESSION_PROTOCOL}`;
  if (m.type !== 'start') return 'not a start request';
  if (typeof m.projectPath !== 'string' || m.projectPath === '' || m.projectPath.length > 4096 || m.projectPath.includes('\0'))
    return 'projectPath must be a file path';
  if (!HOST_MODES.includes(m.mode as HostMode)) return `mode must be ${HOST_MODES.join(' or ')}`;
  if (m.port !== undefined && !(Number.isInteger(m.port) && m.port >= 0 && m.port <= 65535)) return 'port must be 0..65535';
  if (m.secret !== undefined && (typeof m.secret !== 'string' || m.secret.length < LIMITS.secret.minBytes || m.secret.length > 512))
    return `secret must be ${LIMITS.secret.minBytes}..512 characters`;
  for (const key of ['dataDir', 'webDir', 'modelDir'] as const) {
    const value = m[key];
    if (
      value !== undefined &&
      !(key !== 'dataDir' && value === null) &&
      (typeof value !== 'string' || value === '' || value.includes('\0'))
    )
      return `${key} must be a folder path`;
  }
  if (m.userName !== undefined && (typeof m.userName !== 'string' || m.userName.length === 0 || m.userName.length > 64))
    return 'userName must be 1..64 characters';
  return null;
}
