/**
 * Clients that connect from another loopback address (127.0.0.2, 127.0.0.3, ...: Linux routes all
 * of 127.0.0.0/8 to the loopback), so a server counts them as a different remote address than
 * the 127.0.0.1 of everything else in a test: honest peers beside an attacker on 127.0.0.1.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import type { JamSocketConstructor } from '../../core/jam/jam-client.ts';
import { publishEditLabels } from '../../core/song/edit-labels.ts';
import { waitFor, type Client } from './yjs-clients.ts';

/** The `ws` WebSocket, bound to `localAddress` (for JamClient, WebsocketProvider or by hand). */
export function webSocketFrom(localAddress: string): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress });
    }
  } as typeof WebSocket;
}

export function jamSocketFrom(localAddress: string): JamSocketConstructor {
  return webSocketFrom(localAddress) as unknown as JamSocketConstructor;
}

/** A stock y-websocket client (as yjs-clients.ts connectClient) connecting from `localAddress`. */
export async function connectClientFrom(localAddress: string, wsUrl: string, room: string, token: string): Promise<Client> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, room, doc, {
    params: { token },
    WebSocketPolyfill: webSocketFrom(localAddress) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
  try {
    publishEditLabels(doc, provider.awareness);
    await waitFor(() => provider.synced, 10_000, `client for ${room} from ${localAddress} did not sync`);
  } catch (err) {
    provider.destroy();
    provider.awareness.destroy();
    throw err;
  }
  return { doc, provider };
}
