/**
 * AI call and response: the last N bars a user played live become the prompt of the AI bandmate's
 * Continue, and its answer is written as a clip into the N bars after them, on the "AI answers"
 * track of the same role, in the song's key and over its chords. Pure: the request, the call's
 * notes and where the answer goes.
 */
import type { LiveNote, ServerMs, TransportState } from '../../core/jam/contract.ts';
import type { NoteInput, Song, TrackRole } from '../../core/song/types.ts';
import type { GenerationRequest } from '../../inference/engine/request.ts';
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
  return takeNotes(played.filter((n) => n.at >= startMs - barMs / 8 && n.at < endMs + barMs), { startMs, startBar: 0, bars, endMs }, state, '16th');
}

/** Where the answer goes: the song bars from the bar line at `fromMs` on, kept inside the loop. */
export function answerBars(state: TransportState, fromMs: ServerMs, bars: number): { from: number; to: number } {
  let from = Math.round(barAt(state, fromMs));
  const loop = state.loop;
  if (loop && from + bars > loop.endBar) from = loop.endBar - bars >= loop.startBar ? loop.startBar : from;
  return { from, to: from + bars };
}

/** The Continue request: the call as the clip, `bars` new bars, the song's key, tempo and chords. */
export function answerRequest(song: Song, role: AnswerRole, call: NoteInput[], bars: number, answerAt: { from: number; to: number }, seed: number): GenerationRequest {
  const meter = { ...song.meta.meter };
  const chords = role === 'drums' ? null : chordsForBars(song.chords, meter, { from: answerAt.from - bars, to: answerAt.to });
  return {
    task: 'continue',
    role,
    style: 'any',
    key: role === 'drums' ? null : song.meta.key,
    meter,
    bpm: song.meta.bpm,
    energy: 2,
    bars,
    chords: chords && chords.length ? chords : null,
    clip: { bars, notes: call },
    scaleLock: role !== 'drums',
    mode: 'free',
    variations: 1,
    seed,
    sampling: { temperature: 0.9, topK: TOP_K, topP: TOP_P },
  };
}
