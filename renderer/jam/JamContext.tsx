/** The room's jam session for any component: `useJam()` (null without a jam channel). */
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { JamSession } from './jam-session.ts';
import type { JamView } from './jam-view.ts';

export const JamContext = createContext<JamSession | null>(null);

export function useJam(): JamSession | null {
  return useContext(JamContext);
}

const noSubscribe = (): (() => void) => () => {};
const nothing = (): null => null;

/** What the jam panel shows, re-rendered on every change (null without a jam). */
export function useJamView(jam: JamSession | null): JamView | null {
  const subscribe = useCallback((l: () => void) => (jam ? jam.subscribe(l) : noSubscribe()), [jam]);
  return useSyncExternalStore(subscribe, jam ? jam.getState : nothing);
}

/**
 * The rules that change what the editing UI allows, as one string ("live-only:editor"): components
 * re-render when it changes, not on every live note.
 */
export function useJamRulesKey(jam: JamSession | null): string {
  const subscribe = useCallback((l: () => void) => (jam ? jam.subscribe(l) : noSubscribe()), [jam]);
  const get = useCallback(() => {
    const v = jam?.getState();
    return v ? `${v.rules.students}:${v.me?.role ?? ''}` : '';
  }, [jam]);
  return useSyncExternalStore(subscribe, get);
}
