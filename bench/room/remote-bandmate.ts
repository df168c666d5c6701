/**
 * A bandmate on another machine, as the player's page sees one: a stock y-websocket client (the
 * provider a browser uses) with presence, whose edits are core's typed edits — the same labelled
 * "moved N notes" edit the piano roll's arrow keys make. Used by the room bench to load the
 * player's page with a bandmate's edits without also spending the player's CPU on a second page
 * (a real bandmate's page runs on their own computer).
 */
import { moveNotes } from '../../core/song/edits.ts';
import { clipNotes, clipsMap } from '../../core/song/schema.ts';
import { testToken } from '../../tests/support/server-process.ts';
import { connectClient, disconnect, type Client } from '../../tests/support/yjs-clients.ts';

export interface RemoteBandmate {
  /** Shows `clipId` as this bandmate's selection (presence), as opening it in the editor does. */
  open(clipId: string): void;
  /** Moves every note of the open clip a semitone (up when `up`). */
  nudge(up: boolean): void;
  close(): void;
}

export async function remoteBandmate(wsUrl: string, room: string, name: string): Promise<RemoteBandmate> {
  const client: Client = await connectClient(wsUrl, room, testToken(room, 'editor', name));
  const { doc, provider } = client;
  provider.awareness.setLocalStateField('user', { name, color: '#4fc3f7' });
  let open: string | null = null;
  return {
    open(clipId) {
      if (!clipsMap(doc).has(clipId)) throw new Error(`no clip ${clipId} in the room`);
      open = clipId;
      provider.awareness.setLocalStateField('selection', { clipId });
    },
    nudge(up) {
      if (!open) throw new Error('open a clip first');
      const ids = [...clipNotes(clipsMap(doc).get(open)!).keys()];
      moveNotes(doc, open, ids, { semitones: up ? 1 : -1 });
    },
    close() {
      disconnect(client);
    },
  };
}
