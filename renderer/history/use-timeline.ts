/**
 * The history panel's live timeline: a TimelineStore for this room, refreshed when the document
 * changes (throttled: refresh-throttle.ts), when the connection comes back, and when a bandmate
 * announces a bookmark (bookmark-signal.ts). While the panel is hidden (another side-panel tab)
 * updates only mark it stale; it refreshes as soon as it is shown, so a busy room does not make
 * every hidden panel poll the server.
 */
import { useEffect, useMemo, useRef, useSyncExternalStore, type RefObject } from 'react';
import type { RoomSession } from '../state/session.ts';
import { watchBookmarkAnnouncements } from './bookmark-signal.ts';
import type { HistoryApi } from './history-api.ts';
import { createRefreshThrottle } from './refresh-throttle.ts';
import { TimelineStore, type TimelineState } from './timeline-store.ts';

/** At most one history request per this while the document changes. */
const REFRESH_INTERVAL_MS = 500;
/** One more after the changes stop: this user's own last edit is logged by then. */
const SETTLE_MS = 1500;

export function useTimeline(
  api: HistoryApi,
  session: RoomSession,
  panel: RefObject<HTMLElement | null>,
): { store: TimelineStore; state: TimelineState } {
  const store = useMemo(() => new TimelineStore(api), [api]);
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const visible = useRef(false);
  const stale = useRef(true);

  useEffect(() => {
    const refreshIfShown = (): void => {
      if (visible.current) void store.refresh();
      else stale.current = true;
    };
    const throttle = createRefreshThrottle(refreshIfShown, REFRESH_INTERVAL_MS, SETTLE_MS);
    const onUpdate = (): void => throttle.trigger();
    session.doc.on('update', onUpdate);

    let status = session.connection.getState().status;
    const offConnection = session.connection.subscribe(() => {
      const next = session.connection.getState().status;
      // Back online: entries logged meanwhile (and our merged offline edits) are there now.
      if (next === 'connected' && status !== 'connected') throttle.trigger();
      status = next;
    });
    const offBookmarks = watchBookmarkAnnouncements(session.awareness, () => {
      if (visible.current) void store.refreshBookmarks();
      else stale.current = true;
    });

    // Shown or hidden: the side panel hides an inactive tab with `hidden` (no layout box).
    const el = panel.current;
    const observer =
      el && typeof IntersectionObserver === 'function'
        ? new IntersectionObserver((records) => {
            visible.current = records.some((r) => r.isIntersecting);
            if (visible.current && stale.current) {
              stale.current = false;
              void store.refresh();
            }
          })
        : null;
    if (el && observer) observer.observe(el);
    else {
      visible.current = true;
      void store.refresh();
    }
    return () => {
      throttle.cancel();
      session.doc.off('update', onUpdate);
      offConnection();
      offBookmarks();
      observer?.disconnect();
      // The store itself holds nothing to release; answers still in flight update no one.
    };
  }, [store, session, panel]);

  return { store, state };
}
