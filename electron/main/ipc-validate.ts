/**
 * Every IPC input checked at the boundary, before the main process acts on it: the window is
 * treated as untrusted (a compromised page can send anything through the bridge). Each parser
 * returns a fresh, exactly typed value or throws an IpcInputError that says what is wrong.
 * Only own, expected fields are read; unknown fields (`__proto__`, `constructor` included) are
 * refused, so nothing a page sends can reach an object's prototype.
 */
import {
  LIMITS,
  RENDERER_COMMANDS,
  type CopyLinkRequest,
  type DragOutRequest,
  type JoinRequest,
  type OpenFileRequest,
  type RendererCommand,
  type SaveFileRequest,
  type ShareOnlineRequest,
  type ShareTokenRequest,
} from '../contract.ts';
import { tokenInAddress } from '../../sync-server/client/room-link.ts';
import { isMidiFile } from './drag-files.ts';

export class IpcInputError extends Error {
  override name = 'IpcInputError';
}

function fail(what: string, message: string): never {
  throw new IpcInputError(`${what}: ${message}`);
}

/** A plain object with exactly `allowed` own keys (some may be missing); returns its fields. */
function record(what: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) fail(what, 'expected an object');
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(what, 'expected a plain object');
  const keys = Reflect.ownKeys(value);
  for (const key of keys) {
    if (typeof key !== 'string' || !allowed.includes(key)) fail(what, `unexpected field ${JSON.stringify(String(key)).slice(0, 60)}`);
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const key of allowed) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor && !('value' in descriptor)) fail(what, `field ${key} must be a value, not an accessor`);
    if (descriptor) out[key] = descriptor.value;
  }
  return out;
}

