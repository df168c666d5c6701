/**
 * The provenance an exported file carries, as one plain JSON-safe record: per clip who wrote it (a
 * person, the model with its id, sha256, seed and settings and whether a person edited it
 * afterwards, or an imported MIDI file), per export a summary (how many of its notes the model
 * wrote and nobody changed, how many are in generated clips a person edited, how many people
 * wrote), and the mastering chain applied to the audio.
 *
 * Built from the song's own records: Clip.provenance (the generator's detail, see
 * renderer/generator/provenance.ts; the import's), Track.owner, and the generated notes a clip
 * was kept with (./generated-notes.ts). Every format writes the same record (./json.ts) in its own
 * places (./midi.ts, ./wav.ts, ./opus-tags.ts; MusicXML: ./fields.ts), and ./read-file.ts reads
 * it back from any of them.
 */
import type { Clip, Note, Provenance, Song, Track } from '../song/types.ts';
import { ticksPerBar } from '../time.ts';
import { checkGeneratedNotes } from './generated-notes.ts';

export const PROVENANCE_SCHEMA = 'riffroom-provenance/1';
export const PROVENANCE_SOFTWARE = 'Riffroom';

/** A setting of the model's request as written down: plain values only. */
export type SettingValue = string | number | boolean | null;

export interface ModelAuthor {
  kind: 'model';
  model: { id: string; sha256: string };
  seed: number | null;
  /** Task, role, style, key, meter, tempo, bars, energy, mode, sampling…: what it was asked for. */
  settings: Record<string, SettingValue>;
  /** The bandmate who asked for it and kept it, and when (ISO 8601); null when not recorded. */
  requestedBy: string | null;
  requestedAt: string | null;
  /** Whether a person changed its notes after it was kept; null: not known (kept before Riffroom recorded it). */
  editedByPerson: boolean | null;
}

export interface PersonAuthor {
  kind: 'person';
  /** The owner of the clip's track when it has one (the song does not record a clip's own writer). */
  name: string | null;
}

export interface ImportAuthor {
  kind: 'import';
  /** The MIDI file it came from, when known. */
  fileName: string | null;
}

export type ClipAuthor = ModelAuthor | PersonAuthor | ImportAuthor;

export interface ClipProvenance {
  name: string;
  track: string;
  /** First bar (0-based) and length in bars, as in the song. */
  startBar: number;
  lengthBars: number;
  /** Notes of the clip inside the export. */
  notes: number;
  author: ClipAuthor;
}

/** Notes inside the export, by where they came from. */
export interface NoteCounts {
  total: number;
  /** In model clips, exactly as the model wrote them. */
  modelAsGenerated: number;
  /** In model clips, added or changed by a person afterwards. */
  modelEdited: number;
  /** In model clips kept before edits were recorded: the model's, edited or not. */
  modelUnknown: number;
  /** In clips people wrote. */
  people: number;
  /** In clips imported from MIDI files. */
  imported: number;
}

export type NoteShares = Omit<NoteCounts, 'total'>;

export interface ProvenanceSummary {
  clips: { total: number; model: number; people: number; imported: number };
  notes: NoteCounts;
  /** Each count over the total, 0 … 1 rounded to 0.001 (all 0 without notes). */
  shares: NoteShares;
}

export type ExportedWhat = 'song' | 'stem' | 'clip';
export type ExportedContent = 'audio' | 'notation';

export interface ProvenanceRecord {
  schema: typeof PROVENANCE_SCHEMA;
  software: typeof PROVENANCE_SOFTWARE;
  title: string;
  /** The whole mix or song, one track's stem, or one clip. */
  what: ExportedWhat;
  /** Sound (WAV, Opus: a mastering chain applies) or notes (MIDI, MusicXML). */
  content: ExportedContent;
  /** The bars exported, 0-based, `to` exclusive. */
  bars: { from: number; to: number };
  /** For a stem or a clip: the track's name. */
  track: string | null;
  summary: ProvenanceSummary;
  clips: ClipProvenance[];
  /** The mastering chain applied to this audio (as the mastering step describes it); null: none, or not audio. */
  mastering: Record<string, unknown> | null;
}

export interface RecordOptions {
  what?: ExportedWhat;
  /** Default: notation. */
  content?: ExportedContent;
  /** Bars to cover (default: the whole song). */
  range?: { fromBar: number; toBar: number };
  /** Only this track's clips (a stem). */
  trackId?: string;
  /** Only this clip. */
  clipId?: string;
  mastering?: Record<string, unknown> | null;
}

