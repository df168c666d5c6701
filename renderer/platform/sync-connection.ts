/**
 * What the UI needs of "the connection to the room", whatever carries it (a y-websocket provider
 * in a browser tab or in Electron's window). The Y.Doc is the source of truth either way: edits
 * apply to it at once and travel when they can, so edits made offline merge on reconnect.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';

/**
 * connecting: the first attempt has not answered yet. connected: talking to the server and
 * synced. offline: the connection is down (it keeps retrying unless `retrying` is false).
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Whether it will try again by itself (false after a refusal that retrying cannot fix). */
  retrying: boolean;
  /** Why it is not connected, in words for the user; null while all is well. */
  problem: string | null;
  /** Local edits made since the connection dropped; they merge when it comes back. */
  offlineEdits: number;
}

export interface SyncConnection {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  getState(): ConnectionState;
  /** Called on every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Tries again now (resets the back-off, and retries after a refusal too). */
  reconnect(): void;
  /** Closes the connection for good; the Y.Doc stays usable. */
  destroy(): void;
}
