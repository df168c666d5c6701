/**
 * Tells bandmates' history panels that a bookmark was added. Bookmarks live in the server's log,
 * not in the document, so adding one sends no document update and nobody else would refresh. The
 * panel that added it bumps a counter in its awareness state (field `history`); every other panel
 * refetches the bookmarks when a peer's counter changes. Awareness is presence-only and untrusted:
 * the counter carries no data, it only says "ask the server".
 */
import type { Awareness } from 'y-protocols/awareness';

export const HISTORY_AWARENESS_FIELD = 'history';

interface HistoryAnnouncement {
  /** Bookmarks this client has added this session. */
  bookmarks: number;
}

function announcedCount(state: unknown): number | null {
  const field = (state as Record<string, unknown> | null)?.[HISTORY_AWARENESS_FIELD] as Partial<HistoryAnnouncement> | undefined;
  return typeof field?.bookmarks === 'number' && Number.isFinite(field.bookmarks) ? field.bookmarks : null;
}

export function announceBookmarkAdded(awareness: Awareness): void {
  const count = announcedCount(awareness.getLocalState()) ?? 0;
  const announcement: HistoryAnnouncement = { bookmarks: count + 1 };
  awareness.setLocalStateField(HISTORY_AWARENESS_FIELD, announcement);
}

/** Calls `onChange` when a bandmate announces a new bookmark; returns the unsubscribe. */
export function watchBookmarkAnnouncements(awareness: Awareness, onChange: () => void): () => void {
  const seen = new Map<number, number>();
  const handler = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
    for (const id of removed) seen.delete(id);
    let changed = false;
    for (const id of [...added, ...updated]) {
      if (id === awareness.clientID) continue;
      const count = announcedCount(awareness.getStates().get(id));
      if (count === null || seen.get(id) === count) continue;
      seen.set(id, count);
      changed = true;
    }
    if (changed) onChange();
  };
  awareness.on('change', handler);
  return () => awareness.off('change', handler);
}
