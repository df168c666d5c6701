/**
 * The platform of the Electron window. The main process loads the page as
 * riffroom://app/index.html?room=…&server=ws://127.0.0.1:<port>#token=… (the local session host,
 * or a joined jam's server), so the room link is read like an invite's (and the token taken out
 * of the address the same way); the history API and the token routes (join an invite, renew) go
 * through the app's own origin (the main process forwards /api/ to the session's server, so the
 * page makes no cross-origin requests). Files use native dialogs over the preload bridge
 * (`window.riffroom`, electron/contract.ts); the AI bandmate is the inference utility process,
 * reached over a MessagePort (electron-inference.ts); menu commands become app commands.
 */
import { BRIDGE_KEY, BRIDGE_VERSION, INFERENCE_PORT_MESSAGE, type RiffroomBridge } from '../../electron/contract.ts';
import { dispatchAppCommand } from './app-commands.ts';
import { electronInference, type InferencePort } from './electron-inference.ts';
import type { FileService } from './file-service.ts';
import type { Platform } from './platform.ts';
import { readPageAddress } from './browser-platform.ts';
import { browserTokenKeeper } from './token-keeper.ts';
import { connectWebsocket } from './websocket-connection.ts';
import type { ShareOutcome, ShareService } from '../share/share-service.ts';
import { electronLibrary } from '../library/library-bridge.ts';
import { browserLibrary } from '../library/library-browser.ts';

/** The preload's bridge, when this page runs in the Riffroom window; null in a browser tab. */
export function electronBridge(scope: object = globalThis): RiffroomBridge | null {
  const bridge = (scope as Record<string, unknown>)[BRIDGE_KEY] as RiffroomBridge | undefined;
  return bridge && typeof bridge === 'object' && bridge.version === BRIDGE_VERSION ? bridge : null;
}

function electronFiles(bridge: RiffroomBridge): FileService {
  return {
    async save(name, bytes, mimeType) {
      const result = await bridge.files.save({ name, bytes, mimeType });
      return result.saved ? (result.name ?? name) : null;
    },
    open: (accept) => bridge.files.open({ accept }),
    dragOut(event, file) {
      // The OS drags the file the main process writes (webContents.startDrag), not the page's drag.
      event.preventDefault();
      return bridge.files.dragOut({ trackName: file.trackName, clipName: file.clipName, bytes: file.bytes });
    },
  };
}

/**
 * Share online… in the window: the main process pushes the project file it holds and keeps the
 * creator token with safeStorage (electron/share/); on success it moves the window to the hosted
 * room (the page reloads there, and the invites dialog reopens: ShareDialogs.tsx REOPEN_INVITES).
 */
function electronShare(share: NonNullable<RiffroomBridge['share']>): ShareService {
  return {
    tokenKeeping: (origin) => share.tokenInfo({ origin }),
    async share(request) {
      const answer = await share.online({ origin: request.origin, room: request.room, creatorToken: request.creatorToken });
      return answer.ok ? answer : { ...answer, problem: answer.problem as Extract<ShareOutcome, { ok: false }>['problem'] };
    },
  };
}

export function electronPlatform(bridge: RiffroomBridge, page: Location = window.location): Platform {
  bridge.onCommand(dispatchAppCommand);
  const address = readPageAddress(page);
  return {
    kind: 'electron',
    roomAddress() {
      const result = address();
      // The history API and the token routes: same origin, forwarded by the main process.
      return result.ok ? { ...result, address: { ...result.address, httpUrl: page.origin } } : result;
    },
    tokens: browserTokenKeeper(),
    connect: (link, doc, token) => connectWebsocket(link, doc, { token }),
    files: electronFiles(bridge),
    // The main process keeps the library in the app's data folder; a bridge older than it: IndexedDB.
    library: bridge.library ? electronLibrary(bridge.library) : browserLibrary(),
    desktopSession: bridge.session,
    ...(bridge.share ? { share: electronShare(bridge.share) } : {}),
    inference: electronInference({
      connect: () => bridge.inference.connect(),
      release: () => bridge.inference.release(),
      onStatus: (listener) => bridge.inference.onStatus(listener),
      onPort(listener) {
        const onMessage = (event: MessageEvent): void => {
          if (event.source !== window || event.data !== INFERENCE_PORT_MESSAGE || !event.ports[0]) return;
          listener(event.ports[0] as InferencePort);
        };
        window.addEventListener('message', onMessage);
        return () => window.removeEventListener('message', onMessage);
      },
    }),
  };
}
