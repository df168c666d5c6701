/**
 * How well "More like this" (core/library/similarity.ts) tells one song from another, measured on
 * POP909: songs cut into 4-bar windows of their melody (or piano); each window asks for its 10
 * nearest among all other windows, and precision@10 is the share of those from its own song
 * (other bars of the same song: the same motifs, rhythm and scale). A random ranking scores the
 * share of same-song windows among all. A second check adds to each query's candidates a copy
 * of it transposed (1-6 semitones, its key moved with it): how often the copy ranks first.
 *
 * Songs: POP909's held-out songs, the 10% the AI bandmate's training never saw
 * (models/training/splits.ts), so the figure is on the same songs as its evaluation.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPop909Song } from '../../models/training/sources/pop909.ts';
import { splitOf } from '../../models/training/splits.ts';
import { clipFeatures, similarity, type ClipFeatures } from '../../core/library/similarity.ts';
import type { Key, NoteInput } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';

export const WINDOW_BARS = 4;
export const MIN_NOTES = 8;

export interface SongWindow {
  song: string;
  bar: number;
  notes: NoteInput[];
  key: Key | null;
}

/** Up to `perSong` 4-bar windows of each song's `part`, spread over the song, each with its song's key. */
export function pop909Windows(
  datasetDir: string,
  options: { split: 'train' | 'valid'; part: 'lead' | 'keys'; perSong: number; maxSongs?: number },
): SongWindow[] {
  const root = join(datasetDir, 'pop909', 'POP909');
  if (!existsSync(root)) return [];
  const out: SongWindow[] = [];
  let songs = 0;
  for (const id of readdirSync(root)
    .filter((d) => /^\d{3}$/.test(d))
    .sort()) {
    if (options.maxSongs !== undefined && songs >= options.maxSongs) break;
    let piece: ReturnType<typeof readPop909Song>;
    try {
      piece = readPop909Song(join(root, id), id);
    } catch {
      continue;
    }
    if (splitOf(piece) !== options.split) continue;
    const notes = piece.tracks.find((t) => t.role === options.part)?.notes ?? [];
    const bar = ticksPerBar(piece.meter);
    const span = WINDOW_BARS * bar;
    const windows: SongWindow[] = [];
    for (let start = 0; start + WINDOW_BARS <= piece.lengthBars; start += WINDOW_BARS) {
      const inside = notes
        .filter((n) => n.tick >= start * bar && n.tick < start * bar + span)
        .map((n) => ({ ...n, tick: n.tick - start * bar, duration: Math.min(n.duration, start * bar + span - n.tick) }));
      if (inside.length < MIN_NOTES) continue;
      const key = [...piece.keys].reverse().find((k) => k.tick <= start * bar)?.key ?? piece.keys[0]?.key ?? null;
      windows.push({ song: piece.id, bar: start, notes: inside, key });
    }
    if (windows.length < 2) continue;
    songs++;
    const step = Math.max(1, windows.length / options.perSong);
    for (let i = 0; i < Math.min(options.perSong, windows.length); i++) out.push(windows[Math.floor(i * step)]!);
  }
  return out;
}

export function windowFeatures(w: SongWindow, useKey: boolean): ClipFeatures {
  return clipFeatures({
    notes: w.notes,
    lengthBars: WINDOW_BARS,
    meter: { numerator: 4, denominator: 4 },
    key: useKey ? w.key : null,
    drums: false,
  });
}

export interface RetrievalFigures {
  songs: number;
  windows: number;
  /** Mean share of a query's 10 nearest windows that come from its own song. */
  precisionAt10: number;
  /** The same for a random ranking: same-song windows among all the others. */
  randomPrecisionAt10: number;
  /** Share of queries whose transposed copy (key moved with it) ranks first. */
  transposedCopyFirst: number;
}

export function evaluateRetrieval(windows: readonly SongWindow[], useKey: boolean): RetrievalFigures {
  const features = windows.map((w) => windowFeatures(w, useKey));
  const perSong = new Map<string, number>();
  for (const w of windows) perSong.set(w.song, (perSong.get(w.song) ?? 0) + 1);
  let precision = 0;
  let random = 0;
  let copyFirst = 0;
  for (let q = 0; q < windows.length; q++) {
    const scores: { i: number; s: number }[] = [];
    for (let i = 0; i < windows.length; i++) if (i !== q) scores.push({ i, s: similarity(features[q]!, features[i]!) });
    scores.sort((a, b) => b.s - a.s);
    precision += scores.slice(0, 10).filter((x) => windows[x.i]!.song === windows[q]!.song).length / 10;
    random += (perSong.get(windows[q]!.song)! - 1) / (windows.length - 1);
    // The copy, 1..6 semitones up (which, from the query's index: deterministic), its key moved along.
    const shift = 1 + (q % 6);
    const w = windows[q]!;
    const copy = windowFeatures(
      {
        ...w,
        notes: w.notes.map((n) => ({ ...n, pitch: n.pitch + shift })),
        key: w.key && { tonic: (w.key.tonic + shift) % 12, mode: w.key.mode },
      },
      useKey,
    );
    const copyScore = similarity(features[q]!, copy);
    if (copyScore >= (scores[0]?.s ?? -1)) copyFirst++;
  }
  const n = windows.length;
  return {
    songs: perSong.size,
    windows: n,
    precisionAt10: round(precision / n),
    randomPrecisionAt10: round(random / n),
    transposedCopyFirst: round(copyFirst / n),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
