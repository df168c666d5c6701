/**
 * A clip of the open song as a library entry: its notes, the chords under it (relative to its
 * first bar), its role, instrument and style, its provenance (for an AI clip: the model, seed and
 * settings from the generator's provenance record; the author; the song) and its metadata
 * (describeClip). Pure: the panel calls it with the song snapshot and hands the result to a store.
 */
import { newId } from '../song/ids.ts';
import type { Provenance, Song } from '../song/types.ts';
import { ticksPerBar } from '../time.ts';
import { describeClip } from './describe-clip.ts';
import type { LibraryChord, LibraryClip, LibraryProvenance } from './types.ts';

export interface SaveClipOptions {
  /** Who keeps it (this user's display name). */
  savedBy: string;
  tags?: string[];
  /** A name for the entry (default: the clip's name, else "<Track> riff"). */
  name?: string;
  now?: Date;
  id?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/**
 * What a clip's provenance says about who made it and how. A bandmate's document is untrusted:
 * every field is read defensively, and whatever is not of the expected shape is left out.
 */
export function libraryProvenance(provenance: Provenance | null, fallbackAuthor: string, sourceSong: string): LibraryProvenance {
  const source = provenance?.source ?? 'user';
  const detail = isObject(provenance?.detail) ? provenance.detail : {};
  const out: LibraryProvenance = { source, author: fallbackAuthor, sourceSong };
  if (source !== 'model') return out;
  if (typeof detail.requestedBy === 'string' && detail.requestedBy) out.author = detail.requestedBy;
  const model = detail.model;
  out.model =
    isObject(model) && typeof model.id === 'string' ? { id: model.id, sha256: typeof model.sha256 === 'string' ? model.sha256 : '' } : null;
  const request = detail.request;
  if (isObject(request)) {
    out.seed = Number.isInteger(request.seed) ? (request.seed as number) : null;
    out.settings = JSON.parse(JSON.stringify(request)) as Record<string, unknown>;
  }
  return out;
}

/** The chords sounding during bars [startBar, startBar + lengthBars) of the song, relative to startBar. */
export function chordsUnder(song: Song, startBar: number, lengthBars: number): LibraryChord[] {
  const bar = ticksPerBar(song.meta.meter);
  const from = startBar * bar;
  const to = from + lengthBars * bar;
  return song.chords
    .filter((c) => c.tick < to && c.tick + c.duration > from)
    .map((c) => {
      const start = Math.max(c.tick, from);
      const end = Math.min(c.tick + c.duration, to);
      return { tick: start - from, duration: end - start, symbol: c.symbol };
    });
}

function styleOf(provenance: LibraryProvenance): string {
  const style = provenance.settings?.style;
  return typeof style === 'string' && style ? style : 'any';
}

const cleanTags = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].slice(0, 32);

export function libraryClipFromSong(song: Song, clipId: string, options: SaveClipOptions): LibraryClip {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) throw new Error(`no clip with id ${clipId}`);
  const track = song.tracks.find((t) => t.id === clip.trackId);
  if (!track) throw new Error(`clip ${clipId} is on a track that does not exist`);
  const meter = song.meta.meter;
  const end = clip.lengthBars * ticksPerBar(meter);
  // Notes past the clip's end are stored but not played (resizeClip): the library keeps what sounds.
  const notes = clip.notes
    .filter((n) => n.tick < end)
    .map((n) => ({ pitch: n.pitch, tick: n.tick, duration: Math.min(n.duration, end - n.tick), velocity: n.velocity }));
  const provenance = libraryProvenance(clip.provenance, track.owner ?? options.savedBy, song.meta.title);
  const name = (options.name ?? clip.name).trim() || `${track.name} riff`;
  return {
    id: options.id ?? newId(),
    name: name.slice(0, 100),
    notes,
    lengthBars: clip.lengthBars,
    meter: { ...meter },
    chords: chordsUnder(song, clip.startBar, clip.lengthBars),
    role: track.role,
    instrument: track.instrument,
    style: styleOf(provenance),
    provenance,
    tags: cleanTags(options.tags ?? []),
    metadata: describeClip({ notes, lengthBars: clip.lengthBars, meter, role: track.role, songKey: song.meta.key, bpm: song.meta.bpm }),
    savedBy: options.savedBy,
    savedAt: (options.now ?? new Date()).toISOString(),
  };
}

export { cleanTags };
