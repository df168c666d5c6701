/**
 * The window's library calls, checked and answered in the main process (plain Node, no
 * Electron: main/index.ts registers `answer` on CHANNELS.library). The window is untrusted, so a
 * request is rebuilt field by field (clips and presets by the same checks as an imported file)
 * before the store sees it; anything else is refused with an IpcInputError.
 */
import { checkLibraryClip, checkPreset, checkSnapshot } from '../../core/library/library-file.ts';
import type { LibraryQuery, LibraryStore } from '../../core/library/types.ts';
import { KEY_MODES, TRACK_ROLES, type TrackRole } from '../../core/song/types.ts';
import { LIMITS, type LibraryAnswers, type LibraryRequest, type LibraryStatus } from '../contract.ts';
import { IpcInputError } from '../main/ipc-validate.ts';

const OPS = [
  'status',
  'saveClip',
  'getClip',
  'listClips',
  'deleteClip',
  'savePreset',
  'listPresets',
  'deletePreset',
  'snapshot',
  'importSnapshot',
] as const;
const FIELDS: Record<LibraryRequest['op'], readonly string[]> = {
  status: [],
  saveClip: ['clip'],
  getClip: ['id'],
  listClips: ['query'],
  deleteClip: ['id'],
  savePreset: ['preset'],
  listPresets: [],
  deletePreset: ['id'],
  snapshot: [],
  importSnapshot: ['snapshot'],
};
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function fail(message: string): never {
  throw new IpcInputError(`library: ${message}`);
}

/** A plain object with only `allowed` own keys. */
function plain(what: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${what} must be an object`);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(`${what} must be a plain object`);
  for (const key of Reflect.ownKeys(value)) if (typeof key !== 'string' || !allowed.includes(key)) fail(`${what} has an unexpected field`);
  return value as Record<string, unknown>;
}

function text(what: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length > max) fail(`${what} must be a string of at most ${max} characters`);
  return value;
}

function parseQuery(value: unknown): LibraryQuery {
  const q = plain('query', value, ['text', 'role', 'style', 'key', 'tempo', 'energy', 'mood', 'author', 'origin']);
  const out: LibraryQuery = {};
  if (q.text !== undefined) out.text = text('search text', q.text, LIMITS.librarySearchChars);
  if (q.role !== undefined) {
    if (!TRACK_ROLES.includes(q.role as TrackRole)) fail('unknown role');
    out.role = q.role as TrackRole;
  }
  if (q.style !== undefined) out.style = text('style', q.style, 40);
  if (q.key !== undefined) {
    const k = plain('key', q.key, ['tonic', 'mode']);
    if (!Number.isInteger(k.tonic) || (k.tonic as number) < 0 || (k.tonic as number) > 11 || !KEY_MODES.includes(k.mode as 'major'))
      fail('bad key');
    out.key = { tonic: k.tonic as number, mode: k.mode as 'major' | 'minor' };
  }
  if (q.tempo !== undefined) {
    const t = plain('tempo', q.tempo, ['min', 'max']);
    if (typeof t.min !== 'number' || typeof t.max !== 'number' || !Number.isFinite(t.min) || !Number.isFinite(t.max))
      fail('bad tempo range');
    out.tempo = { min: t.min, max: t.max };
  }
  if (q.energy !== undefined) {
    if (!Number.isInteger(q.energy) || (q.energy as number) < 0 || (q.energy as number) > 4) fail('energy must be 0..4');
    out.energy = q.energy as number;
  }
  if (q.mood !== undefined) out.mood = text('mood', q.mood, 40);
  if (q.author !== undefined) out.author = text('author', q.author, 200);
  if (q.origin !== undefined) {
    if (q.origin !== 'ai' && q.origin !== 'human') fail('origin must be ai or human');
    out.origin = q.origin;
  }
  return out;
}

function id(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) fail('bad id');
  return value;
}

export function parseLibraryRequest(value: unknown): LibraryRequest {
  const op = plain('request', value, ['op', ...new Set(Object.values(FIELDS).flat())]).op;
  if (!OPS.includes(op as LibraryRequest['op'])) fail('unknown operation');
  const r = plain(`${String(op)} request`, value, ['op', ...FIELDS[op as LibraryRequest['op']]]);
  try {
    switch (op as LibraryRequest['op']) {
      case 'saveClip':
        return { op: 'saveClip', clip: checkLibraryClip(r.clip) };
      case 'getClip':
        return { op: 'getClip', id: id(r.id) };
      case 'listClips':
        return { op: 'listClips', query: parseQuery(r.query ?? {}) };
      case 'deleteClip':
        return { op: 'deleteClip', id: id(r.id) };
      case 'savePreset':
        return { op: 'savePreset', preset: checkPreset(r.preset) };
      case 'deletePreset':
        return { op: 'deletePreset', id: id(r.id) };
      case 'importSnapshot':
        return { op: 'importSnapshot', snapshot: checkSnapshot(r.snapshot) };
      default:
        return { op } as LibraryRequest;
    }
  } catch (error) {
    if (error instanceof IpcInputError) throw error;
    fail((error as Error).message);
  }
}

/** The library as the main process holds it: a store, or why there is none. */
export interface LibraryHolder {
  store(): LibraryStore | null;
  status(): LibraryStatus;
}

/** Answers one checked request. */
export async function answerLibraryRequest(holder: LibraryHolder, request: LibraryRequest): Promise<LibraryAnswers[LibraryRequest['op']]> {
  if (request.op === 'status') return holder.status();
  const store = holder.store();
  if (!store) throw new Error(holder.status().problem ?? 'the riff library is not available');
  switch (request.op) {
    case 'saveClip':
      await store.saveClip(request.clip);
      return undefined;
    case 'getClip':
      return store.getClip(request.id);
    case 'listClips':
      return store.listClips(request.query);
    case 'deleteClip':
      await store.deleteClip(request.id);
      return undefined;
    case 'savePreset':
      await store.savePreset(request.preset);
      return undefined;
    case 'listPresets':
      return store.listPresets();
    case 'deletePreset':
      await store.deletePreset(request.id);
      return undefined;
    case 'snapshot':
      return store.snapshot();
    case 'importSnapshot':
      return store.importSnapshot(request.snapshot);
  }
}
