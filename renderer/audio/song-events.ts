/**
 * A Song snapshot compiled for playback: per track, its notes at absolute song ticks, sorted, cut
 * at their clip's end, with mono presets made strictly one-note-at-a-time; plus the tempo, meter,
 * swing, song end and loop range in ticks. The scheduler only ever reads this form, so finding the
 * notes of a look-ahead window is a binary search, not a walk over every clip.
 *
 * Compiling all of a song is cheap (8 tracks × 64 bars of 16ths: about a millisecond) and only
 * happens when the song changed, so there is no per-clip cache to keep consistent.
 */
import { ticksPerBar, ticksPerBeat, type Meter, type Ticks } from '../../core/time.ts';
import type { Song, TrackRole } from '../../core/song/types.ts';
import { isMonophonic, presetFor, type PresetId } from './presets.ts';
import { resolveMix } from './mix.ts';
import { patchForTrack, type SamplerPatch } from './sampler/patch.ts';

export interface NoteEvent {
  /** Absolute song tick (grid position, before swing). */
  tick: Ticks;
  /** Absolute end tick, after cutting at the clip's end (and at the next note for mono presets). */
  end: Ticks;
  pitch: number;
  velocity: number;
}

export interface CompiledTrack {
  id: string;
  role: TrackRole;
  /** The synthesized voice (the fallback while the bank loads, and where it cannot). */
  preset: PresetId;
  /** The sampled instrument: the track's catalog preset as a bank/program. */
  patch: SamplerPatch;
  /** Mute/solo resolved: an inaudible track's notes are not scheduled at all. */
  audible: boolean;
  gainDb: number;
  pan: number;
  /** Sorted by tick, then pitch. */
  notes: NoteEvent[];
}

export interface TickRange {
  start: Ticks;
  /** Exclusive. */
  end: Ticks;
}

export interface CompiledSong {
  bpm: number;
  meter: Meter;
  swing: number;
  barTicks: Ticks;
  beatTicks: Ticks;
  /** End of the last clip, at least one bar. */
  endTick: Ticks;
  /** The song's loop range, or the whole song when it has none. */
  loop: TickRange;
  tracks: CompiledTrack[];
}

export function compileSong(song: Song): CompiledSong {
  const { meta } = song;
  const barTicks = ticksPerBar(meta.meter);
  const mix = resolveMix(song.tracks);
  const byTrack = new Map<string, NoteEvent[]>();
  let endBar = 1;
  for (const clip of song.clips) {
    endBar = Math.max(endBar, clip.startBar + clip.lengthBars);
    let notes = byTrack.get(clip.trackId);
    if (!notes) byTrack.set(clip.trackId, (notes = []));
    const offset = clip.startBar * barTicks;
    const clipTicks = clip.lengthBars * barTicks;
    for (const n of clip.notes) {
      // As in the editor and MIDI export: notes starting at or after the clip's end are hidden,
      // notes running past it are cut at its end.
      if (n.tick >= clipTicks || n.tick < 0) continue;
      const end = Math.min(n.tick + Math.max(1, n.duration), clipTicks);
      notes.push({ tick: offset + n.tick, end: offset + end, pitch: n.pitch, velocity: n.velocity });
    }
  }
  const tracks = song.tracks.map((t): CompiledTrack => {
    const preset = presetFor(t);
    const notes = (byTrack.get(t.id) ?? []).sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
    const m = mix.get(t.id)!;
    return {
      id: t.id,
      role: t.role,
      preset,
      patch: patchForTrack(t),
      audible: m.audible,
      gainDb: m.gainDb,
      pan: m.pan,
      notes: isMonophonic(preset) ? monophonic(notes) : notes,
    };
  });
  const endTick = endBar * barTicks;
  const loop =
    meta.loop && meta.loop.endBar > meta.loop.startBar
      ? { start: meta.loop.startBar * barTicks, end: meta.loop.endBar * barTicks }
      : { start: 0, end: endTick };
  return {
    bpm: meta.bpm,
    meter: meta.meter,
    swing: Math.max(0, Math.min(1, meta.swing)),
    barTicks,
    beatTicks: ticksPerBeat(meta.meter),
    endTick,
    loop,
    tracks,
  };
}

/**
 * One note at a time, for mono presets: of notes starting together the lowest is kept (the root
 * of a bass double-stop), and each note ends no later than the next one starts.
 */
export function monophonic(sorted: NoteEvent[]): NoteEvent[] {
  const out: NoteEvent[] = [];
  for (const n of sorted) {
    const prev = out.at(-1);
    if (prev && prev.tick === n.tick) continue;
    if (prev && prev.end > n.tick) out[out.length - 1] = { ...prev, end: n.tick };
    out.push(n);
  }
  return out;
}

/** Index of the first note starting at or after `tick` (binary search). */
export function firstNoteAtOrAfter(notes: readonly NoteEvent[], tick: Ticks): number {
  let lo = 0;
  let hi = notes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (notes[mid]!.tick < tick) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calls `visit` for each note starting in [from, to), in order. */
export function forEachNoteIn(notes: readonly NoteEvent[], from: Ticks, to: Ticks, visit: (note: NoteEvent) => void): void {
  for (let i = firstNoteAtOrAfter(notes, from); i < notes.length && notes[i]!.tick < to; i++) visit(notes[i]!);
}
