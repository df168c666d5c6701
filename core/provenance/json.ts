/**
 * The record as JSON, and back. Decoding checks the shape field by field: a file is untrusted
 * input, and whoever shows its provenance must be able to rely on every field it reads.
 */
import {
  PROVENANCE_SCHEMA,
  PROVENANCE_SOFTWARE,
  sharesOf,
  type ClipAuthor,
  type ClipProvenance,
  type NoteCounts,
  type ProvenanceRecord,
  type SettingValue,
} from './record.ts';

/** A provenance payload that is there but cannot be read: says what is wrong with it. */
export class ProvenanceFormatError extends Error {
  override name = 'ProvenanceFormatError';
}

/** Compact JSON (one line): the same record gives the same bytes. */
export function encodeProvenance(record: ProvenanceRecord): string {
  return JSON.stringify(record);
}

export function decodeProvenance(json: string): ProvenanceRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ProvenanceFormatError(`the provenance is not JSON (${(error as Error).message})`);
  }
  return checkRecord(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function fail(what: string): never {
  throw new ProvenanceFormatError(`the provenance's ${what} is missing or malformed`);
}

function field<T>(obj: Record<string, unknown>, name: string, ok: (v: unknown) => v is T, what = name): T {
  const v = obj[name];
  if (!ok(v)) fail(what);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isBoolOrNull = (v: unknown): v is boolean | null => v === null || typeof v === 'boolean';

export function checkRecord(value: unknown): ProvenanceRecord {
  if (!isObject(value)) fail('record');
  if (value.schema !== PROVENANCE_SCHEMA) {
    throw new ProvenanceFormatError(
      typeof value.schema === 'string' && value.schema.startsWith('riffroom-provenance/')
        ? `the provenance is in a newer format (${value.schema}) than this Riffroom reads (${PROVENANCE_SCHEMA})`
        : 'the provenance does not name its format (riffroom-provenance/1)',
    );
  }
  const bars = field(value, 'bars', isObject);
  const summary = field(value, 'summary', isObject);
  const clipCounts = field(summary, 'clips', isObject, 'clip counts');
  const notes = checkCounts(field(summary, 'notes', isObject, 'note counts'));
  const what = value.what;
  if (what !== 'song' && what !== 'stem' && what !== 'clip') fail('kind of export');
  const content = value.content;
  if (content !== 'audio' && content !== 'notation') fail('kind of content');
  const clips = field(value, 'clips', Array.isArray, 'clip list').map((c, i) => checkClip(c, i));
  const mastering = value.mastering;
  if (mastering !== null && !isObject(mastering)) fail('mastering chain');
  return {
    schema: PROVENANCE_SCHEMA,
    software: PROVENANCE_SOFTWARE,
    title: field(value, 'title', isString),
    what,
    content,
    bars: { from: field(bars, 'from', isCount, 'bars'), to: field(bars, 'to', isCount, 'bars') },
    track: field(value, 'track', isStringOrNull),
    summary: {
      clips: {
        total: field(clipCounts, 'total', isCount, 'clip counts'),
        model: field(clipCounts, 'model', isCount, 'clip counts'),
        people: field(clipCounts, 'people', isCount, 'clip counts'),
        imported: field(clipCounts, 'imported', isCount, 'clip counts'),
      },
      notes,
      // Recomputed from the counts rather than trusted.
      shares: sharesOf(notes),
    },
    clips,
    mastering: mastering as Record<string, unknown> | null,
  };
}

function checkCounts(obj: Record<string, unknown>): NoteCounts {
  const counts: NoteCounts = {
    total: field(obj, 'total', isCount, 'note counts'),
    modelAsGenerated: field(obj, 'modelAsGenerated', isCount, 'note counts'),
    modelEdited: field(obj, 'modelEdited', isCount, 'note counts'),
    modelUnknown: field(obj, 'modelUnknown', isCount, 'note counts'),
    people: field(obj, 'people', isCount, 'note counts'),
    imported: field(obj, 'imported', isCount, 'note counts'),
  };
  const sum = counts.modelAsGenerated + counts.modelEdited + counts.modelUnknown + counts.people + counts.imported;
  if (sum !== counts.total) throw new ProvenanceFormatError(`the provenance's note counts add up to ${sum}, not its total ${counts.total}`);
  return counts;
}

function checkClip(value: unknown, index: number): ClipProvenance {
  const what = `clip ${index + 1}`;
  if (!isObject(value)) fail(what);
  const author = field(value, 'author', isObject, `${what}'s author`);
  return {
    name: field(value, 'name', isString, `${what}'s name`),
    track: field(value, 'track', isString, `${what}'s track`),
    startBar: field(value, 'startBar', isCount, `${what}'s bars`),
    lengthBars: field(value, 'lengthBars', isCount, `${what}'s bars`),
    notes: field(value, 'notes', isCount, `${what}'s note count`),
    author: checkAuthor(author, what),
  };
}

function checkAuthor(a: Record<string, unknown>, what: string): ClipAuthor {
  if (a.kind === 'person') return { kind: 'person', name: field(a, 'name', isStringOrNull, `${what}'s author`) };
  if (a.kind === 'import') return { kind: 'import', fileName: field(a, 'fileName', isStringOrNull, `${what}'s source file`) };
  if (a.kind !== 'model') fail(`${what}'s author`);
  const model = field(a, 'model', isObject, `${what}'s model`);
  const seed = a.seed;
  if (seed !== null && !isCount(seed)) fail(`${what}'s seed`);
  const settings = field(a, 'settings', isObject, `${what}'s settings`);
  for (const v of Object.values(settings)) {
    if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v))) fail(`${what}'s settings`);
  }
  return {
    kind: 'model',
    model: { id: field(model, 'id', isString, `${what}'s model id`), sha256: field(model, 'sha256', isString, `${what}'s model sha256`) },
    seed,
    settings: settings as Record<string, SettingValue>,
    requestedBy: field(a, 'requestedBy', isStringOrNull, `${what}'s requester`),
    requestedAt: field(a, 'requestedAt', isStringOrNull, `${what}'s time`),
    editedByPerson: field(a, 'editedByPerson', isBoolOrNull, `${what}'s edited flag`),
  };
}
