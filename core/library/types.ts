/**
 * The personal riff library (issue 19): clips kept across projects with what they are (notes,
 * the chords under them, role, style, key, tempo, provenance, tags, metadata), the AI panel's
 * settings kept as named presets, and the one store interface both homes implement — the
 * desktop's SQLite file (electron/library/sqlite-library-store.ts) and the browser's IndexedDB
 * (renderer/library/indexeddb-library-store.ts). Plain data only: what a store keeps is exactly
 * what an export file carries (library-file.ts).
 */
import type { Meter, Ticks } from '../time.ts';
import type { Key, NoteInput, TrackRole } from '../song/types.ts';

/** A chord under a saved clip, its tick relative to the clip's first bar. */
export interface LibraryChord {
  tick: Ticks;
  duration: Ticks;
  symbol: string;
}

/** Who made a saved clip, and with what: enough to say "AI bass · seed 1234 · from Song A". */
export interface LibraryProvenance {
  /** 'model': the AI bandmate wrote it; 'user': a person played or drew it; 'import': a MIDI file. */
  source: 'user' | 'model' | 'import';
  /** The person who made it (for an AI clip: who asked for it); '' when unknown. */
  author: string;
  /** The song it was saved from (its title). */
  sourceSong: string;
  /** For AI clips: the model, the seed and the settings it was asked with. */
  model?: { id: string; sha256: string } | null;
  seed?: number | null;
  settings?: Record<string, unknown> | null;
}

/** A feature behind a metadata value, in words for the UI ("from the song's key", "6.5 notes a bar"). */
export interface Explained<T> {
  value: T;
  /** Why: the features behind the value. */
  because: string;
}

/**
 * What a clip is, musically: the fields the library filters by. Filled by describeClip()
 * (describe-clip.ts), the one place where the metadata analysis (core/analysis/) plugs in.
 */
export interface ClipMetadata {
  /** null: the clip has no key (drums). confidence 0..1. */
  key: (Explained<Key> & { confidence: number }) | null;
  role: Explained<TrackRole>;
  tempo: Explained<number>;
  meter: Meter;
  /** 0 (sparse) .. 4 (busy), the AI panel's energy scale. */
  energy: Explained<number>;
  /** Mood tags ('bright', 'dark', 'calm', 'driving', …), each with the features behind it. */
  moods: Explained<string>[];
}

export interface LibraryClip {
  id: string;
  name: string;
  /** Ticks relative to the clip's first bar; sorted by tick, then pitch. */
  notes: NoteInput[];
  lengthBars: number;
  meter: Meter;
  chords: LibraryChord[];
  role: TrackRole;
  /** The instrument of the track it was saved from (core/song/instrument-catalog.ts id). */
  instrument: string;
  /** A style the AI panel names ('funk', 'pop'…), or 'any' when unknown. */
  style: string;
  provenance: LibraryProvenance;
  tags: string[];
  metadata: ClipMetadata;
  /** Who kept it in their library, and when (ISO 8601). */
  savedBy: string;
  savedAt: string;
}

/** The riff a preset made last, kept with the preset (so recalling it shows what it gives). */
export interface PresetRiff {
  name: string;
  notes: NoteInput[];
  lengthBars: number;
  meter: Meter;
  madeAt: string;
}

/**
 * The AI panel's settings under a name. `settings` is the panel's own record (role, style, key
 * handling, energy, temperature, seed, mode, scale lock, follow chords, locked bars): core keeps it
 * as plain JSON, the panel checks it on recall (renderer/library/presets.ts).
 */
export interface PromptPreset {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  lastRiff: PresetRiff | null;
}

/** What the library's list is filtered by; every field absent means "any". */
export interface LibraryQuery {
  /** Words that must all appear in the name, tags, style, author, song, role or mood tags. */
  text?: string;
  role?: TrackRole;
  style?: string;
  key?: Key;
  /** Inclusive BPM range. */
  tempo?: { min: number; max: number };
  energy?: number;
  mood?: string;
  author?: string;
  origin?: 'ai' | 'human';
}

/** One whole library, as an export file holds it and an import reads it back. */
export interface LibrarySnapshot {
  clips: LibraryClip[];
  presets: PromptPreset[];
}

export interface ImportSummary {
  clips: number;
  presets: number;
}

/**
 * Where the library lives. Both homes implement it; everything above it (the panel, presets,
 * find similar) only sees this. Saving an id that exists replaces it.
 */
export interface LibraryStore {
  saveClip(clip: LibraryClip): Promise<void>;
  getClip(id: string): Promise<LibraryClip | null>;
  /** Newest first, filtered by `query` (library-query.ts matchesQuery). */
  listClips(query?: LibraryQuery): Promise<LibraryClip[]>;
  deleteClip(id: string): Promise<void>;
  savePreset(preset: PromptPreset): Promise<void>;
  /** By name. */
  listPresets(): Promise<PromptPreset[]>;
  deletePreset(id: string): Promise<void>;
  /** Every clip and preset, for an export file. */
  snapshot(): Promise<LibrarySnapshot>;
  /** Adds a checked snapshot's clips and presets (same id: the imported one replaces it). */
  importSnapshot(snapshot: LibrarySnapshot): Promise<ImportSummary>;
}
