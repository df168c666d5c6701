/**
 * SyncConnection over the stock y-websocket WebsocketProvider: ws://host:port/<room>?token=<t>.
 *
 * The browser's WebSocket API hides why an upgrade was refused (a bad or expired token is just
 * "closed, 1006"), so when a connection closes without ever opening, this asks the server's
 * history API with the same token: a 401/403 there is the real reason, shown to the user, and
 * retrying stops (a new invite is needed). Close codes 4400-4499 (viewer wrote, rate limit,
 * malformed) also stop retrying, as the provider itself does.
 */
import type * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { publishEditLabels, watchLabels } from '../../core/song/edit-labels.ts';
import { CLOSE } from '../../sync-server/contract.ts';
import type { RoomLink } from './room-link.ts';
import type { ConnectionState, SyncConnection } from './sync-connection.ts';

export interface WebsocketConnectionOptions {
  /** A WebSocket class (Node tests pass `ws`); the platform's own by default. */
  WebSocketImpl?: typeof WebSocket;
  fetchImpl?: typeof fetch;
  /** Longest wait between automatic retries, ms. */
  maxBackoffMs?: number;
}

/** Server answers that retrying cannot fix: the token is bad, expired or for another room. */
const REFUSED = new Set([401, 403]);

/** What a close code from our server means, for codes the provider will not retry. */
function closeProblem(code: number, reason: string): string {
  const why = reason ? `: ${reason}` : '';
  // A viewer's write, or a student's under the teacher's rules: the reason says which.
  if (code === CLOSE.forbidden) return `The server closed the connection (not allowed${why}).${/viewer/.test(reason) || !reason ? ' Viewers can look but not edit.' : ''}`;
  if (code === CLOSE.rateLimited) return `The server closed the connection: too many changes too fast${why}.`;
  if (code === CLOSE.malformed) return `The server closed the connection: it could not read a message${why}.`;
  return `The server closed the connection (${code}${why}).`;
}

export function connectWebsocket(link: RoomLink, doc: Y.Doc, options: WebsocketConnectionOptions = {}): SyncConnection {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const provider = new WebsocketProvider(link.serverUrl, link.room, doc, {
    params: { token: link.token },
    // Every tab talks to the server under its own token: no BroadcastChannel shortcut between
    // tabs, which would carry a viewer tab's edits out through an editor tab.
    disableBc: true,
    maxBackoffTime: options.maxBackoffMs ?? 3000,
    ...(options.WebSocketImpl ? { WebSocketPolyfill: options.WebSocketImpl } : {}),
  });
  // The server's history shows each edit's label ("moved clip to bar 3"): announce them.
  const stopLabels = publishEditLabels(doc, provider.awareness);

  let state: ConnectionState = { status: 'connecting', retrying: true, problem: null, offlineEdits: 0 };
  const listeners = new Set<() => void>();
  let everOpened = false;
  let openedThisAttempt = false;
  let diagnosing = false;
  let destroyed = false;

  const set = (patch: Partial<ConnectionState>): void => {
    const next = { ...state, ...patch };
    if (
      next.status === state.status && next.retrying === state.retrying &&
      next.problem === state.problem && next.offlineEdits === state.offlineEdits
    ) {
      return;
    }
    state = next;
    for (const l of [...listeners]) l();
  };

  const stopCounting = watchLabels(doc, () => {
    if (state.status !== 'connected') set({ offlineEdits: state.offlineEdits + 1 });
  });

  /** Asks the history API why the websocket was refused; stops retrying if the token is bad. */
  const diagnose = async (): Promise<void> => {
    if (diagnosing) return;
    diagnosing = true;
    try {
      const url = `${link.httpUrl}/api/rooms/${encodeURIComponent(link.room)}/history?after=999999999999999&limit=1`;
      const res = await fetchImpl(url, { headers: { authorization: `Bearer ${link.token}` } });
      if (destroyed || state.status === 'connected') return;
      if (REFUSED.has(res.status)) {
        const body = (await res.json().catch(() => null)) as { error?: string } | null;
        provider.disconnect();
        set({
          status: 'offline',
          retrying: false,
          problem: `The server refused this invite: ${body?.error ?? `HTTP ${res.status}`}. Ask the host for a new link.`,
        });
      } else {
        set({ problem: 'The server answers, but the live connection failed; retrying.' });
      }
    } catch {
      if (!destroyed && state.status !== 'connected') set({ problem: `Cannot reach the sync server at ${link.httpUrl}; retrying.` });
    } finally {
      diagnosing = false;
    }
  };

  provider.on('status', ({ status }) => {
    if (status === 'connected') {
      everOpened = true;
      openedThisAttempt = true;
      // Connected, but not "connected" for the user until the first sync: until then the page
      // may still show the empty document.
    } else if (status === 'connecting') {
      openedThisAttempt = false;
      // Once a connection has failed, the status stays offline through the retries.
      if (state.status !== 'offline') set({ status: 'connecting' });
    }
  });
  provider.on('sync', (synced: boolean) => {
    if (synced) set({ status: 'connected', retrying: true, problem: null, offlineEdits: 0 });
  });
  provider.on('connection-close', (event) => {
    if (destroyed) return;
    const wasConnected = state.status === 'connected';
    set({ status: 'offline', problem: wasConnected ? 'Lost the connection to the sync server; retrying.' : state.problem });
    if (!openedThisAttempt) void diagnose();
    // Close event codes from the server; `null` when the provider closed it itself.
    if (event && event.code === CLOSE.goingAway) set({ problem: 'The sync server is shutting down or restarting; retrying.' });
  });
  provider.on('closed', ({ code, reason }) => {
    set({ status: 'offline', retrying: false, problem: closeProblem(code, reason) });
  });

  return {
    doc,
    awareness: provider.awareness,
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconnect() {
      if (destroyed) return;
      provider.disconnect();
      provider.wsUnsuccessfulReconnects = 0;
      set({ status: state.status === 'connected' ? 'connecting' : state.status, retrying: true, problem: everOpened ? 'Reconnecting…' : null });
      provider.connect();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      stopLabels();
      stopCounting();
      provider.destroy();
      provider.awareness.destroy();
      listeners.clear();
    },
  };
}