/** The provenance of a song's export, from the song's own records. */
export function provenanceRecord(song: Song, options: RecordOptions = {}): ProvenanceRecord {
  const barTicks = ticksPerBar(song.meta.meter);
  const tracks = new Map(song.tracks.map((t) => [t.id, t]));
  const songEnd = Math.max(0, ...song.clips.map((c) => c.startBar + c.lengthBars));
  const range = options.range ?? { fromBar: 0, toBar: songEnd };
  const chosen = song.clips.filter(
    (c) =>
      tracks.has(c.trackId) &&
      (options.trackId === undefined || c.trackId === options.trackId) &&
      (options.clipId === undefined || c.id === options.clipId) &&
      c.startBar < range.toBar &&
      c.startBar + c.lengthBars > range.fromBar,
  );
  const counts: NoteCounts = { total: 0, modelAsGenerated: 0, modelEdited: 0, modelUnknown: 0, people: 0, imported: 0 };
  const clips = chosen.map((clip) => {
    const track = tracks.get(clip.trackId)!;
    const clipTicks = clip.lengthBars * barTicks;
    const start = clip.startBar * barTicks;
    const inside = (n: Pick<Note, 'tick'>) =>
      n.tick < clipTicks && start + n.tick >= range.fromBar * barTicks && start + n.tick < range.toBar * barTicks;
    const notes = clip.notes.filter(inside);
    const author = authorOf(clip, track, notes, inside, counts);
    counts.total += notes.length;
    return { name: clip.name, track: track.name, startBar: clip.startBar, lengthBars: clip.lengthBars, notes: notes.length, author };
  });
  const track = options.trackId ?? chosen[0]?.trackId;
  return {
    schema: PROVENANCE_SCHEMA,
    software: PROVENANCE_SOFTWARE,
    title: song.meta.title,
    what: options.what ?? 'song',
    content: options.content ?? 'notation',
    bars: { from: range.fromBar, to: range.toBar },
    track: options.what === 'stem' || options.what === 'clip' ? (tracks.get(track ?? '')?.name ?? null) : null,
    summary: {
      clips: {
        total: clips.length,
        model: clips.filter((c) => c.author.kind === 'model').length,
        people: clips.filter((c) => c.author.kind === 'person').length,
        imported: clips.filter((c) => c.author.kind === 'import').length,
      },
      notes: counts,
      shares: sharesOf(counts),
    },
    clips,
    mastering: options.mastering ?? null,
  };
}

/** The same record with a mastering chain (the audio's; stems and MIDI have none). */
export function withMastering(record: ProvenanceRecord, mastering: Record<string, unknown> | null | undefined): ProvenanceRecord {
  return { ...record, mastering: mastering ?? null };
}

export function sharesOf(counts: NoteCounts): NoteShares {
  const share = (n: number) => (counts.total ? Math.round((n / counts.total) * 1000) / 1000 : 0);
  return {
    modelAsGenerated: share(counts.modelAsGenerated),
    modelEdited: share(counts.modelEdited),
    modelUnknown: share(counts.modelUnknown),
    people: share(counts.people),
    imported: share(counts.imported),
  };
}

function authorOf(clip: Clip, track: Track, notes: Note[], inside: (n: Pick<Note, 'tick'>) => boolean, counts: NoteCounts): ClipAuthor {
  const source = clip.provenance?.source ?? 'user';
  if (source === 'model') {
    const check = checkGeneratedNotes(clip.provenance, notes, inside);
    if (check.edited === null) counts.modelUnknown += notes.length;
    else {
      counts.modelAsGenerated += check.asGenerated;
      counts.modelEdited += check.changed;
    }
    return { kind: 'model', ...modelDetail(clip.provenance!), editedByPerson: check.edited };
  }
  if (source === 'import') {
    counts.imported += notes.length;
    const fileName = clip.provenance?.detail?.fileName;
    return { kind: 'import', fileName: typeof fileName === 'string' ? fileName : null };
  }
  counts.people += notes.length;
  return { kind: 'person', name: track.owner ?? null };
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const KEY_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];

/**
 * What the generator recorded (renderer/generator/provenance.ts, 'riffroom-generator/1'), read
 * leniently: a bandmate's document is untrusted, and a missing field is written as unknown.
 */
function modelDetail(provenance: Provenance): Omit<ModelAuthor, 'kind' | 'editedByPerson'> {
  const d = isObject(provenance.detail) ? provenance.detail : {};
  const model = isObject(d.model) ? d.model : {};
  const request = isObject(d.request) ? d.request : {};
  const conditions = isObject(d.conditions) ? d.conditions : {};
  const sampling = isObject(d.sampling) ? d.sampling : isObject(request.sampling) ? request.sampling : {};
  const take = isObject(d.take) ? d.take : {};
  const settings: Record<string, SettingValue> = {};
  const put = (name: string, value: unknown) => {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      settings[name] = value;
  };
  put('task', d.task ?? request.task);
  put('role', d.role ?? request.role);
  for (const [name, value] of Object.entries(conditions)) {
    if (name === 'key') settings.key = isObject(value) ? keyName(value) : null;
    else if (name === 'meter') settings.meter = isObject(value) ? `${String(value.numerator)}/${String(value.denominator)}` : null;
    else put(name, value);
  }
  for (const [name, value] of Object.entries(sampling)) put(name, value);
  put('variation', typeof take.variation === 'number' ? take.variation + 1 : undefined);
  put('variations', request.variations);
  put('provider', d.provider);
  const seed = d.seed ?? request.seed;
  return {
    model: { id: text(model.id) ?? 'unknown', sha256: text(model.sha256) ?? 'unknown' },
    seed: Number.isSafeInteger(seed) && (seed as number) >= 0 ? (seed as number) : null,
    settings,
    requestedBy: text(d.requestedBy),
    requestedAt: text(d.requestedAt),
  };
}

function keyName(key: Record<string, unknown>): string | null {
  if (typeof key.tonic !== 'number' || typeof key.mode !== 'string') return null;
  return `${KEY_NAMES[((key.tonic % 12) + 12) % 12]} ${key.mode}`;
}
