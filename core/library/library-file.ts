/**
 * The library as one file, to move machines: UTF-8 JSON `{ format, version, exportedAt, clips,
 * presets }`. An import is untrusted input (a file from anywhere): every clip and preset is checked
 * field by field, and a file that fails is refused whole with a sentence saying what is wrong and
 * where — nothing of it is added.
 */
import { KEY_MODES, TRACK_ROLES, type NoteInput } from '../song/types.ts';
import type { ClipMetadata, LibraryChord, LibraryClip, LibraryProvenance, LibrarySnapshot, PresetRiff, PromptPreset } from './types.ts';

export const LIBRARY_FILE_FORMAT = 'riffroom-library';
export const LIBRARY_FILE_VERSION = 1;
export const LIBRARY_FILE_EXTENSION = '.riffroom-library';

export const LIBRARY_LIMITS = {
  clips: 100_000,
  presets: 10_000,
  notesPerClip: 20_000,
  chordsPerClip: 2_000,
  bars: 256,
  tags: 32,
  textChars: 200,
  /** An export file larger than this is refused before it is parsed. */
  fileBytes: 512 * 1024 * 1024,
} as const;

export class LibraryFileError extends Error {
  override name = 'LibraryFileError';
}

interface LibraryFileJson extends LibrarySnapshot {
  format: typeof LIBRARY_FILE_FORMAT;
  version: number;
  exportedAt: string;
}

/** The file's text (callers write it as UTF-8). */
export function encodeLibraryFile(snapshot: LibrarySnapshot, now = new Date()): string {
  const file: LibraryFileJson = {
    format: LIBRARY_FILE_FORMAT,
    version: LIBRARY_FILE_VERSION,
    exportedAt: now.toISOString(),
    clips: snapshot.clips,
    presets: snapshot.presets,
  };
  return JSON.stringify(file);
}

/**
 * The snapshot a library file holds, or a LibraryFileError saying why it is refused. `text` is the
 * file decoded as UTF-8 by the caller (null: the bytes were not UTF-8; TextDecoder's `fatal`).
 */
export function decodeLibraryFile(text: string | null): LibrarySnapshot {
  if (text !== null && text.length > LIBRARY_LIMITS.fileBytes)
    throw new LibraryFileError(`This library file is larger than ${LIBRARY_LIMITS.fileBytes} bytes.`);
  let json: unknown;
  try {
    if (text === null) throw new Error('not UTF-8');
    json = JSON.parse(text);
  } catch {
    throw new LibraryFileError('This is not a Riffroom library file: it is not readable JSON text (damaged, or another kind of file).');
  }
  const file = json as Partial<LibraryFileJson> | null;
  if (!isObject(file) || file.format !== LIBRARY_FILE_FORMAT)
    throw new LibraryFileError('This is not a Riffroom library file (it does not say "riffroom-library").');
  if (typeof file.version !== 'number' || file.version > LIBRARY_FILE_VERSION)
    throw new LibraryFileError(
      `This library file was made by a newer Riffroom (version ${String(file.version)}); update Riffroom to import it.`,
    );
  return checkSnapshot(file);
}

/** A snapshot's clips and presets checked (for imports and for stores reading their own rows). */
export function checkSnapshot(value: unknown): LibrarySnapshot {
  const file = value as Partial<LibrarySnapshot>;
  if (!Array.isArray(file.clips) || !Array.isArray(file.presets))
    throw new LibraryFileError('The library file has no list of clips or presets.');
  if (file.clips.length > LIBRARY_LIMITS.clips) throw new LibraryFileError(`The library file has more than ${LIBRARY_LIMITS.clips} clips.`);
  if (file.presets.length > LIBRARY_LIMITS.presets)
    throw new LibraryFileError(`The library file has more than ${LIBRARY_LIMITS.presets} presets.`);
  return {
    clips: file.clips.map((c, i) => checkLibraryClip(c, `clip ${i + 1}`)),
    presets: file.presets.map((p, i) => checkPreset(p, `preset ${i + 1}`)),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new LibraryFileError(`The library file is damaged: ${where} ${what}.`);
}

function str(v: unknown, where: string, field: string, max: number = LIBRARY_LIMITS.textChars): string {
  if (typeof v !== 'string' || v.length > max) fail(where, `has no valid ${field}`);
  return v;
}

function int(v: unknown, where: string, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(where, `has a ${field} that is not a whole number from ${min} to ${max}`);
  return v;
}

function num(v: unknown, where: string, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    fail(where, `has a ${field} that is not a number from ${min} to ${max}`);
  return v;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], where: string, field: string): T {
  if (!options.includes(v as T)) fail(where, `has an unknown ${field} (${String(v).slice(0, 40)})`);
  return v as T;
}

function meterOf(v: unknown, where: string) {
  const m = isObject(v) ? v : fail(where, 'has no meter');
  const denominator = m.denominator;
  if (denominator !== 2 && denominator !== 4 && denominator !== 8 && denominator !== 16)
    fail(where, 'has a meter whose beat is not 2, 4, 8 or 16');
  return { numerator: int(m.numerator, where, 'meter', 1, 32), denominator };
}

function notesOf(v: unknown, where: string): NoteInput[] {
  if (!Array.isArray(v) || v.length > LIBRARY_LIMITS.notesPerClip) fail(where, 'has no valid list of notes');
  return v.map((n: unknown) => {
    const note = isObject(n) ? n : fail(where, 'has a note that is not one');
    return {
      pitch: int(note.pitch, where, 'note pitch', 0, 127),
      tick: int(note.tick, where, 'note start', 0, 2 ** 31),
      duration: int(note.duration, where, 'note length', 1, 2 ** 31),
      velocity: int(note.velocity, where, 'note velocity', 1, 127),
    };
  });
}

