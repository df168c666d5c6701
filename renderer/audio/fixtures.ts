/**
 * Songs for tests and benchmarks, built as plain `Song` values (no Y.Doc): a short band groove
 * with one track per role, and a dense many-track song for scheduling load. Deterministic.
 */
import { DEFAULT_META } from '../../core/song/schema.ts';
import type { Clip, Note, Song, SongMeta, Track, TrackRole } from '../../core/song/types.ts';
import { DEFAULT_INSTRUMENT } from '../../core/song/edits.ts';
import { ticksPerBar } from '../../core/time.ts';

type NoteSpec = [pitch: number, tick: number, duration: number, velocity?: number];

export function track(id: string, role: TrackRole, patch: Partial<Track> = {}): Track {
  return { id, name: id, role, instrument: DEFAULT_INSTRUMENT[role], volumeDb: 0, pan: 0, mute: false, solo: false, order: 0, ...patch };
}

export function clip(id: string, trackId: string, startBar: number, lengthBars: number, notes: NoteSpec[]): Clip {
  const sorted = notes
    .map(([pitch, tick, duration, velocity = 100], i): Note => ({ id: `${id}-${i}`, pitch, tick, duration, velocity }))
    .sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  return { id, trackId, name: id, startBar, lengthBars, locked: false, provenance: null, notes: sorted };
}

export function song(tracks: Track[], clips: Clip[], meta: Partial<SongMeta> = {}): Song {
  return {
    meta: { ...DEFAULT_META, ...meta },
    tracks: tracks.map((t, i) => ({ ...t, order: i + 1 })),
    clips,
    chords: [],
    bookmarks: [],
  };
}

const Q = 480;
const E = Q / 2;

/** One bar of a rock beat: kick 1 and 3, snare 2 and 4, closed hats on every 8th. */
export function drumBar(bar: number): NoteSpec[] {
  const at = bar * 4 * Q;
  const notes: NoteSpec[] = [
    [36, at, E, 120],
    [36, at + 2 * Q, E, 110],
    [38, at + Q, E, 110],
    [38, at + 3 * Q, E, 110],
  ];
  for (let i = 0; i < 8; i++) notes.push([42, at + i * E, E / 2, i % 2 ? 70 : 90]);
  return notes;
}

/**
 * Two bars of 4/4 in C with drums, bass, keys and lead: the offline-render golden song.
 * Chords C then A minor; the bass plays roots in 8ths, the keys hold triads, the lead a motif.
 */
export function bandSong(meta: Partial<SongMeta> = {}): Song {
  const bass: NoteSpec[] = [];
  for (let i = 0; i < 16; i++) bass.push([i < 8 ? 36 : 45, i * E, E - 20, 100]);
  const keys: NoteSpec[] = [
    [60, 0, 4 * Q],
    [64, 0, 4 * Q],
    [67, 0, 4 * Q],
    [60, 4 * Q, 4 * Q],
    [64, 4 * Q, 4 * Q],
    [69, 4 * Q, 4 * Q],
  ].map(([p, t, d]) => [p!, t!, d!, 80] as NoteSpec);
  const lead: NoteSpec[] = [
    [72, 0, Q],
    [74, Q, E],
    [76, Q + E, E],
    [79, 2 * Q, 2 * Q],
    [76, 4 * Q, Q],
    [72, 5 * Q, Q],
    [69, 6 * Q, 2 * Q],
  ];
  return song(
    [
      track('drums', 'drums'),
      track('bass', 'bass'),
      track('keys', 'keys', { volumeDb: -3, pan: -0.3 }),
      track('lead', 'lead', { volumeDb: -4, pan: 0.3 }),
    ],
    [
      clip('drums-1', 'drums', 0, 2, [...drumBar(0), ...drumBar(1)]),
      clip('bass-1', 'bass', 0, 2, bass),
      clip('keys-1', 'keys', 0, 2, keys),
      clip('lead-1', 'lead', 0, 2, lead),
    ],
    meta,
  );
}

/**
 * A dense arrangement for load: `tracks` tracks cycling drums, bass, keys, lead, other over
 * `bars` bars, one clip per 4 bars, 16th-note hats and lead, 8th bass, 4-note chords on beats.
 * 8 × 64 holds 7,680 notes (120 a bar), about what a busy band arrangement has.
 */
export function denseSong(tracks = 8, bars = 64, meta: Partial<SongMeta> = {}): Song {
  const roles: TrackRole[] = ['drums', 'bass', 'keys', 'lead', 'other'];
  const barTicks = ticksPerBar(DEFAULT_META.meter);
  const ts: Track[] = [];
  const clips: Clip[] = [];
  for (let t = 0; t < tracks; t++) {
    const role = roles[t % roles.length]!;
    const id = `t${t}`;
    ts.push(track(id, role, { volumeDb: -6, pan: ((t % 5) - 2) / 4 }));
    for (let start = 0; start < bars; start += 4) {
      const notes: NoteSpec[] = [];
      for (let b = 0; b < 4; b++) {
        const at = b * barTicks;
        if (role === 'drums') {
          notes.push(...drumBar(b));
          for (let s = 0; s < 16; s += 2) notes.push([42, at + s * (Q / 4) + Q / 4, Q / 8, 50]);
        } else if (role === 'bass') {
          for (let s = 0; s < 8; s++) notes.push([36 + ((b * 5 + s) % 12), at + s * E, E - 10, 95]);
        } else if (role === 'keys' || role === 'other') {
          for (let beat = 0; beat < 4; beat++) for (const p of [60, 64, 67, 71]) notes.push([p + (b % 3), at + beat * Q, Q - 20, 70]);
        } else {
          for (let s = 0; s < 16; s++) notes.push([72 + ((s * 7 + b) % 12), at + s * (Q / 4), Q / 4 - 10, 85]);
        }
      }
      clips.push(clip(`${id}-c${start}`, id, start, 4, notes));
    }
  }
  return song(ts, clips, meta);
}

/**
 * A bandmate's edit during playback, for load: the `n`th edit (n ≥ 1) moves one clip's notes (a
 * different clip each time) a semitone up when n is odd, down when it is even.
 */
export function bandmateEdit(s: Song, n: number): Song {
  const clips = s.clips.slice();
  const i = (n * 7) % clips.length;
  clips[i] = { ...clips[i]!, notes: clips[i]!.notes.map((note) => ({ ...note, pitch: note.pitch + (n % 2 ? 1 : -1) })) };
  return { ...s, clips };
}
