/**
 * A piece of training or evaluation music, read from one dataset file: what every dataset reader
 * (sources/*.ts) produces and what the example builder turns into token sequences.
 * Times are core ticks (480 per quarter) from the piece's first downbeat, so bar b starts at
 * b * ticksPerBar(meter). Notes are not yet on the model's grid; the tokenizer quantizes.
 */
import type { Meter, Ticks } from '../../core/time.ts';
import type { Key, NoteInput } from '../../core/song/types.ts';
import type { ChordQuality } from '../../core/theory/chords.ts';
import type { NoteRole } from '../../inference/tokenizer/vocabulary.ts';

export { MODEL_ROLES, type ModelRole, type NoteRole } from '../../inference/tokenizer/vocabulary.ts';

export interface PieceChord {
  tick: Ticks;
  /** Pitch class of the root; null for "no chord" (N.C.). */
  root: number | null;
  quality: ChordQuality;
}

export interface PieceKey {
  tick: Ticks;
  key: Key;
}

export interface PieceTrack {
  role: NoteRole;
  /** Sorted by tick, then pitch. */
  notes: NoteInput[];
}

export interface Piece {
  source: 'pop909' | 'groove' | 'openewld';
  /** Stable id, unique in its dataset: "pop909/001", "groove/drummer1/session1/1", "openewld/<path>". */
  id: string;
  /** Pieces with the same group are one song: they always land in the same split. */
  group: string;
  /** The split the dataset itself names (Groove's info.csv), or null to split by hashing `group`. */
  datasetSplit: 'train' | 'validation' | 'test' | null;
  /** One of STYLES (inference/tokenizer/vocabulary.ts), already mapped from the dataset's labels. */
  style: string;
  meter: Meter;
  bpm: number;
  /** Key changes sorted by tick; empty when the piece has no key (drums). */
  keys: PieceKey[];
  /** Whole bars covered by the piece. */
  lengthBars: number;
  tracks: PieceTrack[];
  /** Chord changes sorted by tick; each lasts until the next. Empty when the data has none. */
  chords: PieceChord[];
}

/** A file that could not be read: reported by data preparation, never fatal. */
export interface SkippedFile {
  file: string;
  reason: string;
}
