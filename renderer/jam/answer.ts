/**
 * AI call and response: the last N bars a user played live become the prompt of the AI bandmate's
 * Continue, and its answer is written as a clip into the N bars after them, on the "AI answers"
 * track of the same role, in the song's key and over its chords. Pure (no React, no inference
 * client): the request, the call's notes, where the answer goes, the answer's notes and label, and
 * the one labelled edit that writes it (use-ai-answers.ts does the timing and the model call).
 */
import type * as Y from 'yjs';
import type { LiveNote, ServerMs, TransportState } from '../../core/jam/contract.ts';
import { addClip, addTrack, deleteClip, labelledEdit } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import type { NoteInput, Provenance, Song, TrackRole } from '../../core/song/types.ts';
import { ticksPerBar, type Meter } from '../../core/time.ts';
import type { GeneratedPart, GenerationProvenance, GenerationRequest, TokenChord } from '../../inference/contract.ts';
import { TOP_K, TOP_P } from '../generator/settings.ts';
import { chordsForBars } from '../generator/song-chords.ts';
import { barAt } from './time-map.ts';
import { takeNotes } from './recording.ts';

export const AI_TRACK_NAME = 'AI answers';

export type AnswerRole = 'drums' | 'bass' | 'keys' | 'lead';

export function answerRole(role: TrackRole | undefined): AnswerRole {
  return role === 'drums' || role === 'bass' || role === 'lead' ? role : 'keys';
}

/** The call: notes played in the `bars` bars before the bar line at `endMs`, at ticks from the call's first bar. */
export function callNotes(played: readonly LiveNote[], state: TransportState, endMs: ServerMs, bars: number): NoteInput[] {
  const barMs = (state.meter.numerator * (4 / state.meter.denominator) * 60_000) / state.bpm;
  const startMs = endMs - bars * barMs;
  return takeNotes(
    played.filter((n) => n.at >= startMs - barMs / 8 && n.at < endMs + barMs),
    { startMs, startBar: 0, bars, endMs },
    state,
    '16th',
  );
}

/** The song bar the call started on: `bars` bars before the bar line at `endMs` (wrapped inside the loop). */
export function callStartBar(state: TransportState, endMs: ServerMs, bars: number): number {
  const barMs = (state.meter.numerator * (4 / state.meter.denominator) * 60_000) / state.bpm;
  return Math.max(0, Math.round(barAt(state, endMs - bars * barMs)));
}

/** Where the answer goes: the song bars from the bar line at `fromMs` on, kept inside the loop. */
export function answerBars(state: TransportState, fromMs: ServerMs, bars: number): { from: number; to: number } {
  let from = Math.round(barAt(state, fromMs));
  const loop = state.loop;
  if (loop && from + bars > loop.endBar) from = loop.endBar - bars >= loop.startBar ? loop.startBar : from;
  return { from, to: from + bars };
}

/**
 * The song's chords under the request's bars: the call's `bars` bars from song bar `callFrom`, then
 * the answer's bars. Two slices, since in a loop the answer wraps to the loop start.
 */
function requestChords(song: Song, meter: Meter, callFrom: number, bars: number, answerAt: { from: number; to: number }): TokenChord[] {
  if (callFrom + bars === answerAt.from) return chordsForBars(song.chords, meter, { from: callFrom, to: answerAt.to });
  const call = chordsForBars(song.chords, meter, { from: callFrom, to: callFrom + bars });
  const callEnd = bars * ticksPerBar(meter);
  const answer = chordsForBars(song.chords, meter, answerAt).map((c) => ({ ...c, tick: c.tick + callEnd }));
  return [...call, ...answer];
}

/**
 * The Continue request: the call as the clip, `bars` new bars, the song's key, tempo and chords.
 * `callFrom`: the song bar the call started on (default: the bars just before the answer).
 */