function chordsOf(v: unknown, where: string): LibraryChord[] {
  if (!Array.isArray(v) || v.length > LIBRARY_LIMITS.chordsPerClip) fail(where, 'has no valid list of chords');
  return v.map((c: unknown) => {
    const chord = isObject(c) ? c : fail(where, 'has a chord that is not one');
    return {
      tick: int(chord.tick, where, 'chord start', 0, 2 ** 31),
      duration: int(chord.duration, where, 'chord length', 1, 2 ** 31),
      symbol: str(chord.symbol, where, 'chord symbol', 32),
    };
  });
}

function explained<T>(v: unknown, where: string, field: string, read: (x: unknown) => T) {
  const e = isObject(v) ? v : fail(where, `has no ${field}`);
  return { value: read(e.value), because: str(e.because, where, `${field} explanation`, 500) };
}

const keyOf = (where: string) => (v: unknown) => {
  const k = isObject(v) ? v : fail(where, 'has no key');
  return { tonic: int(k.tonic, where, 'key tonic', 0, 11), mode: oneOf(k.mode, KEY_MODES, where, 'key mode') };
};

function metadataOf(v: unknown, where: string): ClipMetadata {
  const m = isObject(v) ? v : fail(where, 'has no metadata');
  const key =
    m.key === null
      ? null
      : {
          ...explained(m.key, where, 'key', keyOf(where)),
          confidence: num((m.key as Record<string, unknown>).confidence, where, 'key confidence', 0, 1),
        };
  if (!Array.isArray(m.moods) || m.moods.length > LIBRARY_LIMITS.tags) fail(where, 'has no valid mood tags');
  return {
    key,
    role: explained(m.role, where, 'role', (r) => oneOf(r, TRACK_ROLES, where, 'role')),
    tempo: explained(m.tempo, where, 'tempo', (t) => num(t, where, 'tempo', 20, 400)),
    meter: meterOf(m.meter, where),
    energy: explained(m.energy, where, 'energy', (e) => int(e, where, 'energy', 0, 4)),
    moods: m.moods.map((mood: unknown) => explained(mood, where, 'mood', (t) => str(t, where, 'mood', 40))),
  };
}

function provenanceOf(v: unknown, where: string): LibraryProvenance {
  const p = isObject(v) ? v : fail(where, 'has no provenance');
  const out: LibraryProvenance = {
    source: oneOf(p.source, ['user', 'model', 'import'] as const, where, 'source'),
    author: str(p.author, where, 'author'),
    sourceSong: str(p.sourceSong, where, 'source song'),
  };
  if (p.model !== undefined && p.model !== null) {
    const m = isObject(p.model) ? p.model : fail(where, 'has a model that is not one');
    out.model = { id: str(m.id, where, 'model id'), sha256: str(m.sha256, where, 'model hash', 64) };
  } else if (p.model === null) out.model = null;
  if (p.seed !== undefined) out.seed = p.seed === null ? null : int(p.seed, where, 'seed', 0, 0xffffffff);
  if (p.settings !== undefined)
    out.settings = p.settings === null ? null : isObject(p.settings) ? p.settings : fail(where, 'has settings that are not a record');
  return out;
}

function tagsOf(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.length > LIBRARY_LIMITS.tags) fail(where, 'has no valid tags');
  return v.map((t) => str(t, where, 'tag', 40));
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function idOf(v: unknown, where: string): string {
  if (typeof v !== 'string' || !ID.test(v)) fail(where, 'has no valid id');
  return v;
}

export function checkLibraryClip(value: unknown, where = 'the clip'): LibraryClip {
  const c = isObject(value) ? value : fail(where, 'is not a clip');
  return {
    id: idOf(c.id, where),
    name: str(c.name, where, 'name', 100),
    notes: notesOf(c.notes, where),
    lengthBars: int(c.lengthBars, where, 'length in bars', 1, LIBRARY_LIMITS.bars),
    meter: meterOf(c.meter, where),
    chords: chordsOf(c.chords, where),
    role: oneOf(c.role, TRACK_ROLES, where, 'role'),
    instrument: str(c.instrument, where, 'instrument', 100),
    style: str(c.style, where, 'style', 40),
    provenance: provenanceOf(c.provenance, where),
    tags: tagsOf(c.tags, where),
    metadata: metadataOf(c.metadata, where),
    savedBy: str(c.savedBy, where, 'saver'),
    savedAt: str(c.savedAt, where, 'save time', 40),
  };
}

function riffOf(v: unknown, where: string): PresetRiff | null {
  if (v === null || v === undefined) return null;
  const r = isObject(v) ? v : fail(where, 'has a riff that is not one');
  return {
    name: str(r.name, where, 'riff name', 100),
    notes: notesOf(r.notes, where),
    lengthBars: int(r.lengthBars, where, 'riff length', 1, LIBRARY_LIMITS.bars),
    meter: meterOf(r.meter, where),
    madeAt: str(r.madeAt, where, 'riff time', 40),
  };
}

export function checkPreset(value: unknown, where = 'the preset'): PromptPreset {
  const p = isObject(value) ? value : fail(where, 'is not a preset');
  return {
    id: idOf(p.id, where),
    name: str(p.name, where, 'name', 100),
    settings: isObject(p.settings) ? p.settings : fail(where, 'has no settings'),
    createdAt: str(p.createdAt, where, 'creation time', 40),
    updatedAt: str(p.updatedAt, where, 'update time', 40),
    lastRiff: riffOf(p.lastRiff, where),
  };
}
