/**
 * SyncConnection over the stock y-websocket WebsocketProvider: ws://host:port/<room>, the token as
 * websocket subprotocols (sync-server/contract.ts tokenProtocols: never in the URL, which ends up
 * in logs).
 *
 * The token is renewed as the session goes on (token-renewal.ts): each renewal is sent in place
 * on the open socket (a y-websocket auth message carrying it; the server answers with the new
 * exp) and taken for every later reconnect (the provider reads `protocols` when it connects).
 * The server closes a socket whose token ran out with 4401: when a newer token can be had, this
 * reconnects with it; otherwise it says why in words and stops retrying.
 *
 * The browser's WebSocket API hides why an upgrade was refused (a bad or expired token is just
 * "closed, 1006"), so when a connection closes without ever opening, this asks the server's
 * history API with the same token: a 401/403 there is the real reason, shown to the user, and
 * retrying stops (a new invite is needed). Close codes 4400-4499 (viewer wrote, rate limit,
 * malformed) also stop retrying, as the provider itself does. A server that cannot be reached
 * is explained by reach-problem.ts (a certificate that is not trusted is named as such); one that
 * closes with 1012 is restarting: the page says so and keeps reconnecting until it is back.
 */
import type * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import { publishEditLabels, watchLabels } from '../../core/song/edit-labels.ts';
import { AUTH_TOKEN_RENEWED, CLOSE, MESSAGE_AUTH, tokenProtocols } from '../../sync-server/contract.ts';
import type { RoomLink } from '../../sync-server/client/room-link.ts';
import { certificateProblem, unreachableProblem } from './reach-problem.ts';
import type { ConnectionState, SyncConnection } from './sync-connection.ts';
import { fixedToken, type LiveToken } from './token-renewal.ts';

export interface WebsocketConnectionOptions {
  /** A WebSocket class (Node tests pass `ws`); the platform's own by default. */
  WebSocketImpl?: typeof WebSocket;
  fetchImpl?: typeof fetch;
  /** Longest wait between automatic retries, ms. */
  maxBackoffMs?: number;
  /** The page's token as it is renewed; by default the link's, never renewed. */
  token?: LiveToken;
}

/** The connection, with what tests and the dev console read about its token. */
export interface WebsocketConnection extends SyncConnection {
  /** Websockets opened so far (1 after the first: a reconnect makes it 2). */
  readonly sockets: number;
  /** The exp (seconds) the server last confirmed for a token sent in place; null before any. */
  readonly renewedExp: number | null;
}

/** What the page says between a 1012 close and the server being back. */
export const RESTARTING = 'The server is restarting; reconnecting…';

/** Server answers that retrying cannot fix: the token is bad, expired or for another room. */
const REFUSED = new Set([401, 403]);

/** What a close code from our server means, for codes the provider will not retry. */
function closeProblem(code: number, reason: string): string {
  const why = reason ? `: ${reason}` : '';
  // A viewer's write, or a student's under the teacher's rules: the reason says which.
  if (code === CLOSE.forbidden)
    return `The server closed the connection (not allowed${why}).${/viewer/.test(reason) || !reason ? ' Viewers can look but not edit.' : ''}`;
  if (code === CLOSE.rateLimited) return `The server closed the connection: too many changes too fast${why}.`;
  if (code === CLOSE.malformed) return `The server closed the connection: it could not read a message${why}.`;
  return `The server closed the connection (${code}${why}).`;
}

/** The y-websocket auth message that renews the socket's token in place (contract.ts MESSAGE_AUTH). */
function renewalMessage(token: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AUTH);
  encoding.writeVarString(encoder, token);
  return encoding.toUint8Array(encoder);
}

