/**
 * A small typed event emitter: `Events` maps each event's name to what its listeners receive.
 * The jam's modules tell what happened through one of these (the timeline follower's states and
 * retimes, the session's live notes), so whoever needs to know — the page's test probes, a MIDI
 * clock — subscribes from outside instead of the module keeping lists for them.
 */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(event: never) => void>>();

  /** Calls `listener` on each `name` event from now on; returns the unsubscribe. */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const entry = listener as (event: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Tells every listener of `name`, in the order they subscribed (one added meanwhile waits for the next). */
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) (listener as (event: Events[K]) => void)(event);
  }

  /** Drops every listener (the emitter's owner is done). */
  clear(): void {
    this.listeners.clear();
  }
}
