/**
 * The platform of a browser tab opened from an invite link: the sync server that served the
 * page is the one to connect to; files are downloads and uploads; the AI bandmate runs in a Web
 * Worker on the model the server serves at /models/<id>/ (the id is written into index.html by
 * renderer/build.ts, so the app asks for the model it was built with). The token is read from
 * the address once and then taken out of it (a bookmark, a shared screen or a copied address no
 * longer carries it); the page keeps it in localStorage per server and room (token-keeper.ts).
 */
import { browserFiles } from './browser-files.ts';
import { browserInference } from './inference-source.ts';
import { MODEL_META } from './model-meta.ts';
import type { Platform } from './platform.ts';
import { addressWithoutToken, parseRoomAddress, type AddressResult } from '../../sync-server/client/room-link.ts';
import { browserTokenKeeper } from './token-keeper.ts';
import { connectWebsocket } from './websocket-connection.ts';
import { browserShare } from '../share/share-service.ts';
import { browserLibrary } from '../library/library-browser.ts';

/** Reads the page's address once and removes the token from the address bar, keeping the rest. */
export function readPageAddress(page: Location, history: History | undefined = globalThis.history): () => AddressResult {
  let read: AddressResult | null = null;
  return () => {
    if (read) return read;
    const href = page.href;
    read = parseRoomAddress(href);
    const cleaned = addressWithoutToken(href);
    if (cleaned !== href) {
      try {
        history?.replaceState(history.state, '', cleaned);
      } catch {
        // an address the page may not rewrite (file:, sandboxed): nothing else to do
      }
    }
    return read;
  };
}

export function browserPlatform(page: Location = window.location): Platform {
  const modelId = document.querySelector<HTMLMetaElement>(`meta[name="${MODEL_META}"]`)?.content || 'riffroom-bandmate';
  const appUrl = new URL('./', page.href).href;
  return {
    kind: 'browser',
    roomAddress: readPageAddress(page),
    tokens: browserTokenKeeper(),
    connect: (link, doc, token) => connectWebsocket(link, doc, { token }),
    files: browserFiles(),
    library: browserLibrary(),
    share: browserShare({
      fetch: (url, init) => fetch(url, init as RequestInit),
      storage: () => {
        try {
          return window.sessionStorage;
        } catch {
          return null;
        }
      },
      go: (href) => page.assign(href),
    }),
    inference: browserInference({ appUrl, modelUrl: new URL(`models/${encodeURIComponent(modelId)}/`, appUrl).href }),
  };
}
