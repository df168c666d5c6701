/**
 * A generation as it happens and after: progress over the bars being written, each variation's
 * mini piano roll filling in as notes stream, then the finished variations to audition, keep one
 * of (the rest are discarded), or discard all. A variation the originality check marked says how
 * much of it repeats training music, and marked ones can be hidden.
 */
import { useState } from 'react';
import { ticksPerBar } from '../../core/time.ts';
import { COPY_MARK_TITLE, copyMark } from './copy-mark.ts';
import { resultBarsOf } from './build-request.ts';
import type { RunState } from './generation-run.ts';
import { MiniRoll } from './MiniRoll.tsx';
import { notesFingerprint } from './provenance.ts';
import { takeNotes } from './reroll.ts';

interface VariationsProps {
  state: RunState;
  color: string;
  /** Which variation is being auditioned, if any. */
  auditioning: number | null;
  /** Why a take cannot be kept (a viewer), or null. */
  keepBlocked: string | null;
  /** Why nothing can be auditioned (no audio engine), or null. */
  auditionBlocked: string | null;
  onAudition(index: number): void;
  onKeep(index: number): void;
  onDiscard(): void;
}

export function Variations({ state, color, auditioning, keepBlocked, auditionBlocked, onAudition, onKeep, onDiscard }: VariationsProps) {
  const [hideMarked, setHideMarked] = useState(false);
  const plan = state.plan;
  // A cancelled or failed run's notes are no take to keep: only running and finished runs show.
  if (!plan || (state.status !== 'running' && state.status !== 'done')) return null;
  const request = plan.request;
  const barTicks = ticksPerBar(request.meter);
  const bars = resultBarsOf(request);
  const newFrom = plan.newBars.from * barTicks;
  const newTo = plan.newBars.to * barTicks;
  const isChords = request.role === 'chords';
  const done = state.status === 'done' && state.result;
  const context = request.clip?.notes ?? [];
  const count = done ? state.result!.variations.length : state.streamed.length;
  const exact = plan.rerollOf?.exact ? plan.rerollOf.variation : null;
  const marks = done ? state.result!.variations.map((v) => copyMark(v.copy)) : [];
  const markedCount = marks.filter(Boolean).length;
  return (
    <div className="gen-variations" data-testid="gen-variations" data-phase={done ? 'done' : 'streaming'}>
      {markedCount > 0 && (
        <label className="gen-hide-marked" title={COPY_MARK_TITLE}>
          <input
            type="checkbox"
            data-testid="gen-hide-marked"
            checked={hideMarked}
            onChange={(e) => setHideMarked(e.currentTarget.checked)}
          />{' '}
          Hide variations that repeat training music ({markedCount})
        </label>
      )}
      {Array.from({ length: count }, (_, i) => {
        if (hideMarked && marks[i]) return null;
        const part = done ? state.result!.variations[i]! : state.streamed[i]!;
        const notes = part.notes.filter((n) => n.tick >= newFrom && n.tick < newTo);
        const fingerprint = done ? notesFingerprint(takeNotes(state.result!, plan, i, null)) : undefined;
        return (
          <div
            key={i}
            className={`gen-variation${exact === i ? ' stored' : ''}`}
            data-testid="gen-variation"
            data-index={i}
            data-note-count={isChords ? part.chords.length : notes.length}
            data-notes={fingerprint}
            data-copy-marked={marks[i] ? 'true' : undefined}
          >
            <div className="gen-variation-head">
              <span>{exact === i ? `Variation ${i + 1} (the clip's)` : `Variation ${i + 1}`}</span>
              <span className="muted">
                {isChords ? `${part.chords.filter((c) => c.root !== null).length} chords` : `${notes.length} notes`}
              </span>
              <span className="spacer" />
              {done && (
                <>
                  <button
                    type="button"
                    className={auditioning === i ? 'active' : ''}
                    data-testid="gen-audition"
                    disabled={Boolean(auditionBlocked)}
                    title={auditionBlocked ?? (auditioning === i ? 'Stop the preview' : "Hear it on the track's instrument")}
                    onClick={() => onAudition(i)}
                  >
                    {auditioning === i ? '■ Stop' : '▶ Play'}
                  </button>
                  <button
                    type="button"
                    data-testid="gen-keep"
                    disabled={Boolean(keepBlocked)}
                    title={keepBlocked ?? 'Write it into the song (the others are discarded)'}
                    onClick={() => onKeep(i)}
                  >
                    Keep
                  </button>
                </>
              )}
            </div>
            {marks[i] && (
              <div className="gen-copy-mark" data-testid="gen-copy-mark" title={COPY_MARK_TITLE}>
                {marks[i]}
              </div>
            )}
            <MiniRoll
              notes={notes}
              context={context}
              chords={isChords ? part.chords : undefined}
              bars={bars}
              barTicks={barTicks}
              newBars={plan.newBars}
              color={color}
              label={`Variation ${i + 1}: ${notes.length} notes`}
            />
          </div>
        );
      })}
      {done && (
        <button type="button" className="gen-discard" data-testid="gen-discard" onClick={onDiscard}>
          Discard all
        </button>
      )}
    </div>
  );
}
