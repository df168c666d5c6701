/**
 * An audition (a clip or a generated variation previewed on its instrument) as a one-track song,
 * so it goes through the very scheduler, instruments and swing the arrangement plays with.
 */
import { DEFAULT_META } from '../../core/song/schema.ts';
import type { Song, SongMeta } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { AuditionRequest } from './contract.ts';

export const AUDITION_TRACK_ID = 'audition';

/** The audition of one clip of a song: its notes on its track's instrument, its length. */
export function clipAudition(song: Song, clipId: string): AuditionRequest {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) throw new Error(`no clip with id ${clipId}`);
  const track = song.tracks.find((t) => t.id === clip.trackId);
  if (!track) throw new Error(`clip ${clipId} is on a track that does not exist`);
  return {
    notes: clip.notes,
    role: track.role,
    instrument: track.instrument,
    bars: clip.lengthBars,
    volumeDb: Math.min(0, track.volumeDb),
  };
}

export function auditionSong(request: AuditionRequest, meta: SongMeta = DEFAULT_META): Song {
  const barTicks = ticksPerBar(meta.meter);
  const lastEnd = request.notes.reduce((end, n) => Math.max(end, n.tick + n.duration), 0);
  const bars = request.bars ?? Math.max(1, Math.ceil(lastEnd / barTicks));
  return {
    meta: { ...meta, bpm: request.bpm ?? meta.bpm, loop: null },
    tracks: [
      {
        id: AUDITION_TRACK_ID,
        name: 'Audition',
        role: request.role,
        instrument: request.instrument ?? '',
        volumeDb: request.volumeDb ?? 0,
        pan: 0,
        mute: false,
        solo: false,
        order: 0,
      },
    ],
    clips: [
      {
        id: AUDITION_TRACK_ID,
        trackId: AUDITION_TRACK_ID,
        name: 'Audition',
        startBar: 0,
        lengthBars: bars,
        locked: true,
        provenance: null,
        notes: request.notes.map((n, i) => ({ id: String(i), pitch: n.pitch, tick: n.tick, duration: n.duration, velocity: n.velocity })),
      },
    ],
    chords: [],
    bookmarks: [],
  };
}
