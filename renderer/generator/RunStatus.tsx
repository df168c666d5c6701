/**
 * The line under the actions: the host starting, progress while notes stream (with Cancel), how
 * long it took, or what went wrong (with Try again). Timings are also data attributes for tests.
 */
import { rangeLength } from './bar-ranges.ts';
import type { RunState } from './generation-run.ts';

interface RunStatusProps {
  state: RunState;
  /** A problem found before anything was sent (nothing selected, a locked clip…). */
  inputError: string | null;
  onCancel(): void;
  onRetry(): void;
}

const seconds = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

export function RunStatus({ state, inputError, onCancel, onRetry }: RunStatusProps) {
  const busy = state.status === 'starting' || state.status === 'running';
  const plan = state.plan;
  const newBars = plan ? rangeLength(plan.newBars) : 0;
  const bar = Math.min(newBars, Math.floor(state.progress * newBars) + 1);
  return (
    <div
      className="gen-status"
      data-testid="gen-status"
      data-status={state.status}
      data-first-note-ms={state.firstNoteMs ?? undefined}
      data-total-ms={state.totalMs ?? undefined}
    >
      {busy && (
        <div className="gen-progress-row">
          <progress
            data-testid="gen-progress"
            data-progress={state.progress.toFixed(3)}
            max={1}
            value={state.status === 'starting' ? undefined : state.progress}
          />
          <button type="button" className="gen-cancel" data-testid="gen-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
      {state.status === 'starting' && (
        <p className="muted">{state.hostStarting ? 'Starting the AI bandmate (loading its model)…' : 'Waiting for the AI bandmate…'}</p>
      )}
      {state.status === 'running' && (
        <p className="muted">
          {state.streamedCount === 0 ? 'Listening to the song…' : `Writing bar ${bar} of ${newBars} · ${state.streamedCount} notes`}
        </p>
      )}
      {state.status === 'done' && state.result && (
        <p className="muted" data-testid="gen-done">
          {state.result.variations.length} variation{state.result.variations.length === 1 ? '' : 's'}
          {state.firstNoteMs !== null && ` · first note in ${seconds(state.firstNoteMs)}`}
          {state.totalMs !== null && ` · done in ${seconds(state.totalMs)}`}
        </p>
      )}
      {state.status === 'cancelled' && (
        <p className="muted" data-testid="gen-cancelled">
          Cancelled.
        </p>
      )}
      {(state.status === 'failed' || inputError) && (
        <div className="gen-error" role="alert" data-testid="gen-error">
          <span>{inputError ?? state.error}</span>
          {!inputError && state.plan && (
            <button type="button" data-testid="gen-retry" onClick={onRetry}>
              Try again
            </button>
          )}
        </div>
      )}
    </div>
  );
}
