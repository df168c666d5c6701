/** The drum grid's row names (kit pieces); pressing one auditions that drum. */
import { memo } from 'react';
import { drumName } from './drum-kit.ts';
import type { RowModel } from './rows.ts';

interface DrumRowLabelsProps {
  rows: RowModel;
  rowPx: number;
  onAudition(pitch: number): void;
}

export const DrumRowLabels = memo(function DrumRowLabels({ rows, rowPx, onAudition }: DrumRowLabelsProps) {
  return (
    <div className="drum-labels">
      {rows.pitches.map((pitch) => (
        <div
          key={pitch}
          className="drum-label"
          data-testid="drum-row"
          data-pitch={pitch}
          style={{ height: rowPx }}
          title={`${drumName(pitch)} (key ${pitch})`}
          onPointerDown={(e) => {
            if (e.button !== 0) return;
            e.preventDefault();
            onAudition(pitch);
          }}
        >
          <span>{drumName(pitch)}</span>
          <span className="drum-key">{pitch}</span>
        </div>
      ))}
    </div>
  );
});
