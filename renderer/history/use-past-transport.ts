/**
 * How a past moment (or a replay) is heard: the same audio engine as the live song, as a second
 * transport whose song source is the snapshot being shown (song-source.ts), rather than an
 * offline render into an <audio> element. Why: it starts at once (a render of a long song takes
 * seconds on a busy machine, and would be redone on every click along the timeline); it follows
 * the snapshot as it changes, so a replay is heard evolving while it loops; and it is a real
 * `Transport`, so the top bar's play button, Space, the ruler and the arrangement's playhead
 * work on the past exactly as they do on the present.
 *
 * Its audio engine is made on the first play (deferred-transport.ts: browsing the timeline costs
 * no AudioContext) and released with the panel. Only one of the two transports plays at a time:
 * starting either stops the other.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { Song } from '../../core/song/types.ts';
import { createAudioTransport } from '../audio/tone/index.ts';
import { createNullTransport, type Transport } from '../audio/transport.ts';
import { deferredTransport } from './deferred-transport.ts';
import { createSongSource, type SettableSongSource } from './song-source.ts';

interface PastTransport {
  transport: Transport;
  source: SettableSongSource;
  release(): void;
}

function makePastTransport(song: Song, live: Transport): PastTransport {
  const source = createSongSource(song);
  const transport = deferredTransport(() => {
    try {
      return createAudioTransport(source);
    } catch (error) {
      // No Web Audio here (a locked-down browser): the past is still shown, silently.
      console.warn('riffroom: no audio for past moments:', error);
      return createNullTransport();
    }
  });
  const offPast = transport.subscribe(() => {
    if (transport.getState().playing && live.getState().playing) live.stop();
  });
  const offLive = live.subscribe(() => {
    if (live.getState().playing && transport.getState().playing) transport.stop();
  });
  return {
    transport,
    source,
    release() {
      offPast();
      offLive();
      transport.stop();
      transport.dispose?.();
    },
  };
}

/**
 * `transportFor(song)` returns the past transport playing `song` (made on the first call);
 * `stop()` silences it (leaving the past view).
 */
export function usePastTransport(live: Transport): { transportFor(song: Song): Transport; stop(): void } {
  const past = useRef<PastTransport | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: live is listed on purpose: a past transport made for the old live transport is released when it changes
  useEffect(
    () => () => {
      past.current?.release();
      past.current = null;
    },
    [live],
  );
  const transportFor = useCallback(
    (song: Song): Transport => {
      if (!past.current) past.current = makePastTransport(song, live);
      else past.current.source.set(song);
      return past.current.transport;
    },
    [live],
  );
  const stop = useCallback(() => past.current?.transport.stop(), []);
  // One object for the panel's effects to depend on.
  return useMemo(() => ({ transportFor, stop }), [transportFor, stop]);
}
