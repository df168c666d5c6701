/**
 * How well the metadata that fills itself in (core/analysis) agrees with our datasets'
 * annotations, read with the training pipeline's readers (models/training/sources):
 *
 * - Key: POP909's key_audio.txt (the key that lasts longest in the song, for the 17% of songs
 *   that modulate) against the key detected from all of the song's MIDI notes; OpenEWLD's score
 *   key signature (features.csv's tonality for the 9 scores without one) against the key detected
 *   from the lead sheet's melody alone, and from the melody with its chord symbols. Exact, near (a fifth either way or the relative key) and
 *   MIREX's weighted score, and exact accuracy per confidence word.
 * - Roles: POP909's MELODY and BRIDGE tracks are leads and PIANO is keys (as the file reads them:
 *   every track is program 0 on its own channel, so only the notes tell them apart); the bass
 *   line the POP909 reader derives from the piano's left hand is a bass (a derived part, shown
 *   apart); Groove's performances are drums; OpenEWLD's melodies are leads (no channel, no program).
 * - Tempo and meter: Groove's info.csv bpm and time signature against the MIDI file's meta events.
 *
 * Held out: the validation split of models/training/splits.ts (Groove: the dataset's own
 * `validation` split; its `test` split is withheld from our copy), which no threshold of
 * core/analysis was set on; the whole dataset is reported beside it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isNearKey, keyRelation, mirexKeyScore, type KeyRelation } from '../../core/analysis/key-compare.ts';
import { analyseMidi, type MusicMetadata } from '../../core/analysis/metadata.ts';
import type { MoodTag } from '../../core/analysis/mood.ts';
import { detectKey, type KeyConfidence, type SoundingChord } from '../../core/analysis/key.ts';
import { chordPitchClasses } from '../../core/theory/chords.ts';
import { ticksPerBar } from '../../core/time.ts';
import { detectTrackRole } from '../../core/analysis/track-role.ts';
import { readMidi } from '../../core/midi/midi-read.ts';
import type { Key, TrackRole } from '../../core/song/types.ts';
import type { Piece, PieceKey } from '../../models/training/piece.ts';
import { splitOf } from '../../models/training/splits.ts';
import { readGrooveRow } from '../../models/training/sources/groove.ts';
import { readOpenEwld } from '../../models/training/sources/openewld.ts';
import { readPop909Song } from '../../models/training/sources/pop909.ts';
import { readCsv } from '../../models/training/sources/text-files.ts';

export type Subset = 'heldout' | 'all';

export interface KeyCase {
  id: string;
  heldout: boolean;
  reference: Key;
  estimate: Key | null;
  confidence: KeyConfidence | null;
}

export interface RoleCase {
  id: string;
  heldout: boolean;
  /** What the annotation calls the part: "MELODY", "groove drums", ... */
  part: string;
  expected: TrackRole;
  detected: TrackRole;
}

export interface TimeCase {
  id: string;
  heldout: boolean;
  bpm: { annotated: number; file: number };
  meter: { annotated: string; file: string };
}

export interface Cases {
  keys: Record<string, KeyCase[]>;
  roles: Record<string, RoleCase[]>;
  time: Record<string, TimeCase[]>;
  /** Milliseconds to analyse one POP909 song's MIDI (read excluded), per song. */
  analyseMs: number[];
  /** Per dataset, each analysed file's metadata in brief: how tags and energy levels spread. */
  tags: Record<string, TagCase[]>;
  skipped: { file: string; reason: string }[];
}

/** What the library would show of one file: mood tags, per-track energy, and the annotated mode. */
export interface TagCase {
  moods: MoodTag[];
  energy: { role: TrackRole; level: number }[];
  annotatedMode: 'major' | 'minor' | null;
}

export interface MeasureOptions {
  /** At most this many items per dataset, spread evenly over the sorted list (a quick run). */
  limit?: number;
}

