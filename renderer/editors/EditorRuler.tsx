/**
 * Above the grid: bar numbers (the song's, so they match the arrangement) and the chords that
 * sound under the clip. A click sets the paste position, shown as a marker.
 */
import { memo } from 'react';
import type { Ticks } from '../../core/time.ts';
import type { ClipChord } from './clip-chords.ts';

interface EditorRulerProps {
  tickPx: number;
  barTicks: Ticks;
  displayTicks: Ticks;
  firstBar: number;
  chords: ClipChord[];
  cursor: Ticks | null;
  onSetCursor(x: number): void;
}

export const EditorRuler = memo(function EditorRuler({
  tickPx,
  barTicks,
  displayTicks,
  firstBar,
  chords,
  cursor,
  onSetCursor,
}: EditorRulerProps) {
  const bars = Math.ceil(displayTicks / barTicks);
  return (
    <div
      className="editor-ruler"
      data-testid="editor-ruler"
      title="Click to set where Mod+V pastes"
      style={{ width: displayTicks * tickPx }}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        onSetCursor(e.clientX - e.currentTarget.getBoundingClientRect().left);
      }}
    >
      {Array.from({ length: bars }, (_, i) => (
        <span key={i} className="ruler-bar" style={{ left: i * barTicks * tickPx, width: barTicks * tickPx }}>
          {firstBar + i + 1}
        </span>
      ))}
      {chords.map((c) => (
        <span
          key={c.id}
          className="ruler-chord"
          data-testid="editor-chord"
          data-tick={c.tick}
          style={{ left: c.tick * tickPx, width: c.duration * tickPx }}
        >
          {c.symbol}
        </span>
      ))}
      {cursor !== null && <span className="paste-cursor" data-testid="paste-cursor" data-tick={cursor} style={{ left: cursor * tickPx }} />}
    </div>
  );
});
