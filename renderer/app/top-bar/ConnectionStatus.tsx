/**
 * The connection, as the user needs to know it: a lamp (connected / connecting / offline) with a
 * Reconnect button in the header, and while not connected a banner saying why, whether it keeps
 * trying, and that edits made meanwhile are kept and will merge.
 */
import type { SyncConnection } from '../../platform/sync-connection.ts';
import { useConnectionState } from '../../state/hooks.ts';

const LABEL = { connecting: 'Connecting…', connected: 'Connected', offline: 'Offline' } as const;

function pendingText(edits: number): string | null {
  return edits > 0 ? `${edits} edit${edits === 1 ? '' : 's'} made here will merge when back online.` : null;
}

export function ConnectionStatus({ connection }: { connection: SyncConnection }) {
  const state = useConnectionState(connection);
  const title = [LABEL[state.status], state.problem, state.status !== 'connected' && pendingText(state.offlineEdits)]
    .filter(Boolean)
    .join(' · ');
  return (
    <div className="connection" data-testid="connection" data-status={state.status} role="status" title={title}>
      <span className="lamp" aria-hidden="true" />
      <span data-testid="connection-label">{LABEL[state.status]}</span>
      {state.status !== 'connected' && (
        <button type="button" data-testid="reconnect" onClick={() => connection.reconnect()} title="Try to connect now">
          Reconnect
        </button>
      )}
    </div>
  );
}

export function ConnectionBanner({ connection }: { connection: SyncConnection }) {
  const state = useConnectionState(connection);
  // The first connect is usually done before anyone could read a banner.
  if (state.status === 'connected' || (state.status === 'connecting' && !state.problem)) return null;
  const pending = pendingText(state.offlineEdits);
  return (
    <div className={`connection-banner${state.retrying ? '' : ' stopped'}`} data-testid="connection-banner" role="alert">
      <strong>{state.retrying ? 'Working offline.' : 'Not connected.'}</strong>
      <span data-testid="connection-problem">{state.problem ?? 'Connecting to the sync server…'}</span>
      {pending && <span data-testid="offline-edits">{pending}</span>}
      {!state.retrying && (
        <button type="button" onClick={() => connection.reconnect()}>
          Try again
        </button>
      )}
    </div>
  );
}
