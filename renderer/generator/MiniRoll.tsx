/**
 * A small piano roll of a variation (or of notes still streaming in): the bars being written
 * lit, the bars kept from the clip shaded, bar lines, notes as thin bars. The generated chord
 * track shows its symbols instead.
 */
import type { NoteInput } from '../../core/song/types.ts';
import { chordSymbol } from '../../core/theory/chords.ts';
import type { TokenChord } from '../../inference/contract.ts';
import type { BarRange } from './bar-ranges.ts';

interface MiniRollProps {
  notes: readonly NoteInput[];
  /** Notes of the clip the model was given (shown dim under the new ones). */
  context?: readonly NoteInput[];
  chords?: readonly TokenChord[];
  bars: number;
  barTicks: number;
  /** Result bars being written. */
  newBars: BarRange;
  color: string;
  label: string;
}

const MIN_SPAN = 12;

export function MiniRoll({ notes, context = [], chords, bars, barTicks, newBars, color, label }: MiniRollProps) {
  const width = bars * barTicks;
  if (chords) {
    const shown = chords.filter((c) => c.root !== null);
    return (
      <div className="mini-chords" role="img" aria-label={label}>
        {shown.map((c) => (
          <span key={c.tick} data-testid="preview-chord" style={{ left: `${(c.tick / width) * 100}%` }}>
            {chordSymbol({ root: c.root!, quality: c.quality, bass: null })}
          </span>
        ))}
      </div>
    );
  }
  let low = 127;
  let high = 0;
  for (const n of [...notes, ...context]) {
    low = Math.min(low, n.pitch);
    high = Math.max(high, n.pitch);
  }
  if (low > high) [low, high] = [48, 59];
  // At least an octave tall, centred: a one-note bass line is not a bar code.
  const span = Math.max(MIN_SPAN, high - low + 1);
  const top = high + (span - (high - low + 1)) / 2;
  const noteHeight = Math.max(0.6, span / 40);
  const rect = (n: NoteInput) => ({ x: n.tick, y: top - n.pitch, width: Math.max(n.duration, barTicks / 48) });
  return (
    <svg className="mini-roll" viewBox={`0 0 ${width} ${span}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <rect x={newBars.from * barTicks} y={0} width={(newBars.to - newBars.from) * barTicks} height={span} className="new-bars" />
      {Array.from({ length: bars - 1 }, (_, i) => (
        <line
          key={i}
          x1={(i + 1) * barTicks}
          x2={(i + 1) * barTicks}
          y1={0}
          y2={span}
          className="bar-line"
          vectorEffect="non-scaling-stroke"
        />
      ))}
      {context.map((n, i) => (
        <rect key={`c${i}`} {...rect(n)} height={noteHeight} className="context-note" />
      ))}
      {notes.map((n, i) => (
        <rect key={i} {...rect(n)} height={noteHeight} fill={color} data-testid="preview-note" opacity={0.45 + (n.velocity / 127) * 0.55} />
      ))}
    </svg>
  );
}