export function connectWebsocket(link: RoomLink, doc: Y.Doc, options: WebsocketConnectionOptions = {}): WebsocketConnection {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const live = options.token ?? fixedToken(link.token, link.claims);
  const provider = new WebsocketProvider(link.serverUrl, link.room, doc, {
    protocols: tokenProtocols(live.token),
    // Every tab talks to the server under its own token: no BroadcastChannel shortcut between
    // tabs, which would carry a viewer tab's edits out through an editor tab.
    disableBc: true,
    maxBackoffTime: options.maxBackoffMs ?? 3000,
    ...(options.WebSocketImpl ? { WebSocketPolyfill: options.WebSocketImpl } : {}),
  });
  // The server's answer to a token sent in place: [MESSAGE_AUTH, AUTH_TOKEN_RENEWED, exp]. A
  // permission-denied auth message (sub-type 0) is logged, as the stock handler does.
  let renewedExp: number | null = null;
  provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
    const kind = decoding.readVarUint(decoder);
    if (kind === AUTH_TOKEN_RENEWED) renewedExp = decoding.readVarUint(decoder);
    else if (kind === 0) console.warn(`riffroom: permission denied: ${decoding.readVarString(decoder)}`);
  };
  // The server's history shows each edit's label ("moved clip to bar 3"): announce them.
  const stopLabels = publishEditLabels(doc, provider.awareness);

  let state: ConnectionState = { status: 'connecting', retrying: true, problem: null, offlineEdits: 0 };
  const listeners = new Set<() => void>();
  let everOpened = false;
  let openedThisAttempt = false;
  let diagnosing = false;
  let destroyed = false;
  /** The server said it is restarting (1012): until it is back, that is the problem to show. */
  let restarting = false;
  // The provider opened its first socket in its constructor, before these listeners.
  let sockets = provider.ws ? 1 : 0;
  /** The token the current socket was opened with (or last renewed in place with). */
  let socketToken = live.token;

  const set = (patch: Partial<ConnectionState>): void => {
    const next = { ...state, ...patch };
    if (
      next.status === state.status &&
      next.retrying === state.retrying &&
      next.problem === state.problem &&
      next.offlineEdits === state.offlineEdits
    ) {
      return;
    }
    state = next;
    for (const l of [...listeners]) l();
  };

  const stopCounting = watchLabels(doc, () => {
    if (state.status !== 'connected') set({ offlineEdits: state.offlineEdits + 1 });
  });

  /** Sends the newest token on the open socket, if it was opened with an older one. */
  const sendInPlace = (): void => {
    const ws = provider.ws;
    if (!provider.wsconnected || !ws || ws.readyState !== 1 || socketToken === live.token) return;
    socketToken = live.token;
    ws.send(renewalMessage(live.token) as Uint8Array<ArrayBuffer>);
  };
  const stopToken = live.subscribe((event) => {
    if (event.type !== 'renewed' || destroyed) return;
    // Every later (re)connect offers the new token; the open socket gets it in place.
    provider.protocols = tokenProtocols(event.token);
    sendInPlace();
  });

  /** The socket's token ran out (4401): reconnect with a newer one if one can be had, else say why. */
  const expired = async (reason: string): Promise<void> => {
    const refusedInPlace = reason.startsWith('renewal refused');
    set({ status: 'offline', retrying: true, problem: 'Your access to the room ran out; renewing it…' });
    const token = refusedInPlace ? null : await live.fresh();
    if (destroyed) return;
    if (token && token !== socketToken) {
      provider.protocols = tokenProtocols(token);
      set({ problem: 'Reconnecting with your renewed access…' });
      provider.connect();
      return;
    }
    set({ status: 'offline', retrying: false, problem: `${live.endedProblem()}${refusedInPlace ? ` (${reason})` : ''}` });
  };

  /** Asks the history API why the websocket was refused; stops retrying if the token is bad. */
  const diagnose = async (): Promise<void> => {
    if (diagnosing) return;
    diagnosing = true;
    try {
      const url = `${link.httpUrl}/api/rooms/${encodeURIComponent(link.room)}/history?after=999999999999999&limit=1`;
      const res = await fetchImpl(url, { headers: { authorization: `Bearer ${live.token}` } });
      if (destroyed || state.status === 'connected') return;
      if (REFUSED.has(res.status)) {
        const body = (await res.json().catch(() => null)) as { error?: string } | null;
        const error = body?.error ?? `HTTP ${res.status}`;
        provider.disconnect();
        set({
          status: 'offline',
          retrying: false,
          problem:
            res.status === 401 && /expired/.test(error)
              ? live.endedProblem()
              : `The server refused this invite: ${error}. Ask the host for a new link.`,
        });
      } else if (restarting) {
        set({ problem: RESTARTING });
      } else {
        // The desktop app's proxy answers 502 with Chromium's reason (a certificate error among them).
        const body = res.status === 502 ? ((await res.json().catch(() => null)) as { error?: string } | null) : null;
        const certificate = certificateProblem(body?.error ?? '');
        set({
          problem: certificate
            ? `${certificate} Ask the host to fix it; retrying.`
            : 'The server answers, but the live connection failed; retrying.',
        });
      }
    } catch (err) {
      if (!destroyed && state.status !== 'connected') set({ problem: restarting ? RESTARTING : unreachableProblem(link.httpUrl, err) });
    } finally {
      diagnosing = false;
    }
  };

  provider.on('status', ({ status }) => {
    if (status === 'connected') {
      everOpened = true;
      openedThisAttempt = true;
      // A renewal that came while this socket was connecting goes out now.
      sendInPlace();
      // Connected, but not "connected" for the user until the first sync: until then the page
      // may still show the empty document.
    } else if (status === 'connecting') {
      // A new socket, opened with the protocols as they are now.
      sockets++;
      socketToken = live.token;
      openedThisAttempt = false;
      // Once a connection has failed, the status stays offline through the retries.
      if (state.status !== 'offline') set({ status: 'connecting' });
    }
  });
  provider.on('sync', (synced: boolean) => {
    if (synced) restarting = false;
    if (synced) set({ status: 'connected', retrying: true, problem: null, offlineEdits: 0 });
  });
  provider.on('connection-close', (event) => {
    if (destroyed) return;
    const wasConnected = state.status === 'connected';
    // Close event codes from the server; `null` when the provider closed it itself.
    if (event?.code === CLOSE.serviceRestart) restarting = true;
    let problem = wasConnected ? 'Lost the connection to the sync server; retrying.' : state.problem;
    if (event?.code === CLOSE.goingAway) problem = 'The sync server is shutting down or restarting; retrying.';
    if (event?.code === CLOSE.serviceRestart) problem = RESTARTING;
    set({ status: 'offline', problem });
    if (!openedThisAttempt) void diagnose();
  });
  provider.on('closed', ({ code, reason }) => {
    if (code === CLOSE.tokenExpired) return void expired(reason);
    set({ status: 'offline', retrying: false, problem: closeProblem(code, reason) });
  });

  return {
    doc,
    awareness: provider.awareness,
    get sockets() {
      return sockets;
    },
    get renewedExp() {
      return renewedExp;
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconnect() {
      if (destroyed) return;
      provider.disconnect();
      provider.wsUnsuccessfulReconnects = 0;
      provider.protocols = tokenProtocols(live.token);
      set({
        status: state.status === 'connected' ? 'connecting' : state.status,
        retrying: true,
        problem: everOpened ? 'Reconnecting…' : null,
      });
      provider.connect();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      stopToken();
      stopLabels();
      stopCounting();
      provider.destroy();
      provider.awareness.destroy();
      listeners.clear();
    },
  };
}
