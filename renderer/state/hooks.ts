/** React hooks over the room's stores (each is an external store read with useSyncExternalStore). */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import type { Song } from '../../core/song/types.ts';
import type { Transport, TransportState } from '../audio/transport.ts';
import type { ConnectionState, SyncConnection } from '../platform/sync-connection.ts';
import type { LocalUndo, UndoState } from './local-undo.ts';
import { readPeers, watchPeers, type Peer } from './presence.ts';
import type { SongStore } from './song-store.ts';

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
 */
export function usePlayheadBar(transport: Transport, barTicks: number): number {
  const state = useTransportState(transport);
  const [polled, setPolled] = useState<number | null>(null);
  const position = (transport as { position?: () => { songTick: number } }).position;
  useEffect(() => {
    if (!state.playing || typeof position !== 'function') {
      setPolled(null);
      return;
    }
    let frame = requestAnimationFrame(function tick() {
      setPolled(position.call(transport).songTick / barTicks);
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [state.playing, position, transport, barTicks]);
  return polled ?? state.playheadBar;
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
