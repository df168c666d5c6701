/**
 * The arrangement as a Yjs document.
 *
 * Root types (all Y.Map, so every record is addressed by a stable id and concurrent edits to
 * different records never conflict):
 *   meta       title, bpm, meter, key, swing, loop            (one value per key)
 *   tracks     trackId -> Y.Map of track fields (ownerId: the owner's identity id, owner: their
 *              display name; both absent on nobody's tracks, see types.ts Track)
 *   clips      clipId  -> Y.Map of clip fields, with `notes`: noteId -> plain note record
 *   chords     chordId -> plain chord record
 *   bookmarks  bookmarkId -> plain bookmark record
 *
 * Notes are plain records in a per-clip map: two bandmates moving different notes both win,
 * and the same note edited twice resolves last-writer-wins as a whole note.
 */
import * as Y from 'yjs';
import type { Bookmark, Chord, Clip, Note, Song, SongMeta, Track } from './types.ts';

export const ROOT_TYPES = ['meta', 'tracks', 'clips', 'chords', 'bookmarks'] as const;

export const DEFAULT_META: SongMeta = {
  title: 'Untitled',
  bpm: 120,
  meter: { numerator: 4, denominator: 4 },
  key: { tonic: 0, mode: 'major' },
  swing: 0,
  loop: null,
};

export type TrackMap = Y.Map<unknown>;
export type ClipMap = Y.Map<unknown>;

export function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('meta');
}
export function tracksMap(doc: Y.Doc): Y.Map<TrackMap> {
  return doc.getMap('tracks');
}
export function clipsMap(doc: Y.Doc): Y.Map<ClipMap> {
  return doc.getMap('clips');
}
export function chordsMap(doc: Y.Doc): Y.Map<Omit<Chord, 'id'>> {
  return doc.getMap('chords');
}
export function bookmarksMap(doc: Y.Doc): Y.Map<Omit<Bookmark, 'id'>> {
  return doc.getMap('bookmarks');
}
export function clipNotes(clip: ClipMap): Y.Map<Omit<Note, 'id'>> {
  const notes = clip.get('notes');
  if (!(notes instanceof Y.Map)) throw new Error('corrupt clip: it has no notes map');
  return notes as Y.Map<Omit<Note, 'id'>>;
}

/** The shared types an UndoManager or a revert should cover. */
export function songScope(doc: Y.Doc): Y.AbstractType<unknown>[] {
  return ROOT_TYPES.map((name) => doc.getMap(name) as Y.AbstractType<unknown>);
}

export function readMeta(doc: Y.Doc): SongMeta {
  const meta = metaMap(doc);
  const get = <K extends keyof SongMeta>(key: K): SongMeta[K] => (meta.has(key) ? meta.get(key) : DEFAULT_META[key]) as SongMeta[K];
  return {
    title: get('title'),
    bpm: get('bpm'),
    meter: get('meter'),
    key: get('key'),
    swing: get('swing'),
    loop: get('loop'),
  };
}

export function readTrack(id: string, map: TrackMap): Track {
  return {
    id,
    name: map.get('name') as string,
    role: map.get('role') as Track['role'],
    instrument: map.get('instrument') as string,
    volumeDb: map.get('volumeDb') as number,
    pan: map.get('pan') as number,
    mute: map.get('mute') as boolean,
    solo: map.get('solo') as boolean,
    order: map.get('order') as number,
    ...readOwner(map),
  };
}

/**
 * A track's owner as stored: `ownerId` (an identity id) and its display name `owner`. Without an
 * id (older documents stored a name alone, or anything odd) the track is nobody's, and its old
 * name is not shown as an owner either.
 */
function readOwner(map: TrackMap): Pick<Track, 'ownerId' | 'owner'> {
  const id = map.get('ownerId');
  if (typeof id !== 'string' || !id) return { ownerId: null, owner: null };
  const name = map.get('owner');
  return { ownerId: id, owner: typeof name === 'string' && name ? name : null };
}

export function readNotes(clip: ClipMap): Note[] {
  const notes: Note[] = [];
  for (const [id, note] of clipNotes(clip).entries()) notes.push({ id, ...note });
  return notes.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch || (a.id < b.id ? -1 : 1));
}

export function readClip(id: string, map: ClipMap): Clip {
  return {
    id,
    trackId: map.get('trackId') as string,
    name: map.get('name') as string,
    startBar: map.get('startBar') as number,
    lengthBars: map.get('lengthBars') as number,
    locked: map.get('locked') as boolean,
    provenance: (map.get('provenance') ?? null) as Clip['provenance'],
    notes: readNotes(map),
  };
}

export function readTracks(doc: Y.Doc): Track[] {
  return [...tracksMap(doc).entries()].map(([id, map]) => readTrack(id, map)).sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
}

/**
 * A plain, deterministic snapshot of the whole song: equal songs give deep-equal values.
 * `clipRecord` reads each clip (default readClip); a caller that knows which clips did not change
 * since its last snapshot can hand back those clips' old records instead of reading them again.
 */
export function readSong(doc: Y.Doc, clipRecord: (id: string, map: ClipMap) => Clip = readClip): Song {
  const tracks = readTracks(doc);
  const trackRank = new Map(tracks.map((t, i) => [t.id, i]));
  const clips = [...clipsMap(doc).entries()]
    .map(([id, map]) => clipRecord(id, map))
    .sort(
      (a, b) =>
        (trackRank.get(a.trackId) ?? Infinity) - (trackRank.get(b.trackId) ?? Infinity) ||
        a.startBar - b.startBar ||
        (a.id < b.id ? -1 : 1),
    );
  const chords = [...chordsMap(doc).entries()].map(([id, c]) => ({ id, ...c })).sort((a, b) => a.tick - b.tick || (a.id < b.id ? -1 : 1));
  const bookmarks = [...bookmarksMap(doc).entries()]
    .map(([id, b]) => ({ id, ...b }))
    .sort((a, b) => a.bar - b.bar || (a.id < b.id ? -1 : 1));
  return { meta: readMeta(doc), tracks, clips, chords, bookmarks };
}
