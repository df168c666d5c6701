/** Below the grid: one bar per note, as tall as its velocity; dragging a bar changes it. */
import { memo, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import type { Note } from '../../core/song/types.ts';
import { VELOCITY_BAR_PX } from './hit-test.ts';
import { velocityColor, MAX_VELOCITY } from './velocity.ts';

interface VelocityLaneProps {
  notes: readonly Note[];
  tickPx: number;
  width: number;
  height: number;
  selection: ReadonlySet<string>;
  laneRef: RefObject<HTMLDivElement | null>;
  onPointerDown(e: ReactPointerEvent<HTMLDivElement>): void;
}

export const VelocityLane = memo(function VelocityLane({
  notes,
  tickPx,
  width,
  height,
  selection,
  laneRef,
  onPointerDown,
}: VelocityLaneProps) {
  const usable = height - 6;
  return (
    <div className="velocity-lane" data-testid="velocity-lane" ref={laneRef} style={{ width, height }} onPointerDown={onPointerDown}>
      {notes.map((n) => {
        const h = Math.max(2, (n.velocity / MAX_VELOCITY) * usable);
        return (
          <div
            key={n.id}
            className={`velocity-bar${selection.has(n.id) ? ' selected' : ''}`}
            data-testid="velocity-bar"
            data-note-id={n.id}
            data-velocity={n.velocity}
            style={{ left: n.tick * tickPx, top: height - h, width: VELOCITY_BAR_PX, height: h, background: velocityColor(n.velocity) }}
          />
        );
      })}
    </div>
  );
});
