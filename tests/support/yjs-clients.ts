/**
 * Stock y-websocket clients (the same WebsocketProvider a browser uses) for tests and benches.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { publishEditLabels } from '../../core/song/edit-labels.ts';

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

/**
/**
 * Connects a new document to `room` and resolves once the first sync is done. The token goes as
 * ?token=, or as subprotocols when `protocols` is given (contract.ts tokenProtocols; pass '' as
 * the token then). `options.WebSocket` is the socket class (default: the `ws` package's), e.g. one
 * bound to another local address.
 */
export async function connectClient(
  wsUrl: string,
  room: string,
  token: string,
  options: { timeoutMs?: number; doc?: Y.Doc; protocols?: string[]; WebSocket?: typeof WebSocket } = {},
): Promise<Client> {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    params: token ? { token } : {},
    protocols: options.protocols ?? [],
    WebSocketPolyfill: (options.WebSocket ?? WebSocket) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
  try {
    // As the app does: announce each edit's label so the server's history shows it.
    publishEditLabels(doc, provider.awareness);
    await waitFor(() => provider.synced, options.timeoutMs ?? 10_000, `client for ${room} did not sync`);
  } catch (err) {
    // A provider (or its awareness timer) left behind keeps the test process alive: stop both.
    provider.destroy();
    provider.awareness.destroy();
    throw err;
  }
  return { doc, provider };
}

export function disconnect(client: Client): void {
  client.provider.destroy();
  client.doc.destroy();
}

export async function waitFor(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
