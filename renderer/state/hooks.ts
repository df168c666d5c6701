/** React hooks over the room's stores (each is an external store read with useSyncExternalStore). */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import type { Song } from '../../core/song/types.ts';
import type { Transport, TransportState } from '../audio/transport.ts';
import { audioTransportOf } from '../audio/contract.ts';
import type { ConnectionState, SyncConnection } from '../platform/sync-connection.ts';
import type { LocalUndo, UndoState } from './local-undo.ts';
import { readPeers, watchPeers, type Peer } from './presence.ts';
import type { SongStore } from '../../core/song/song-store.ts';

/** Reads any store with subscribe/getState methods, bound so prototype methods work too. */
function useStore<T>(store: { subscribe(listener: () => void): () => void; getState(): T }): T {
  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
  const get = useCallback(() => store.getState(), [store]);
  return useSyncExternalStore(subscribe, get);
}

export function useSong(store: SongStore): Song {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

export function useUndoState(undo: LocalUndo): UndoState {
  return useStore(undo);
}

export function useConnectionState(connection: SyncConnection): ConnectionState {
  return useStore(connection);
}

export function useTransportState(transport: Transport): TransportState {
  return useStore(transport);
}

/**
 * The playhead in bars. The state's playheadBar, or, while playing with an engine that offers
 * `position()` (renderer/audio/contract.ts: "poll it every frame"), that position read once per
 * animation frame, so the playhead moves smoothly without a React update per audio tick.
 * With `stepsPerBar` (e.g. the beats of a bar), the value is floored to those steps, and the
 * component re-renders only when the step changes (a bar.beat readout), not every frame.
 */
export function usePlayheadBar(transport: Transport, barTicks: number, stepsPerBar = 0): number {
  const state = useTransportState(transport);
  const [polled, setPolled] = useState<number | null>(null);
  const position = audioTransportOf(transport)?.position;
  const step = useCallback((bar: number) => (stepsPerBar > 0 ? Math.floor(bar * stepsPerBar + 1e-9) / stepsPerBar : bar), [stepsPerBar]);
  useEffect(() => {
    if (!state.playing || typeof position !== 'function') {
      setPolled(null);
      return;
    }
    let frame = requestAnimationFrame(function tick() {
      setPolled(step(position.call(transport).songTick / barTicks));
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [state.playing, position, transport, barTicks, step]);
  return polled ?? step(state.playheadBar);
}

/** Everyone in the room, this window first; re-renders only when what is shown changes. */
export function usePeers(awareness: Awareness): Peer[] {
  const [peers, setPeers] = useState(() => readPeers(awareness));
  useEffect(() => {
    setPeers(readPeers(awareness));
    return watchPeers(awareness, setPeers);
  }, [awareness]);
  return peers;
}
