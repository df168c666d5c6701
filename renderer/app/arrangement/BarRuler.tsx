/**
 * The bar ruler: bar numbers, the loop range, and the playhead. A click moves the playhead; a
 * drag along it sets the loop range (one edit, on release).
 */
import { useRef, useState } from 'react';
import type { LoopRange } from '../../../core/song/types.ts';

interface BarRulerProps {
  bars: number;
  barPx: number;
  loop: LoopRange | null;
  readOnly: boolean;
  onSeek(bar: number): void;
  onLoop(loop: LoopRange): void;
}

export function BarRuler({ bars, barPx, loop, readOnly, onSeek, onLoop }: BarRulerProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number; x: number; moved: boolean } | null>(null);
  const every = barPx >= 28 ? 1 : barPx >= 14 ? 4 : 8;
  const barAt = (clientX: number): number => Math.max(0, (clientX - ref.current!.getBoundingClientRect().left) / barPx);
  const shown = drag?.moved ? { startBar: Math.min(drag.from, drag.to), endBar: Math.max(drag.from, drag.to) + 1 } : loop;
  return (
    <div
      ref={ref}
      className="ruler"
      data-testid="ruler"
      style={{ width: bars * barPx }}
      title="Click: move the playhead · drag: set the loop range"
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        const bar = Math.floor(barAt(e.clientX));
        setDrag({ from: bar, to: bar, x: e.clientX, moved: false });
      }}
      onPointerMove={(e) => {
        if (!drag) return;
        const moved = drag.moved || Math.abs(e.clientX - drag.x) > 4;
        setDrag({ ...drag, to: Math.floor(barAt(e.clientX)), moved });
      }}
      onPointerUp={(e) => {
        if (!drag) return;
        setDrag(null);
        if (drag.moved && !readOnly) {
          const to = Math.floor(barAt(e.clientX));
          onLoop({ startBar: Math.min(drag.from, to), endBar: Math.max(drag.from, to) + 1 });
        } else {
          onSeek(barAt(e.clientX));
        }
      }}
    >
      {Array.from({ length: Math.ceil(bars / every) }, (_, i) => i * every).map((bar) => (
        <span key={bar} className="bar-number" style={{ left: bar * barPx, width: barPx * every }}>
          {bar + 1}
        </span>
      ))}
      {shown && (
        <span
          className="loop-range"
          data-testid="loop-range"
          style={{ left: shown.startBar * barPx, width: (shown.endBar - shown.startBar) * barPx }}
          title={`Loop: bars ${shown.startBar + 1}–${shown.endBar}`}
        />
      )}
    </div>
  );
}
