/**
 * The playhead over the grid while the song plays through this clip. Its own component: it
 * re-renders every frame (usePlayheadBar polls the engine's position()), the notes do not; it moves
 * by a transform on a layer of its own (editors.css), so a frame repaints nothing else.
 */
import type { Ticks } from '../../core/time.ts';
import type { Transport } from '../audio/transport.ts';
import { usePlayheadBar, useTransportState } from '../state/hooks.ts';

interface EditorPlayheadProps {
  transport: Transport;
  barTicks: Ticks;
  clipStartBar: number;
  clipTicks: Ticks;
  tickPx: number;
}

export function EditorPlayhead({ transport, barTicks, clipStartBar, clipTicks, tickPx }: EditorPlayheadProps) {
  const { playing } = useTransportState(transport);
  const bar = usePlayheadBar(transport, barTicks);
  const tick = (bar - clipStartBar) * barTicks;
  if (!playing || tick < 0 || tick > clipTicks) return null;
  return <div className="editor-playhead" data-testid="editor-playhead" data-tick={Math.round(tick)} style={{ transform: `translateX(${tick * tickPx}px)` }} />;
}
