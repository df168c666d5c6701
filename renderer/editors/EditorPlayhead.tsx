/**
 * The playhead over the grid while the song plays through this clip. Its own component, so the
 * notes never re-render for it; it glides bar by bar on a layer of its own
 * (state/use-playhead-glide.ts, editors.css) and hides outside the clip.
 */
import { useCallback, useMemo, useRef } from 'react';
import type { Ticks } from '../../core/time.ts';
import type { Transport } from '../audio/transport.ts';
import { useTransportState } from '../state/hooks.ts';
import { usePlayheadGlide } from '../state/use-playhead-glide.ts';

interface EditorPlayheadProps {
  transport: Transport;
  barTicks: Ticks;
  clipStartBar: number;
  clipTicks: Ticks;
  tickPx: number;
}

export function EditorPlayhead({ transport, barTicks, clipStartBar, clipTicks, tickPx }: EditorPlayheadProps) {
  const { playing } = useTransportState(transport);
  if (!playing) return null;
  return <GlidingPlayhead transport={transport} barTicks={barTicks} clipStartBar={clipStartBar} clipTicks={clipTicks} tickPx={tickPx} />;
}

function GlidingPlayhead({ transport, barTicks, clipStartBar, clipTicks, tickPx }: EditorPlayheadProps) {
  const ref = useRef<HTMLDivElement>(null);
  const start = clipStartBar * barTicks;
  const toPx = useCallback(
    (tick: number) => (tick < start || tick > start + clipTicks ? null : (tick - start) * tickPx),
    [start, clipTicks, tickPx],
  );
  // The tick into the clip where the current glide began (tests read it).
  const onGlide = useCallback(
    (tick: number) => {
      if (ref.current) ref.current.dataset.tick = String(Math.round(tick - start));
    },
    [start],
  );
  usePlayheadGlide(
    ref,
    transport,
    barTicks,
    useMemo(() => ({ toPx, stopAt: start + clipTicks, onGlide }), [toPx, start, clipTicks, onGlide]),
  );
  return <div ref={ref} className="editor-playhead" data-testid="editor-playhead" />;
}
