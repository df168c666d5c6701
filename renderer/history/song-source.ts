/**
 * A song the audio engine can play that is not the live document: the past moment being viewed,
 * or the replay's current state. It fits audio/contract.ts's SongSource, so the same engine that
 * plays the live song plays the past one; `set` swaps the song and the engine picks it up at its
 * next scheduling window (a replay is heard changing while it loops).
 */
import type { Song } from '../../core/song/types.ts';
import type { SongSource } from '../audio/contract.ts';

export interface SettableSongSource extends SongSource {
  set(song: Song): void;
}

export function createSongSource(initial: Song): SettableSongSource {
  let song = initial;
  const listeners = new Set<() => void>();
  return {
    getSong: () => song,
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    set(next) {
      if (next === song) return;
      song = next;
      for (const l of [...listeners]) l();
    },
  };
}
