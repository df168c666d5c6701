/**
 * What a caller asks the engine for, and what it gets back. Plain data (structured-clone and JSON
 * safe): the same types cross the host contract to a utility process or a Web Worker.
 */
import type { CopyReport } from '../originality/check.ts';
import type { Key, NoteInput } from '../../core/song/types.ts';
import type { Meter } from '../../core/time.ts';
import type { TokenChord } from '../tokenizer/events.ts';
import type { ModelRole } from '../tokenizer/vocabulary.ts';
import type { SamplingSettings } from './sampler.ts';

/**
 * generate: new bars from the conditions.       continue: `clip`, then `bars` new bars after it.
 * infill: bars [infill.from, infill.to) of `clip` rewritten, the rest kept.
 * vary: a new take on `clip`, as long.           accompany: a part for `tracks`.
 */
export const ENGINE_TASKS = ['generate', 'continue', 'infill', 'vary', 'accompany'] as const;
export type EngineTask = (typeof ENGINE_TASKS)[number];

/** free: the model writes freely. keep-rhythm: `clip`'s rhythm, new pitches. keep-notes: `clip`'s pitches, new rhythm. */
export const MODES = ['free', 'keep-rhythm', 'keep-notes'] as const;
export type Mode = (typeof MODES)[number];

/** A part the request refers to: notes (ticks from its first bar) or, for the chord track, chords. */
export interface SourcePart {
  bars: number;
  notes?: NoteInput[];
  chords?: TokenChord[];
}

export interface GenerationRequest {
  task: EngineTask;
  role: ModelRole;
  /** Style label (STYLES; anything else means "any"). */
  style: string;
  /** The song's key; ignored for drums. */
  key: Key | null;
  meter: Meter;
  bpm: number;
  /** 0 (sparse) .. 4 (busy). */
  energy: number;
  /** Bars to write: the whole result, except for continue (bars after the clip) and infill (taken from `clip`). */
  bars: number;
  /** The song's chords over the result's bars, ticks from its first bar (pitched roles follow them). */
  chords?: TokenChord[] | null;
  /** The clip continued, infilled or varied; also the source of locks and of keep-* modes. */
  clip?: SourcePart | null;
  infill?: { from: number; to: number } | null;
  /** accompany: the other parts sounding over the result's bars. */
  tracks?: { role: ModelRole; part: SourcePart }[];
  /** Material of `clip` that is never changed: whole bars, and single notes (indices into clip.notes). */
  locks?: { bars?: number[]; notes?: number[] } | null;
  /** Keep free pitches in the key's scale. */
  scaleLock?: boolean;
  /**
   * Follow the chords, 0..1: how strongly notes on a beat of a pitched part keep to the tones of
   * the chord sounding there (1: only chord tones on beats; 0: as the model likes). Absent: the
   * role's default (DEFAULT_FOLLOW_CHORDS). Needs `chords`; no effect on drums and the chord track.
   */
  followChords?: number;
  mode?: Mode;
  /** Alternatives written in one batch, 1..8. */
  variations: number;
  seed: number;
  sampling: SamplingSettings;
}

/** One written alternative: the result's bars, ticks from its first bar. */
export interface GeneratedPart {
  bars: number;
  notes: NoteInput[];
  /** The chord track's chords (role 'chords'). */
  chords: TokenChord[];
  /** Tokens the model wrote. */
  tokens: number;
  /**
   * How much of it repeats a training song (inference/originality/check.ts): absent when the
   * model ships no originality index (or for the chord track); `marked` is what the card shows.
   */
  copy?: CopyReport;
}

/** Everything needed to say where a clip came from and to write it again. */
export interface GenerationProvenance {
  model: { id: string; sha256: string };
  engine: string;
  task: EngineTask;
  role: ModelRole;
  conditions: {
    style: string;
    key: Key | null;
    meter: Meter;
    bpm: number;
    energy: number;
    bars: number;
    mode: Mode;
    scaleLock: boolean;
    chords: boolean;
    locks: number;
    /** The follow-the-chords strength used; absent in provenance written before it existed (0). */
    followChords?: number;
    /** Keep register: the span in semitones the part was held to; absent: none. */
    span?: number;
    /** Fewer repeated notes: the damping the line was written with; absent: none. */
    repeatDamping?: number;
    /** Fewer repeated top notes: the damping the top line was written with; absent: none. */
    topRepeatDamping?: number;
    /** Fewer leaps: the strength the line was written with (line-leaps.ts); absent: none. */
    leapDamping?: number;
  };
  seed: number;
  sampling: SamplingSettings;
  provider: string;
  timing: { firstNoteMs: number | null; totalMs: number; promptTokens: number; decodedTokens: number; tokensPerSecond: number };
}

export interface GenerationResult {
  variations: GeneratedPart[];
  provenance: GenerationProvenance;
}

/** A note (chord, for the chord track) as soon as it is decoded: which variation, ticks in the result. */
export type StreamedEvent = { variation: number; note: NoteInput } | { variation: number; chord: TokenChord };

export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}
