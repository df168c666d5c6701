/**
 * Plain-data view of a song: what `readSong` returns and what importers produce. The live,
 * collaborative form is the Yjs document described in schema.ts.
 */
import type { Meter, Ticks } from '../time.ts';

export const TRACK_ROLES = ['drums', 'bass', 'keys', 'lead', 'other'] as const;
export type TrackRole = (typeof TRACK_ROLES)[number];

export const KEY_MODES = ['major', 'minor'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

export interface Key {
  /** Pitch class of the tonic, 0 = C ... 11 = B. */
  tonic: number;
  mode: KeyMode;
}

export interface LoopRange {
  startBar: number;
  /** Exclusive. */
  endBar: number;
}

export interface SongMeta {
  title: string;
  bpm: number;
  meter: Meter;
  key: Key;
  /** 0 = straight, 1 = full triplet swing of 8ths. */
  swing: number;
  loop: LoopRange | null;
}

export interface Note {
  id: string;
  pitch: number;
  /** Start, relative to the clip's first bar. */
  tick: Ticks;
  duration: Ticks;
  velocity: number;
}

export type NoteInput = Omit<Note, 'id'>;

/** Where a clip came from; generated clips carry what is needed to re-roll them exactly. */
export interface Provenance {
  source: 'user' | 'model' | 'import';
  /** Anything the producer needs to reproduce the clip (model id, seed, settings, who asked...). */
  detail?: Record<string, unknown>;
}

export interface Clip {
  id: string;
  trackId: string;
  name: string;
  startBar: number;
  lengthBars: number;
  locked: boolean;
  provenance: Provenance | null;
  /** Sorted by tick, then pitch. */
  notes: Note[];
}

export interface Track {
  id: string;
  name: string;
  role: TrackRole;
  instrument: string;
  /** Gain in decibels, -60 (silent) .. +6. */
  volumeDb: number;
  /** -1 (left) .. 1 (right). */
  pan: number;
  mute: boolean;
  solo: boolean;
  /** Fractional index: tracks are shown sorted by it. */
  order: number;
  /**
   * Identity id (a token's `id`, sync-server/contract.ts TokenClaims) of the bandmate whose track
   * it is: who created it, or to whom the room owner gave it; null or absent: nobody's. Under the
   * 'own-track' room rule a student edits only tracks whose ownerId is their own id
   * (core/jam/own-track.ts). Ids, never names: every invitee of one invite may carry the same name.
   */
  ownerId?: string | null;
  /**
   * That bandmate's display name when the track was given or made, for showing only (never
   * compared). Null whenever ownerId is: documents written before owner ids stored a name alone,
   * and such tracks read as nobody's until the room owner gives them again.
   */
  owner?: string | null;
}

export interface Chord {
  id: string;
  /** Song position of the chord change. */
  tick: Ticks;
  /** How long it lasts. */
  duration: Ticks;
  /** Chord symbol as a musician writes it: "C", "F#m7", "Bb7/D". */
  symbol: string;
}

/** A named position in the song (a section marker: "Verse", "Chorus"). */
export interface Bookmark {
  id: string;
  name: string;
  bar: number;
}

export interface Song {
  meta: SongMeta;
  /** Sorted by order. */
  tracks: Track[];
  /** Sorted by track order, then start bar. */
  clips: Clip[];
  /** Sorted by tick. */
  chords: Chord[];
  /** Sorted by bar. */
  bookmarks: Bookmark[];
}
