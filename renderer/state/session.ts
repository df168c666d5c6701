/**
 * One open room: the shared document, its connection, the song store, this user's undo stack
 * and presence. Everything a panel needs to read or edit the song hangs off this object.
 */
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { Platform } from '../platform/platform.ts';
import type { RoomLink } from '../../sync-server/client/room-link.ts';
import type { SyncConnection } from '../platform/sync-connection.ts';
import { fixedToken, type LiveToken } from '../platform/token-renewal.ts';
import { LocalUndo } from './local-undo.ts';
import { setLocalUser, setSelectedClip, type PresenceUser } from './presence.ts';
import { SongStore, type FrameScheduler } from '../../core/song/song-store.ts';

export interface RoomSession {
  /** The room and the token it was opened with (`token` below is the newest). */
  readonly link: RoomLink;
  /** The page's token as it is renewed: sockets and the history API take the newest. */
  readonly token: LiveToken;
  readonly doc: Y.Doc;
  readonly connection: SyncConnection;
  /** Presence of everyone in the room (state/presence.ts reads and writes it). */
  readonly awareness: Awareness;
  readonly store: SongStore;
  readonly undo: LocalUndo;
  readonly user: PresenceUser;
  /** Viewers see everything and change nothing (the server closes a viewer that writes). */
  readonly readOnly: boolean;
  destroy(): void;
}

export function openRoomSession(
  platform: Pick<Platform, 'connect'>,
  link: RoomLink,
  user: PresenceUser,
  schedule: FrameScheduler,
  token: LiveToken = fixedToken(link.token, link.claims),
): RoomSession {
  const doc = new Y.Doc();
  const connection = platform.connect(link, doc, token);
  const awareness = connection.awareness;
  setLocalUser(awareness, user);
  setSelectedClip(awareness, null);
  const store = new SongStore(doc, schedule, (error) => console.error('riffroom: cannot read the song:', error));
  const undo = new LocalUndo(doc);
  return {
    link,
    token,
    doc,
    connection,
    awareness,
    store,
    undo,
    user,
    readOnly: link.claims.role === 'viewer',
    destroy() {
      undo.destroy();
      store.destroy();
      connection.destroy();
      doc.destroy();
    },
  };
}