/** `count` items spread evenly over the list, or all of them. */
export function spread<T>(items: readonly T[], count: number | undefined): T[] {
  if (!count || count >= items.length) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

/** The key that lasts longest over the piece (its first key when the annotation has no durations). */
export function longestKey(keys: readonly PieceKey[], endTick: number): Key | null {
  const lasting = new Map<string, { key: Key; ticks: number }>();
  keys.forEach((k, i) => {
    const id = `${k.key.tonic}:${k.key.mode}`;
    const entry = lasting.get(id) ?? { key: k.key, ticks: 0 };
    entry.ticks += Math.max(0, (keys[i + 1]?.tick ?? endTick) - k.tick);
    lasting.set(id, entry);
  });
  let best: { key: Key; ticks: number } | null = null;
  for (const entry of lasting.values()) if (!best || entry.ticks > best.ticks) best = entry;
  return best?.key ?? null;
}

const POP909_ROLES: Record<string, TrackRole> = { MELODY: 'lead', BRIDGE: 'lead', PIANO: 'keys' };

function measurePop909(dir: string, options: MeasureOptions, cases: Cases): void {
  const root = join(dir, 'POP909');
  if (!existsSync(root)) return;
  const ids = spread(
    readdirSync(root)
      .filter((name) => /^\d+$/.test(name))
      .sort(),
    options.limit,
  );
  const keys: KeyCase[] = (cases.keys.pop909 = []);
  const roles: RoleCase[] = (cases.roles.pop909 = []);
  for (const id of ids) {
    const folder = join(root, id);
    let piece: Piece;
    try {
      piece = readPop909Song(folder, id);
    } catch (error) {
      cases.skipped.push({ file: folder, reason: (error as Error).message });
      continue;
    }
    const heldout = splitOf(piece) === 'valid';
    const midi = readMidi(readFileSync(join(folder, `${id}.mid`)));
    const started = performance.now();
    const meta = analyseMidi(midi);
    cases.analyseMs.push(performance.now() - started);
    const reference = longestKey(piece.keys, piece.lengthBars * 1920);
    if (reference)
      keys.push({ id: piece.id, heldout, reference, estimate: meta.key?.key ?? null, confidence: meta.key?.confidence ?? null });
    (cases.tags.pop909 ??= []).push(tagCase(meta, reference?.mode ?? null));
    meta.tracks.forEach((track) => {
      const expected = POP909_ROLES[track.name.toUpperCase()];
      if (expected) roles.push({ id: piece.id, heldout, part: track.name.toUpperCase(), expected, detected: track.role });
    });
    const bass = piece.tracks.find((t) => t.role === 'bass');
    if (bass && bass.notes.length > 0) {
      const detected = detectTrackRole({ channel: null, program: null, notes: bass.notes }, piece.meter).role;
      roles.push({ id: piece.id, heldout, part: 'derived bass', expected: 'bass', detected });
    }
  }
}

function measureGroove(dir: string, options: MeasureOptions, cases: Cases): void {
  const info = join(dir, 'info.csv');
  if (!existsSync(info)) return;
  const rows = spread(
    readCsv(info).filter((r) => r.split === 'train' || r.split === 'validation'),
    options.limit,
  );
  const roles: RoleCase[] = (cases.roles.groove = []);
  const time: TimeCase[] = (cases.time.groove = []);
  for (const row of rows) {
    const file = join(dir, row.midi_filename ?? '');
    let piece: Piece;
    try {
      // The training reader decides which rows are usable and reads the annotations (split, meter).
      piece = readGrooveRow(dir, row);
    } catch (error) {
      cases.skipped.push({ file, reason: (error as Error).message });
      continue;
    }
    const heldout = splitOf(piece) === 'valid';
    // The metadata is read from the file as the app imports it, not from the reader's drum map.
    const midi = readMidi(readFileSync(file));
    const meta = analyseMidi(midi);
    (cases.tags.groove ??= []).push(tagCase(meta, null));
    for (const track of meta.tracks) roles.push({ id: piece.id, heldout, part: 'groove drums', expected: 'drums', detected: track.role });
    time.push({
      id: piece.id,
      heldout,
      bpm: { annotated: Number(row.bpm), file: midi.bpm },
      meter: {
        annotated: `${piece.meter.numerator}/${piece.meter.denominator}`,
        file: `${midi.meter.numerator}/${midi.meter.denominator}`,
      },
    });
  }
}

function measureOpenEwld(dir: string, options: MeasureOptions, cases: Cases): void {
  if (!existsSync(dir)) return;
  const { pieces, skipped } = readOpenEwld(dir);
  cases.skipped.push(...skipped);
  const melodyKeys: KeyCase[] = (cases.keys['openewld melody'] = []);
  const keys: KeyCase[] = (cases.keys['openewld melody+chords'] = []);
  const roles: RoleCase[] = (cases.roles.openewld = []);
  for (const piece of spread(pieces, options.limit)) {
    const heldout = splitOf(piece) === 'valid';
    const melody = piece.tracks[0]!.notes;
    const reference = piece.keys[0]!.key;
    const alone = detectKey(melody);
    melodyKeys.push({ id: piece.id, heldout, reference, estimate: alone?.key ?? null, confidence: alone?.confidence ?? null });
    const estimate = detectKey(melody, soundingChords(piece));
    keys.push({ id: piece.id, heldout, reference, estimate: estimate?.key ?? null, confidence: estimate?.confidence ?? null });
    const detected = detectTrackRole({ channel: null, program: null, notes: melody }, piece.meter).role;
    roles.push({ id: piece.id, heldout, part: 'melody', expected: 'lead', detected });
  }
}

function tagCase(meta: MusicMetadata, annotatedMode: TagCase['annotatedMode']): TagCase {
  return { moods: meta.moods.map((m) => m.tag), energy: meta.tracks.map((t) => ({ role: t.role, level: t.energy.level })), annotatedMode };
}

/** A piece's chord symbols, each lasting until the next (the last until the piece ends). */
function soundingChords(piece: Piece): SoundingChord[] {
  const end = piece.lengthBars * ticksPerBar(piece.meter);
  const chords: SoundingChord[] = [];
  piece.chords.forEach((chord, i) => {
    if (chord.root === null) return;
    chords.push({
      pitchClasses: chordPitchClasses({ root: chord.root, quality: chord.quality }),
      duration: (piece.chords[i + 1]?.tick ?? end) - chord.tick,
    });
  });
  return chords;
}

/** Reads the datasets under `datasetsDir` (any may be missing) and analyses every song. */
export function collectCases(datasetsDir: string, options: MeasureOptions = {}): Cases {
  const cases: Cases = { keys: {}, roles: {}, time: {}, analyseMs: [], tags: {}, skipped: [] };
  measurePop909(join(datasetsDir, 'pop909'), options, cases);
  measureGroove(join(datasetsDir, 'groove_midi', 'groove'), options, cases);
  measureOpenEwld(join(datasetsDir, 'openewld'), options, cases);
  return cases;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const share = (count: number, total: number): number | null => (total === 0 ? null : round(count / total));

export interface KeyScores {
  songs: number;
  exact: number | null;
  /** Same key, a fifth either way, or the relative key. */
  near: number | null;
  /** MIREX weighted score: 1 same, 0.5 fifth above, 0.3 relative, 0.2 parallel. */
  mirex: number | null;
  relations: Partial<Record<KeyRelation | 'none', number>>;
  byConfidence: Partial<Record<KeyConfidence, { songs: number; exact: number | null }>>;
}

export function scoreKeys(cases: readonly KeyCase[]): KeyScores {
  const relations: KeyScores['relations'] = {};
  const byConfidence: Record<string, { songs: number; hits: number }> = {};
  let exact = 0;
  let near = 0;
  let mirex = 0;
  for (const c of cases) {
    const relation = c.estimate ? keyRelation(c.estimate, c.reference) : 'none';
    relations[relation] = (relations[relation] ?? 0) + 1;
    if (relation === 'same') exact++;
    if (c.estimate && isNearKey(c.estimate, c.reference)) near++;
    if (c.estimate) mirex += mirexKeyScore(c.estimate, c.reference);
    if (c.confidence) {
      const bucket = (byConfidence[c.confidence] ??= { songs: 0, hits: 0 });
      bucket.songs++;
      if (relation === 'same') bucket.hits++;
    }
  }
  return {
    songs: cases.length,
    exact: share(exact, cases.length),
    near: share(near, cases.length),
    mirex: share(mirex, cases.length),
    relations,
    byConfidence: Object.fromEntries(
      (['high', 'medium', 'low'] as const)
        .filter((c) => byConfidence[c])
        .map((c) => [c, { songs: byConfidence[c]!.songs, exact: share(byConfidence[c]!.hits, byConfidence[c]!.songs) }]),
    ),
  };
}

export interface RoleScores {
  tracks: number;
  accuracy: number | null;
  /** Per annotated part: how many, the share right, and what the misses were called. */
  parts: Record<string, { tracks: number; accuracy: number | null; expected: TrackRole; detectedAs: Partial<Record<TrackRole, number>> }>;
}

export function scoreRoles(cases: readonly RoleCase[]): RoleScores {
  const parts: RoleScores['parts'] = {};
  let right = 0;
  for (const c of cases) {
    const part = (parts[c.part] ??= { tracks: 0, accuracy: 0, expected: c.expected, detectedAs: {} });
    part.tracks++;
    part.detectedAs[c.detected] = (part.detectedAs[c.detected] ?? 0) + 1;
    if (c.detected === c.expected) right++;
  }
  for (const part of Object.values(parts)) part.accuracy = share(part.detectedAs[part.expected] ?? 0, part.tracks);
  return { tracks: cases.length, accuracy: share(right, cases.length), parts };
}

export function scoreTime(cases: readonly TimeCase[]): { files: number; bpmWithin1: number | null; meterExact: number | null } {
  return {
    files: cases.length,
    bpmWithin1: share(cases.filter((c) => Math.abs(c.bpm.annotated - c.bpm.file) <= 1).length, cases.length),
    meterExact: share(cases.filter((c) => c.meter.annotated === c.meter.file).length, cases.length),
  };
}

type BySubset<T> = Record<Subset, T>;

export interface MetadataReport {
  key: Record<string, BySubset<KeyScores>>;
  roles: Record<string, BySubset<RoleScores>> & { combined: BySubset<RoleScores> };
  tempoMeter: Record<string, BySubset<ReturnType<typeof scoreTime>>>;
  analyseMsPerSong: { p50: number; max: number } | null;
  tags: Record<string, TagScores>;
  skipped: number;
}

export interface TagScores {
  files: number;
  /** Share of files given each mood tag. */
  moods: Partial<Record<MoodTag, number>>;
  /** Per detected role, how many tracks fall on each energy level 0..4. */
  energy: Partial<Record<TrackRole, number[]>>;
  /** Of the files with an annotated key and a bright or dark tag: bright on major, dark on minor. */
  brightDarkAgreesWithMode: number | null;
}

export function scoreTags(cases: readonly TagCase[]): TagScores {
  const moods: Partial<Record<MoodTag, number>> = {};
  const energy: Partial<Record<TrackRole, number[]>> = {};
  let tagged = 0;
  let agree = 0;
  for (const c of cases) {
    for (const tag of c.moods) moods[tag] = (moods[tag] ?? 0) + 1;
    for (const t of c.energy) (energy[t.role] ??= [0, 0, 0, 0, 0])[t.level]!++;
    const shade = c.moods.find((m) => m === 'bright' || m === 'dark');
    if (c.annotatedMode && shade) {
      tagged++;
      if ((shade === 'bright') === (c.annotatedMode === 'major')) agree++;
    }
  }
  for (const tag of Object.keys(moods) as MoodTag[]) moods[tag] = share(moods[tag]!, cases.length)!;
  return { files: cases.length, moods, energy, brightDarkAgreesWithMode: share(agree, tagged) };
}

function bySubset<C extends { heldout: boolean }, S>(cases: readonly C[], score: (cases: readonly C[]) => S): BySubset<S> {
  return { heldout: score(cases.filter((c) => c.heldout)), all: score(cases) };
}

export function report(cases: Cases): MetadataReport {
  const map = <C extends { heldout: boolean }, S>(record: Record<string, C[]>, score: (cases: readonly C[]) => S) =>
    Object.fromEntries(Object.entries(record).map(([name, list]) => [name, bySubset(list, score)]));
  const sortedMs = [...cases.analyseMs].sort((a, b) => a - b);
  return {
    key: map(cases.keys, scoreKeys),
    roles: { ...map(cases.roles, scoreRoles), combined: bySubset(Object.values(cases.roles).flat(), scoreRoles) },
    tempoMeter: map(cases.time, scoreTime),
    analyseMsPerSong: sortedMs.length ? { p50: round(sortedMs[Math.floor(sortedMs.length / 2)]!), max: round(sortedMs.at(-1)!) } : null,
    tags: Object.fromEntries(Object.entries(cases.tags).map(([name, list]) => [name, scoreTags(list)])),
    skipped: cases.skipped.length,
  };
}
