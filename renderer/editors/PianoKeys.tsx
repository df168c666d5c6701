/** The piano roll's keyboard: one key per row; pressing a key auditions its pitch. */
import { memo, useState } from 'react';
import { isBlackKey, pitchName, type RowModel } from './rows.ts';

interface PianoKeysProps {
  rows: RowModel;
  rowPx: number;
  /** Pitches of the selected notes, lit on the keyboard. */
  lit: ReadonlySet<number>;
  onAudition(pitch: number): void;
}

export const PianoKeys = memo(function PianoKeys({ rows, rowPx, lit, onAudition }: PianoKeysProps) {
  const [pressed, setPressed] = useState<number | null>(null);
  return (
    <div className="piano-keys" onPointerLeave={() => setPressed(null)} onPointerUp={() => setPressed(null)}>
      {rows.pitches.map((pitch) => {
        const classes = ['piano-key', isBlackKey(pitch) ? 'black' : 'white', pitch === pressed && 'pressed', lit.has(pitch) && 'lit']
          .filter(Boolean)
          .join(' ');
        return (
          <div
            key={pitch}
            className={classes}
            data-testid="piano-key"
            data-pitch={pitch}
            style={{ height: rowPx }}
            title={pitchName(pitch)}
            onPointerDown={(e) => {
              if (e.button !== 0) return;
              e.preventDefault();
              setPressed(pitch);
              onAudition(pitch);
            }}
          >
            {pitch % 12 === 0 && <span className="key-name">{pitchName(pitch)}</span>}
          </div>
        );
      })}
    </div>
  );
});
