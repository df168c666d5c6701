/**
 * Everything the UI needs from where it runs, behind one narrow interface: a browser tab
 * (browser-platform.ts) or the Electron window (electron/, issue 6). The UI never touches
 * `window.location`, downloads or workers directly.
 */
import type * as Y from 'yjs';
import type { RiffroomBridge } from '../../electron/contract.ts';
import type { FileService } from './file-service.ts';
import type { InferenceSource } from './inference-source.ts';
import type { AddressResult, RoomLink } from '../../sync-server/client/room-link.ts';
import type { SyncConnection } from './sync-connection.ts';
import type { TokenKeeper } from './token-keeper.ts';
import type { ShareService } from '../share/share-service.ts';
import type { LiveToken } from './token-renewal.ts';
import type { LibraryService } from '../library/library-service.ts';

export interface Platform {
  readonly kind: 'browser' | 'electron';
  /**
   * The room this window opens and the token its address carried (null when none: a reload), or
   * why the address cannot be used. Reading it takes the token out of the address bar (the room
   * stays), so it is read once.
   */
  roomAddress(): AddressResult;
  /** Where the page keeps its personal token per server and room (token-keeper.ts). */
  readonly tokens: TokenKeeper;
  /**
   * Connects `doc` to the room with `token` (renewed in place as it goes); edits made while
   * offline merge when the connection returns.
   */
  connect(link: RoomLink, doc: Y.Doc, token: LiveToken): SyncConnection;
  readonly files: FileService;
  readonly inference: InferenceSource;
  /**
   * The desktop app's session (host a jam on the LAN, stop, join one by link): the Electron window
   * only; absent in a browser tab, where the host and join dialogs are not shown.
   */
  readonly desktopSession?: DesktopSession;
  /** The riff library: the desktop's SQLite file over the bridge, or this browser's IndexedDB. */
  readonly library: LibraryService;
  /** "Share online…": push the open project to a hosted server (renderer/share/). */
  readonly share?: ShareService;
}

export type DesktopSession = RiffroomBridge['session'];
