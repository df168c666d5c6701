/**
 * The platform of a browser tab opened from an invite link: the sync server that served the
 * page is the one to connect to; files are downloads and uploads; the AI bandmate runs in a Web
 * Worker on the model the server serves at /models/<id>/ (the id is written into index.html by
 * renderer/build.ts, so the app asks for the model it was built with).
 */
import { browserFiles } from './browser-files.ts';
import { browserInference } from './inference-source.ts';
import { MODEL_META } from './model-meta.ts';
import type { Platform } from './platform.ts';
import { parseRoomLink } from './room-link.ts';
import { connectWebsocket } from './websocket-connection.ts';

export function browserPlatform(page: Location = window.location): Platform {
  const modelId = document.querySelector<HTMLMetaElement>(`meta[name="${MODEL_META}"]`)?.content || 'riffroom-bandmate';
  const appUrl = new URL('./', page.href).href;
  return {
    kind: 'browser',
    roomLink: () => parseRoomLink(page.href),
    connect: (link, doc) => connectWebsocket(link, doc),
    files: browserFiles(),
    inference: browserInference({ appUrl, modelUrl: new URL(`models/${encodeURIComponent(modelId)}/`, appUrl).href }),
  };
}
