/**
 * Updates whose dependencies the room's document does not have. Left to Yjs, such an update's
 * structs and deletes wait inside the document (store.pendingStructs, store.pendingDs): never
 * logged, sent to every peer that joins (they are part of encodeStateAsUpdate), merged with every
 * later update and, each time a clock they wait on moves, decoded and integrated again whole. A
 * peer that keeps sending them stalls the room for seconds per message (issue 13, item 5).
 *
 * So the dependencies are found before an update is applied (missingDependencies: the update's
 * structs' gaps, origins, right origins and parent ids, and its deleted ranges, against the
 * document's state plus what the update itself brings, following Yjs's integrateStructs). An
 * update that has them all is applied at once; one that lacks some never reaches the document:
 * it waits here, on behalf of the peer that sent it, for a short while and a few bytes (LIMITS
 * .pending), and is applied whole, by that peer, once what it needs has arrived. Honest clients
 * of one server never need this (the server has everything they built on), but the wait lets
 * updates reordered on their way (a later multi-node design, a side channel between tabs) land
 * without closing anyone, and it costs the room nothing while nothing is waiting. Past the limits
 * the peers whose updates wait are closed, most waiting bytes first, and their updates dropped:
 * nothing of them was applied, so nothing else needs undoing.
 */
import * as Y from 'yjs';

export interface PendingLimits {
  /** Bytes of updates that may wait in one room. */
  maxBytes: number;
  /** Updates that may wait in one room (each later message checks each of them). */
  maxUpdates: number;
  /** How long an update may wait (ms). */
  maxMs: number;
  /** How often one waiting update may be found still short after something it waited for came. */
  maxRechecks: number;
}

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/**
 * What `update` needs that `doc` lacks: for each client, the lowest clock among the ids the
 * update waits on (an origin, a right origin, a parent, the struct just before a gap in a
 * client's clocks, the end of a deleted range). The update cannot make progress until the
 * document holds one of them: that is when to look again. Empty: the update applies whole.
 */
export function missingDependencies(doc: Y.Doc, { structs, ds }: DecodedUpdate): Map<number, number> {
  const known = new Map<number, number>();
  const state = (client: number): number => known.get(client) ?? Y.getState(doc.store, client);

  // The update's structs per client, in clock order. A client listed twice keeps its last run,
  // as Yjs's reader does (a crafted update; honest ones list each client once).
  const runs = new Map<number, { structs: (Y.Item | Y.GC | Y.Skip)[]; next: number }>();
  let last: Y.Item | Y.GC | Y.Skip | null = null;
  for (const struct of structs) {
    const client = struct.id.client;
    if (last?.id.client !== client) runs.set(client, { structs: [], next: 0 });
    runs.get(client)!.structs.push(struct);
    last = struct;
  }

  /** The first id that `struct` refers to on another client and the document does not hold yet. */
  const lacks = (id: Y.ID | null, own: number): id is Y.ID => id !== null && id.client !== own && id.clock >= state(id.client);
  const unmet = (struct: Y.Item | Y.GC): Y.ID | null => {
    if (!(struct instanceof Y.Item)) return null;
    const own = struct.id.client;
    if (lacks(struct.origin, own)) return struct.origin;
    if (lacks(struct.rightOrigin, own)) return struct.rightOrigin;
    // A parent is an id (a nested type) or, for a root type, its name.
    const parent = struct.parent instanceof Y.ID ? struct.parent : null;
    return lacks(parent, own) ? parent : null;
  };

  // Integrate on paper, as integrateStructs does: a client's structs in order, each once the
  // clock before it and the ids it refers to are known; a client waiting on another resumes
  // when that one moves (no cycles in honest updates; a crafted cycle just stays blocked).
  const waiting = new Map<number, number[]>();
  const ready = [...runs.keys()];
  while (ready.length) {
    const client = ready.pop()!;
    const run = runs.get(client)!;
    let moved = false;
    while (run.next < run.structs.length) {
      const struct = run.structs[run.next]!;
      if (struct instanceof Y.Skip) {
        run.next++;
        continue;
      }
      if (struct.id.clock > state(client)) break; // a gap: this client's earlier clocks never came
      const needed = unmet(struct);
      if (needed) {
        const other = runs.get(needed.client);
        if (other && other.next < other.structs.length) {
          const queue = waiting.get(needed.client);
          if (queue) queue.push(client);
          else waiting.set(needed.client, [client]);
        }
        break;
      }
      known.set(client, Math.max(state(client), struct.id.clock + struct.length));
      run.next++;
      moved = true;
    }
    if (moved && waiting.has(client)) {
      ready.push(...waiting.get(client)!);
      waiting.delete(client);
    }
  }

  const missing = new Map<number, number>();
  const need = (client: number, clock: number) => {
    if (clock < (missing.get(client) ?? Infinity)) missing.set(client, clock);
  };
  for (const [client, run] of runs) {
    const struct = run.structs[run.next];
    if (!struct || struct instanceof Y.Skip) continue;
    if (struct.id.clock > state(client)) need(client, struct.id.clock - 1);
    else {
      const needed = unmet(struct);
      if (needed) need(needed.client, needed.clock);
    }
  }
  // Deletes apply after the structs, in the same transaction: a range past what the document
  // (with this update) holds waits too.
  for (const [client, ranges] of ds.clients) {
    for (const range of ranges) {
      if (range.len > 0 && range.clock + range.len > state(client)) need(client, range.clock + range.len - 1);
    }
  }
  return missing;
}