export function answerRequest(
  song: Song,
  role: AnswerRole,
  call: NoteInput[],
  bars: number,
  answerAt: { from: number; to: number },
  seed: number,
  callFrom = Math.max(0, answerAt.from - bars),
): GenerationRequest {
  const meter = { ...song.meta.meter };
  const chords = role === 'drums' ? null : requestChords(song, meter, callFrom, bars, answerAt);
  return {
    task: 'continue',
    role,
    style: 'any',
    key: role === 'drums' ? null : song.meta.key,
    meter,
    bpm: song.meta.bpm,
    energy: 2,
    bars,
    chords: chords?.length ? chords : null,
    clip: { bars, notes: call },
    scaleLock: role !== 'drums',
    mode: 'free',
    variations: 1,
    seed,
    sampling: { temperature: 0.9, topK: TOP_K, topP: TOP_P },
  };
}

/**
 * The answer's notes from the model's result (the call's bars, then the new ones): the new bars'
 * notes, in ticks from the answer's first bar, none past its `bars` bars.
 */
export function answerNotes(part: Pick<GeneratedPart, 'notes'>, bars: number, meter: Meter): NoteInput[] {
  const barTicks = ticksPerBar(meter);
  const start = bars * barTicks;
  const end = 2 * bars * barTicks;
  return part.notes
    .filter((n) => n.tick >= start && n.tick < end)
    .map((n) => ({ ...n, tick: n.tick - start, duration: Math.max(1, Math.min(n.duration, end - n.tick)) }));
}

/** "AI answered 7 notes (seed 42)": the edit's label in the history. */
export function answerLabel(count: number, seed: number): string {
  return `AI answered ${count} note${count === 1 ? '' : 's'} (seed ${seed})`;
}

export interface Answer {
  role: AnswerRole;
  /** Song bars it fills. */
  range: { from: number; to: number };
  notes: NoteInput[];
  label: string;
  provenance: GenerationProvenance;
  /** Who was answered (display name). */
  answerTo: string;
}

/** The answer for a result of `request` (its first variation), to go into `range`. */
export function answerFrom(
  request: GenerationRequest,
  result: { variations: Pick<GeneratedPart, 'notes'>[]; provenance: GenerationProvenance },
  range: { from: number; to: number },
  answerTo: string,
): Answer | null {
  const part = result.variations[0];
  if (!part) return null;
  const notes = answerNotes(part, request.bars, request.meter);
  return {
    role: request.role as AnswerRole,
    range,
    notes,
    label: answerLabel(notes.length, request.seed),
    provenance: result.provenance,
    answerTo,
  };
}

/**
 * What becomes of an answer when the model is done: written, or why not — said in words, so the
 * status never stays at "answering…". The jam view may have blinked meanwhile (a reconnect, a
 * transport change re-rendering the panel): only answers off or the music stopped drop it.
 */
export function answerOutcome(
  answer: Answer | null,
  now: { aiAnswers: boolean; playing: boolean },
): { write: true } | { write: false; status: string } {
  if (!now.aiAnswers) return { write: false, status: 'AI answers were turned off: that answer was dropped.' };
  if (!now.playing) return { write: false, status: 'The music stopped: that answer was dropped.' };
  if (!answer) return { write: false, status: 'The AI had no answer this time.' };
  return { write: true };
}

/**
 * Writes the answer as one labelled edit: a clip "Answer" over its bars on the "AI answers" track
 * of its role (made if missing), replacing what that track had there. Returns the clip's id.
 */
export function writeAnswer(doc: Y.Doc, answer: Answer): string {
  const { role, range } = answer;
  return labelledEdit(doc, answer.label, () => {
    const now = readSong(doc);
    const track = now.tracks.find((t) => t.name === AI_TRACK_NAME && t.role === role);
    const id = track?.id ?? addTrack(doc, { role, name: AI_TRACK_NAME });
    for (const c of now.clips) {
      if (c.trackId === id && c.startBar < range.to && c.startBar + c.lengthBars > range.from) deleteClip(doc, c.id);
    }
    const provenance: Provenance = {
      source: 'model',
      detail: { ...answer.provenance, answerTo: answer.answerTo } as unknown as Record<string, unknown>,
    };
    return addClip(doc, {
      trackId: id,
      startBar: range.from,
      lengthBars: range.to - range.from,
      name: 'Answer',
      notes: answer.notes,
      provenance,
    });
  });
}
