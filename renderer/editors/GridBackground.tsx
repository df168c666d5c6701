/**
 * What lies under the notes: row shading (black keys, or alternate drum rows), the rows of the
 * chord tones under each chord (piano roll), grid lines (bars, beats, steps) and the stretch past
 * the clip's end, where notes are kept but not played. Drawn once per layout change.
 */
import { memo } from 'react';
import { ticksPerBeat, type Meter, type Ticks } from '../../core/time.ts';
import type { ClipChord } from './clip-chords.ts';
import { gridLines } from './grid.ts';
import type { GridLayout } from './layout.ts';
import { MIN_STEP_PX } from './metrics.ts';
import { isBlackKey } from './rows.ts';

interface GridBackgroundProps {
  layout: GridLayout;
  meter: Meter;
  step: Ticks;
  /** Width drawn (the clip, or further when notes lie past its end). */
  displayTicks: Ticks;
  clipTicks: Ticks;
  chords: ClipChord[];
  drums: boolean;
}

export const GridBackground = memo(function GridBackground({
  layout,
  meter,
  step,
  displayTicks,
  clipTicks,
  chords,
  drums,
}: GridBackgroundProps) {
  const { tickPx, rowPx, rows } = layout;
  const width = displayTicks * tickPx;
  const height = rows.pitches.length * rowPx;
  const lines = gridLines(displayTicks, meter, step, MIN_STEP_PX / tickPx);
  const beat = ticksPerBeat(meter);
  // The drum grid shades every other beat, so a row of 16th cells reads in groups of four.
  const beatShades = drums ? Array.from({ length: Math.ceil(displayTicks / beat) }, (_, i) => i).filter((i) => i % 2 === 1) : [];
  return (
    <svg className="grid-background" width={width} height={height} aria-hidden="true">
      {rows.pitches.map((pitch, i) => {
        const shaded = drums ? i % 2 === 1 : isBlackKey(pitch);
        return shaded ? <rect key={pitch} x={0} y={i * rowPx} width={width} height={rowPx} className="row-shade" /> : null;
      })}
      {beatShades.map((i) => (
        <rect key={`b${i}`} x={i * beat * tickPx} y={0} width={beat * tickPx} height={height} className="beat-shade" />
      ))}
      {!drums &&
        chords.map((c) =>
          rows.pitches.map((pitch, i) =>
            c.pitchClasses.has(pitch % 12) ? (
              <rect
                key={`${c.id}-${pitch}`}
                x={c.tick * tickPx}
                y={i * rowPx}
                width={c.duration * tickPx}
                height={rowPx}
                className="chord-tone"
              />
            ) : null,
          ),
        )}
      {!drums &&
        rows.pitches.map(
          (pitch, i) =>
            pitch % 12 === 0 && (
              <line key={`c${pitch}`} x1={0} x2={width} y1={(i + 1) * rowPx - 0.5} y2={(i + 1) * rowPx - 0.5} className="octave-line" />
            ),
        )}
      {lines.map((l) => (
        <line key={l.tick} x1={l.tick * tickPx + 0.5} x2={l.tick * tickPx + 0.5} y1={0} y2={height} className={`grid-line ${l.kind}`} />
      ))}
      {displayTicks > clipTicks && (
        <rect x={clipTicks * tickPx} y={0} width={(displayTicks - clipTicks) * tickPx} height={height} className="past-end" />
      )}
    </svg>
  );
});