function string(what: string, value: unknown, maxChars: number): string {
  if (typeof value !== 'string') fail(what, `expected a string, got ${value === null ? 'null' : typeof value}`);
  if (value.length === 0) fail(what, 'must not be empty');
  if (value.length > maxChars) fail(what, `longer than ${maxChars} characters`);
  return value;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/** A file name suggested to a save dialog: a name, never a path. */
export function parseFileName(value: unknown): string {
  const name = string('file name', value, LIMITS.fileNameChars);
  // Control characters and path syntax of every platform.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are matched to refuse such a name
  if (/[\u0000-\u001f\u007f/\\:*?"<>|]/.test(name)) fail('file name', 'must not contain /, \\, :, *, ?, ", <, >, | or control characters');
  if (name === '.' || name === '..' || name.trim() !== name || name.endsWith('.')) fail('file name', 'is not a usable file name');
  if (WINDOWS_RESERVED.test(name)) fail('file name', 'is a reserved device name');
  return name;
}

function bytes(what: string, value: unknown, maxBytes: number = LIMITS.fileBytes): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(what, 'expected bytes (a Uint8Array)');
  if (value.byteLength > maxBytes) fail(what, `larger than ${maxBytes} bytes`);
  // A copy: the caller's buffer (possibly shared) cannot change under us.
  return new Uint8Array(value);
}

const MIME_TYPE = /^[a-z]+\/[a-z0-9.+-]{1,100}$/;

export function parseSaveFileRequest(value: unknown): SaveFileRequest {
  const r = record('save request', value, ['name', 'bytes', 'mimeType']);
  const mimeType = string('mime type', r.mimeType, 127);
  if (!MIME_TYPE.test(mimeType)) fail('mime type', `"${mimeType.slice(0, 40)}" is not a MIME type`);
  return { name: parseFileName(r.name), bytes: bytes('file bytes', r.bytes), mimeType };
}

/**
 * A clip dragged out of the window: the track's and the clip's names (free text from the song;
 * drag-files.ts makes the file name of them) and a Standard MIDI File of at most LIMITS.dragBytes.
 * A clip may have no name of its own (""); a track always has one.
 */
export function parseDragOutRequest(value: unknown): DragOutRequest {
  const r = record('drag request', value, ['trackName', 'clipName', 'bytes']);
  const trackName = string('track name', r.trackName, LIMITS.dragNameChars);
  const clipName = r.clipName === '' ? '' : string('clip name', r.clipName, LIMITS.dragNameChars);
  const midi = bytes('MIDI bytes', r.bytes, LIMITS.dragBytes);
  if (!isMidiFile(midi)) fail('MIDI bytes', 'not a Standard MIDI File');
  return { trackName, clipName, bytes: midi };
}

export function parseCopyLinkRequest(value: unknown): CopyLinkRequest {
  const r = record('copy request', value, ['which']);
  if (r.which !== 'invite' && r.which !== 'browser') fail('copy request', 'which must be "invite" or "browser"');
  return { which: r.which };
}

/**
 * A link pasted into "Join a jam" to be checked: any text up to LIMITS.linkChars (the empty one
 * too); sync-server/client/room-link.ts parseJoinLink says in words what is wrong with it.
 */
export function parseJoinCheckRequest(value: unknown): JoinRequest {
  const r = record('join check', value, ['link']);
  if (typeof r.link !== 'string') fail('invite link', `expected a string, got ${r.link === null ? 'null' : typeof r.link}`);
  if (r.link.length > LIMITS.linkChars) fail('invite link', `longer than ${LIMITS.linkChars} characters`);
  return { link: r.link };
}

const EXTENSION = /^\.[a-z0-9]{1,10}$/i;

export function parseOpenFileRequest(value: unknown): OpenFileRequest {
  const r = record('open request', value, ['accept']);
  if (!Array.isArray(r.accept)) fail('accept', 'expected a list of extensions like ".mid"');
  if (r.accept.length === 0 || r.accept.length > LIMITS.acceptEntries) fail('accept', `expected 1 to ${LIMITS.acceptEntries} extensions`);
  const accept = r.accept.map((ext: unknown) => {
    const text = string('extension', ext, 11);
    if (!EXTENSION.test(text)) fail('extension', `"${text}" is not an extension like ".mid"`);
    return text.toLowerCase();
  });
  return { accept };
}

/**
 * An invite link to join: http(s)://host:port/?room=…#token=… (or ?room=…&token=…, or a ws(s):// server URL with the
 * room as its path). sync-server/client/room-link.ts parseJoinLink then reads it in detail.
 */
export function parseJoinRequest(value: unknown): JoinRequest {
  const r = record('join request', value, ['link']);
  const link = string('invite link', r.link, LIMITS.linkChars).trim();
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    fail('invite link', 'is not a link');
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) fail('invite link', 'must start with http://, https://, ws:// or wss://');
  if (url.username || url.password) fail('invite link', 'must not carry a user name or password');
  const pathRoom = url.protocol.startsWith('ws') && url.pathname.length > 1;
  if ((!url.searchParams.get('room') && !pathRoom) || !tokenInAddress(url)) fail('invite link', 'names no room or token');
  return { link: url.href };
}

export function parseRendererCommand(value: unknown): RendererCommand {
  if (typeof value !== 'string' || !(RENDERER_COMMANDS as readonly string[]).includes(value)) {
    fail('menu command', `unknown command ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value as RendererCommand;
}

/** A channel that takes no arguments must get none. */
export function parseNoArguments(what: string, args: unknown[]): void {
  if (args.length > 0 && !(args.length === 1 && args[0] === undefined)) fail(what, 'takes no arguments');
}

/** A path to a project file given on the command line or by the OS (open-file). */
export function parseProjectPath(value: unknown, extension = '.riffroom'): string {
  const path = string('project path', value, 4096);
  if (path.includes('\0')) fail('project path', 'contains a NUL character');
  if (!path.toLowerCase().endsWith(extension)) fail('project path', `is not a ${extension} file`);
  return path;
}

/** Share online: the server's origin, the room's name there, a creator token or null (the kept one). */
export function parseShareOnlineRequest(value: unknown): ShareOnlineRequest {
  const r = record('share request', value, ['origin', 'room', 'creatorToken']);
  const origin = string('server address', r.origin, LIMITS.linkChars);
  const room = string('room name', r.room, 64);
  const creatorToken = r.creatorToken === null ? null : string('creator token', r.creatorToken, LIMITS.linkChars);
  return { origin, room, creatorToken };
}

/** The share dialog's question: is a token kept for this server (or none typed yet). */
export function parseShareTokenRequest(value: unknown): ShareTokenRequest {
  const r = record('share token request', value, ['origin']);
  return { origin: r.origin === null ? null : string('server address', r.origin, LIMITS.linkChars) };
}
