/**
 * The selected clip's bars: which to fill (a from–to range) and which to lock (click a bar). A
 * locked clip shows every bar locked: the AI bandmate never changes it.
 */
import type { Clip } from '../../core/song/types.ts';
import { clampRange, rangeLabel, toggleBar, type BarRange } from './bar-ranges.ts';
import { LockIcon } from './icons.tsx';
import { MAX_GENERATED_BARS } from './settings.ts';

interface ClipBarsProps {
  clip: Clip;
  trackName: string;
  /** The part Continue, Vary and Fill write: the clip's track role. */
  role: string;
  fill: BarRange;
  lockedBars: readonly number[];
  disabled: boolean;
  onFill(range: BarRange): void;
  onLockedBars(bars: number[]): void;
}

export function ClipBars({ clip, trackName, role, fill, lockedBars, disabled, onFill, onLockedBars }: ClipBarsProps) {
  const bars = Math.min(clip.lengthBars, MAX_GENERATED_BARS);
  const range = clampRange(fill, bars);
  const options = Array.from({ length: bars }, (_, i) => i);
  return (
    <div className="gen-clip" data-testid="gen-clip" data-clip-id={clip.id}>
      <div className="gen-clip-title">
        <strong>{clip.name || trackName}</strong>
        <span className="muted">
          {role} · bars {clip.startBar + 1}–{clip.startBar + clip.lengthBars} · {clip.notes.length} notes
        </span>
        {clip.locked && (
          <span className="gen-badge" title="Unlock the clip to let the AI bandmate change it">
            locked
          </span>
        )}
      </div>
      <div className="gen-bar-strip" role="group" aria-label="Bars of the clip: click to lock or unlock">
        {options.map((bar) => {
          const locked = clip.locked || lockedBars.includes(bar);
          const inFill = bar >= range.from && bar < range.to;
          return (
            <button
              key={bar}
              type="button"
              className={`gen-bar${locked ? ' locked' : ''}${inFill ? ' fill' : ''}`}
              data-testid="gen-bar"
              data-bar={bar}
              data-locked={locked || undefined}
              data-fill={inFill || undefined}
              aria-pressed={locked}
              title={locked ? `Bar ${bar + 1} is locked: kept as it is` : `Lock bar ${bar + 1}`}
              disabled={disabled || clip.locked}
              onClick={() => onLockedBars(toggleBar(lockedBars, bar))}
            >
              {locked ? <LockIcon /> : bar + 1}
            </button>
          );
        })}
        {clip.lengthBars > bars && <span className="muted">first {bars} bars</span>}
      </div>
      <div className="gen-fill-range">
        <span className="muted">Fill</span>
        <select
          aria-label="First bar to fill"
          data-testid="gen-fill-from"
          value={range.from}
          disabled={disabled}
          onChange={(e) =>
            onFill(clampRange({ from: Number(e.currentTarget.value), to: Math.max(range.to, Number(e.currentTarget.value) + 1) }, bars))
          }
        >
          {options.map((b) => (
            <option key={b} value={b}>
              bar {b + 1}
            </option>
          ))}
        </select>
        <span className="muted">to</span>
        <select
          aria-label="Last bar to fill"
          data-testid="gen-fill-to"
          value={range.to - 1}
          disabled={disabled}
          onChange={(e) =>
            onFill(clampRange({ from: Math.min(range.from, Number(e.currentTarget.value)), to: Number(e.currentTarget.value) + 1 }, bars))
          }
        >
          {options.map((b) => (
            <option key={b} value={b}>
              bar {b + 1}
            </option>
          ))}
        </select>
        <span className="muted" data-testid="gen-fill-label">
          ({rangeLabel(range)})
        </span>
      </div>
    </div>
  );
}
