/**
 * What the Chromium tests and bench:jam read of a page's jam, recorded from outside: the events of
 * the session, its timeline follower and its live notes (and the engine's clicks) become the lists
 * they look at.
 * connect.ts attaches them beside the session, as globalThis.riffroomJamProbes; the session itself
 * keeps no list for them.
 */
import type { LiveNote } from '../../core/jam/contract.ts';
import type { Song } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { AudioTransport } from '../audio/contract.ts';
import { resolveMix } from '../audio/mix.ts';
import type { JamEvents } from './jam-session.ts';
import type { JamView } from './jam-view.ts';
import type { LiveNotes } from './live-notes.ts';
import type { TimelineFollower, TimelineRetime } from './timeline-follower.ts';
import { serverAt } from './time-map.ts';

/** What the probes read of the jam (jam-session.ts JamSession). */
export interface ProbedJam {
  readonly engine: Pick<AudioTransport, 'onEvent'>;
  readonly timeline: Pick<TimelineFollower, 'on' | 'map'>;
  readonly liveNotes: Pick<LiveNotes, 'on'>;
  readonly session: { readonly store: { getSnapshot(): Song } };
  getState(): Pick<JamView, 'live'>;
  on<K extends keyof JamEvents>(name: K, listener: (event: JamEvents[K]) => void): () => void;
}

export interface JamProbes {
  /** Live notes this user played (server ms while live). */
  readonly played: LiveNote[];
  /** Live notes received: who (name), the note's server ms and its receive time on the server clock. */
  readonly received: { from: string; pitch: number; kind: string; at: number; receivedAt: number }[];
  /**
   * Downbeats as scheduled: bar, server ms (through this page's audio ↔ server mapping, which
   * carries the output timestamp's jitter) and the audio time itself (s).
   */
  readonly scheduledDownbeats: { bar: number; serverMs: number; audioTime: number }[];
  /**
   * Clicks as scheduled while live (count-in and metronome), on the server clock: bar (negative
   * during a count-in from bar 0), beat, accent, count-in or not, server ms.
   */
  readonly scheduledClicks: { bar: number; beat: number; accent: boolean; countIn: boolean; serverMs: number; audioTime: number }[];
  /**
   * Every change of the engine's timeline the follower asked for (timeline-follower.ts): a downbeat
   * gap that spans one is the re-anchoring's, not the tempo's.
   */
  readonly retimes: TimelineRetime[];
  /** The mix as the engine hears it: each track of the song it last took (the spotlight applied). */
  heardMix(): { id: string; name: string; solo: boolean; audible: boolean }[];
  /** Stops recording (also when the session is disposed). */
  detach(): void;
}

/** Appends to `list`, keeping at most `max` entries (dropping the oldest quarter). */
function keep<T>(list: T[], entry: T, max: number): void {
  list.push(entry);
  if (list.length > max) list.splice(0, max / 4);
}

/**
 * Appends a scheduled click to `list`, or replaces the last one when it is the same click re-timed
 * (same bar, `same` otherwise, within 100 ms); keeps at most `max` entries.
 */
function keepClick<T extends { bar: number; serverMs: number }>(
  list: T[],
  entry: T,
  same: (last: T, entry: T) => boolean,
  max: number,
): void {
  const last = list.at(-1);
  if (last && last.bar === entry.bar && same(last, entry) && Math.abs(last.serverMs - entry.serverMs) < 100) list[list.length - 1] = entry;
  else keep(list, entry, max);
}

/**
 * Records `jam`'s events from now on. Attach it right after the session is made: the engine takes
 * the song (and the spotlight's filter) on its next tick, not at once, so heardMix misses nothing.
 */
export function attachJamProbes(jam: ProbedJam): JamProbes {
  let heardSong: Song | null = null;
  const probes: JamProbes = {
    played: [],
    received: [],
    scheduledDownbeats: [],
    scheduledClicks: [],
    retimes: [],
    heardMix() {
      if (!heardSong) return [];
      const mix = resolveMix(heardSong.tracks);
      return heardSong.tracks.map((t) => ({ id: t.id, name: t.name, solo: t.solo, audible: mix.get(t.id)?.audible ?? false }));
    },
    detach: () => {
      for (const off of offs.splice(0)) off();
    },
  };
  const offs = [
    jam.liveNotes.on('played', ({ note }) => keep(probes.played, note, 512)),
    jam.liveNotes.on('received', ({ name, note, receivedAt }) =>
      keep(probes.received, { from: name, pitch: note.pitch, kind: note.kind, at: note.at, receivedAt }, 512),
    ),
    jam.on('heard', (song) => void (heardSong = song)),
    jam.on('disposed', () => probes.detach()),
    jam.timeline.on('retimed', (retime) => keep(probes.retimes, retime, 256)),
    jam.engine.onEvent((e) => {
      if (e.kind !== 'click' || !jam.getState().live) return;
      const song = jam.session.store.getSnapshot();
      const barTicks = ticksPerBar(song.meta.meter);
      const bar = Math.floor(e.tick / barTicks + 1e-9);
      const serverMs = serverAt(e.time, jam.timeline.map());
      const beat = Math.round(((e.tick - bar * barTicks) / barTicks) * song.meta.meter.numerator);
      // A re-timed click (a drift correction rewinds the scheduler and silences what it had
      // committed past the new anchor) replaces the one it was scheduled as, rather than adding one.
      keepClick(
        probes.scheduledClicks,
        { bar, beat, accent: e.accent, countIn: e.countIn, serverMs, audioTime: e.time },
        (a, b) => a.beat === b.beat && a.countIn === b.countIn,
        1024,
      );
      // The song's downbeats (count-in clicks are not the song's bars).
      if (e.accent && !e.countIn) keepClick(probes.scheduledDownbeats, { bar, serverMs, audioTime: e.time }, () => true, 256);
    }),
  ];
  return probes;
}