/**
 * Drops whatever Yjs left waiting in `doc` (nothing, when every update went through the guard).
 * Safe: waiting structs and deletes are kept only as encoded bytes in these two fields, never
 * linked into the document's struct store or types. Returns whether there was anything.
 */
export function dropYjsPending(doc: Y.Doc): boolean {
  const store = doc.store;
  if (store.pendingStructs === null && store.pendingDs === null) return false;
  store.pendingStructs = null;
  store.pendingDs = null;
  return true;
}

interface Waiting<P> {
  readonly peer: P;
  readonly update: Uint8Array;
  readonly since: number;
  missing: Map<number, number>;
  rechecks: number;
}

/** What admit() decided for one update. */
export type Admission<P> =
  | { held: false }
  /** Waiting; `closed` are the peers (maybe the sender) dropped to keep within the limits. */
  | { held: true; closed: P[]; reason: string };

export class PendingGuard<P> {
  private readonly doc: Y.Doc;
  private readonly limits: PendingLimits;
  private readonly onExpired: (peers: P[], reason: string) => void;
  private readonly now: () => number;
  private waiting: Waiting<P>[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * `onExpired` closes the peers whose updates waited past maxMs (or were found still short too
   * often); their updates are already dropped when it is called.
   */
  constructor(doc: Y.Doc, limits: PendingLimits, onExpired: (peers: P[], reason: string) => void, now: () => number = Date.now) {
    this.doc = doc;
    this.limits = limits;
    this.onExpired = onExpired;
    this.now = now;
  }

  /** Bytes of updates waiting now. */
  get waitingBytes(): number {
    return this.bytes;
  }

  get waitingUpdates(): number {
    return this.waiting.length;
  }

  /**
   * An update from `peer`, already decoded: either it can be applied now (held: false), or it
   * waits here. Over the limits, the peers with the most waiting bytes are dropped until the
   * rest fits; the caller closes them with `reason`.
   */
  admit(peer: P, update: Uint8Array, decoded: DecodedUpdate): Admission<P> {
    const missing = missingDependencies(this.doc, decoded);
    if (missing.size === 0) return { held: false };
    this.waiting.push({ peer, update, since: this.now(), missing, rechecks: 0 });
    this.bytes += update.byteLength;
    const closed: P[] = [];
    while (this.bytes > this.limits.maxBytes || this.waiting.length > this.limits.maxUpdates) {
      const largest = this.largestWaiter();
      this.dropPeer(largest);
      closed.push(largest);
    }
    this.schedule();
    const kib = Math.round(this.limits.maxBytes / 1024);
    return {
      held: true,
      closed,
      reason: `edits depend on changes never sent; more wait than the room allows (${this.limits.maxUpdates} updates, ${kib} KiB)`,
    };
  }

  /**
   * The oldest waiting update whose dependencies have all arrived, taken out of the wait; null
   * when none. Call after every change to the document, until it answers null: applying one
   * may complete another.
   */
  nextReady(): { peer: P; update: Uint8Array } | null {
    const tooOften = new Set<P>();
    let ready: Waiting<P> | null = null;
    for (const entry of this.waiting) {
      if (tooOften.has(entry.peer) || !this.anyArrived(entry.missing)) continue;
      entry.missing = missingDependencies(this.doc, Y.decodeUpdate(entry.update));
      if (entry.missing.size === 0) {
        ready = entry;
        break;
      }
      // Its dependencies trickle in one by one, and each look decodes the whole update again.
      if (++entry.rechecks > this.limits.maxRechecks) tooOften.add(entry.peer);
    }
    if (ready) this.remove((entry) => entry === ready);
    if (tooOften.size) {
      for (const peer of tooOften) this.dropPeer(peer);
      this.onExpired([...tooOften], 'edits depend on changes that keep not arriving');
    }
    return ready && { peer: ready.peer, update: ready.update };
  }

  /** Whether the document now holds an id the update waited on: only then is it worth a look. */
  private anyArrived(missing: Map<number, number>): boolean {
    for (const [client, clock] of missing) if (Y.getState(this.doc.store, client) > clock) return true;
    return false;
  }

  /** Forgets the updates `peer` left waiting (it left, or is being closed). */
  dropPeer(peer: P): void {
    this.remove((entry) => entry.peer === peer);
  }

  /** Forgets everything waiting and stops the timer (the room closes or fails). */
  clear(): void {
    this.remove(() => true);
  }

  private remove(which: (entry: Waiting<P>) => boolean): void {
    const kept = this.waiting.filter((entry) => !which(entry));
    if (kept.length === this.waiting.length) return;
    this.waiting = kept;
    this.bytes = kept.reduce((sum, entry) => sum + entry.update.byteLength, 0);
    this.schedule();
  }

  private largestWaiter(): P {
    const bytes = new Map<P, number>();
    for (const entry of this.waiting) bytes.set(entry.peer, (bytes.get(entry.peer) ?? 0) + entry.update.byteLength);
    return [...bytes].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  }

  /** One timer, for the oldest waiting update's deadline. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const oldest = this.waiting[0];
    if (!oldest) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, oldest.since + this.limits.maxMs - this.now()));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = null;
    const deadline = this.now() - this.limits.maxMs;
    const late = [...new Set(this.waiting.filter((entry) => entry.since <= deadline).map((entry) => entry.peer))];
    for (const peer of late) this.dropPeer(peer);
    this.schedule();
    if (late.length) this.onExpired(late, `edits depend on changes never sent (waited ${this.limits.maxMs / 1000} s)`);
  }
}
