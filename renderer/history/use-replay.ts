/**
 * A replay of the room's session: loads every entry and update (replay-loader.ts), rebuilds the
 * states on demand (replay-states.ts), and walks them with a ReplayClock (replay-timing.ts)
 * driven by animation frames. The step shown is React state; the song of that step is rebuilt
 * only when the step changes, and at high speed the frames simply skip the steps in between.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryEntry } from '../../sync-server/contract.ts';
import type { Song } from '../../core/song/types.ts';
import { describeApiError, type HistoryApi } from './history-api.ts';
import { loadReplay } from './replay-loader.ts';
import { ReplayStates } from './replay-states.ts';
import { ReplayClock, replayOffsets, type ReplaySpeed } from './replay-timing.ts';

export type ReplayStatus = { kind: 'off' } | { kind: 'loading'; progress: number } | { kind: 'error'; message: string } | { kind: 'ready' };

export interface Replay {
  status: ReplayStatus;
  /** 0-based step shown (valid when ready and steps > 0). */
  step: number;
  steps: number;
  entry: HistoryEntry | null;
  song: Song | null;
  playing: boolean;
  speed: ReplaySpeed;
  /** Replay time of the session in ms at 1× (long pauses already cut). */
  duration: number;
  start(speed?: ReplaySpeed): void;
  play(): void;
  pause(): void;
  setSpeed(speed: ReplaySpeed): void;
  seek(step: number): void;
  close(): void;
}

interface Loaded {
  states: ReplayStates;
  entries: HistoryEntry[];
  clock: ReplayClock;
}

const now = (): number => performance.now();

export function useReplay(api: HistoryApi): Replay {
  const [status, setStatus] = useState<ReplayStatus>({ kind: 'off' });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [step, setStep] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeedState] = useState<ReplaySpeed>(4);
  const abort = useRef<AbortController | null>(null);
  /** The loaded replay, for releasing its documents when it is closed or replaced. */
  const loadedRef = useRef<Loaded | null>(null);
  loadedRef.current = loaded;

  const close = useCallback(() => {
    abort.current?.abort();
    abort.current = null;
    loadedRef.current?.states.destroy();
    setLoaded(null);
    setStatus({ kind: 'off' });
    setPlaying(false);
    setStep(0);
  }, []);

  const start = useCallback(
    (startSpeed: ReplaySpeed = 4) => {
      abort.current?.abort();
      loadedRef.current?.states.destroy();
      setLoaded(null);
      const controller = new AbortController();
      abort.current = controller;
      setStatus({ kind: 'loading', progress: 0 });
      setPlaying(false);
      setStep(0);
      loadReplay(api, {
        signal: controller.signal,
        onProgress: (done, total) => setStatus({ kind: 'loading', progress: total ? done / total : 1 }),
      })
        .then((data) => {
          if (controller.signal.aborted) return;
          const clock = new ReplayClock(replayOffsets(data.entries.map((e) => e.time)));
          clock.setSpeed(startSpeed, now());
          setLoaded({ states: new ReplayStates(data.updates), entries: data.entries, clock });
          setSpeedState(startSpeed);
          setStatus({ kind: 'ready' });
          if (data.updates.length > 1) {
            clock.play(now());
            setPlaying(true);
          }
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setStatus({ kind: 'error', message: describeApiError(error) });
        });
    },
    [api],
  );

  // The frame loop: while playing, show the clock's step; pause at the end.
  useEffect(() => {
    if (!loaded || !playing) return;
    let frame = requestAnimationFrame(function tick() {
      const t = now();
      setStep(loaded.clock.step(t));
      if (loaded.clock.ended(t)) {
        loaded.clock.pause(t);
        setPlaying(false);
        return;
      }
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [loaded, playing]);

  useEffect(
    () => () => {
      abort.current?.abort();
      loadedRef.current?.states.destroy();
    },
    [],
  );

  const song = useMemo(() => {
    if (!loaded?.states.length) return null;
    return loaded.states.songAt(Math.min(step, loaded.states.length - 1));
  }, [loaded, step]);

  return {
    status,
    step,
    steps: loaded?.states.length ?? 0,
    entry: loaded?.entries[step] ?? null,
    song,
    playing,
    speed,
    duration: loaded?.clock.duration ?? 0,
    start,
    play() {
      if (!loaded) return;
      loaded.clock.play(now());
      setStep(loaded.clock.step(now()));
      setPlaying(true);
    },
    pause() {
      if (!loaded) return;
      loaded.clock.pause(now());
      setPlaying(false);
    },
    setSpeed(next) {
      loaded?.clock.setSpeed(next, now());
      setSpeedState(next);
    },
    seek(target) {
      if (!loaded) return;
      const clamped = Math.min(Math.max(0, Math.round(target)), loaded.clock.lastStep);
      loaded.clock.seekStep(clamped, now());
      // The step asked for, exactly: the clock's position there may also be a later step's
      // (edits logged in the same millisecond), and step buttons must move by one.
      setStep(clamped);
    },
    close,
  };
}
