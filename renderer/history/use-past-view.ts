/**
 * The past moment the panel shows: which seq was asked for, and the song on screen. The song is
 * GET /state?at=<seq> read into a plain Song (snapshot-song.ts), kept in a small cache so clicking
 * back and forth along the timeline costs nothing twice. While the next moment loads, the one on
 * screen stays (the banner says "loading #n"); an answer for a moment no longer asked for is
 * dropped, so fast clicking never shows a stale state.
 */
import { useCallback, useRef, useState } from 'react';
import type { Song } from '../../core/song/types.ts';
import type { Notify } from '../app/edit-runner.ts';
import { describeApiError, type HistoryApi } from './history-api.ts';
import { songFromState } from './snapshot-song.ts';

/** Past songs kept for clicking back and forth along the timeline. */
const CACHED_SONGS = 64;

export interface PastView {
  /** The moment asked for (null: now). */
  seq: number | null;
  /** The past song on screen, and its seq (it may lag `seq` while that loads). */
  shown: { seq: number; song: Song } | null;
  error: string | null;
  view(seq: number): void;
  clear(): void;
}

export function usePastView(api: HistoryApi, notify: Notify): PastView {
  const [seq, setSeq] = useState<number | null>(null);
  const asked = useRef<number | null>(null);
  const [shown, setShown] = useState<{ seq: number; song: Song } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cache = useRef(new Map<number, Song>());

  const view = useCallback(
    (target: number) => {
      asked.current = target;
      setSeq(target);
      setError(null);
      const cached = cache.current.get(target);
      if (cached) {
        setShown({ seq: target, song: cached });
        return;
      }
      api.stateAt(target).then(
        (state) => {
          const song = songFromState(state);
          cache.current.set(target, song);
          if (cache.current.size > CACHED_SONGS) cache.current.delete(cache.current.keys().next().value!);
          if (asked.current === target) setShown({ seq: target, song });
        },
        (failure: unknown) => {
          if (asked.current !== target) return;
          const message = describeApiError(failure);
          setError(message);
          notify(message, 'error');
        },
      );
    },
    [api, notify],
  );

  const clear = useCallback(() => {
    asked.current = null;
    setSeq(null);
    setShown(null);
    setError(null);
  }, []);

  return { seq, shown, error, view, clear };
}
