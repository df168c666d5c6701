/**
 * A value one component renders somewhere else: the history panel sets its banner's props here
 * on every render, and the banner (drawn by the app above the arrangement) reads them with
 * useSyncExternalStore. So the banner follows the panel without the panel handing the app a new
 * view on every render — the app re-renders only when the song shown changes.
 */
export interface LatestValue<T> {
  get(): T;
  set(value: T): void;
  subscribe(listener: () => void): () => void;
}

export function createLatestValue<T>(initial: T): LatestValue<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
