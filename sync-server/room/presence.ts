/**
 * A room's presence (y-protocols awareness), held against hostile peers. What y-protocols'
 * applyAwarenessUpdate does not do, this does:
 *
 * - Client ids belong to the connection that announced them (its first state, up to
 *   maxClientsPerConnection). Entries for ids another connection holds are dropped unread and
 *   never sent on: every stock client echoes the states it is sent back to the server, so they
 *   are normal, but nobody may overwrite or remove a bandmate's presence. When a connection
 *   leaves, its ids are removed for everyone and stay reserved to its identity for outdatedMs
 *   (a bandmate reconnecting gets theirs back; nobody else takes it over meanwhile).
 * - Sizes are checked before anything is parsed (presence-message.ts); a connection's own
 *   presence bytes come out of a byte budget; a room's states have a total and a count.
 *   A message over any of these is refused whole (PresenceRefused) and nothing of it is applied.
 * - Fan-out is coalesced per room: the changed ids are collected and sent as one message with
 *   their latest states, at most every fanOutMs, encoded once and the same bytes sent to all.
 * - A state not renewed for outdatedMs is dropped, as y-protocols does.
 *
 * States are kept as the JSON bytes that were checked (copied out of the message: no big buffer
 * stays referenced), so memory comes back when a peer leaves.
 */
import * as encoding from 'lib0/encoding';
import { CLOSE, MESSAGE_AWARENESS } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { TokenBucket } from '../token-bucket.ts';
import {
  encodePresenceEntries,
  isNullState,
  parseState,
  PresenceRefused,
  readPresenceEntries,
  type PresenceEntry,
} from './presence-message.ts';

export { PresenceRefused };

export type PresenceLimits = { -readonly [K in keyof typeof LIMITS.presence]: number };

export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = { ...LIMITS.presence };

/** A state this room accepted from its holder, parsed (the room reads edit labels from it). */
export interface AcceptedState {
  clientId: number;
  state: Record<string, unknown>;
}

/** One connection's part in the room's presence. */
interface Holder {
  /** The identity (token id) behind the connection. */
  identity: string;
  /** Every client id this connection has announced while open: it keeps them until it leaves. */
  clients: Set<number>;
  /** Its own presence bytes (and the presence queries it asks), per second. */
  budget: TokenBucket;
}

/** A client id's presence as the room knows it. */
interface ClientPresence {
  /** Latest clock (y-protocols: a change needs a newer one; kept after removal so old echoes stay old). */
  clock: number;
  /** The state's JSON text (UTF-8, its own copy), or null while it has none. */
  json: Uint8Array | null;
  /** The connection holding the id; null once it left. */
  holder: Holder | null;
  /** Identity of the last holder: the only one that may take the id back while it is reserved. */
  identity: string;
  /** When the state was last set or renewed, or when its holder left (Date.now()). */
  touchedAt: number;
}

/** A candidate change in one message, before the message as a whole is accepted. */
interface Change extends PresenceEntry {
  isNull: boolean;
}

export class RoomPresence<P extends object> {
  private readonly limits: PresenceLimits;
  private readonly broadcast: (message: Uint8Array) => void;
  private readonly holders = new Map<P, Holder>();
  private readonly clients = new Map<number, ClientPresence>();
  /** Client ids with a state, and their states' bytes together. */
  private liveCount = 0;
  private liveBytes = 0;
  /** New client ids left out because the room's presence was full (leaveOutPastRoomCount). */
  private leftOutForFullRoom = 0;
  /** Ids changed since the last fan-out. */
  private readonly changed = new Set<number>();
  private fanOutTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFanOutAt = -Infinity;
  /** Everyone's states as one awareness message, made once per change (newcomers, queries). */
  private snapshotMessage: Uint8Array | null = null;
  private readonly sweepTimer: ReturnType<typeof setInterval>;

  /** `broadcast` sends one message to every peer of the room. */
  constructor(broadcast: (message: Uint8Array) => void, limits: Partial<PresenceLimits> = {}) {
    this.broadcast = broadcast;
    this.limits = { ...DEFAULT_PRESENCE_LIMITS, ...limits };
    // As often as y-protocols' own check: a state is dropped within a tenth of outdatedMs.
    this.sweepTimer = setInterval(() => this.sweep(), this.limits.outdatedMs / 10);
    this.sweepTimer.unref();
  }

  /** A connection joins; `identity` is its token's id. */
  join(peer: P, identity: string): void {
    if (this.holders.has(peer)) return;
    this.holders.set(peer, { identity, clients: new Set(), budget: new TokenBucket(this.limits.bytesPerSecond, this.limits.byteBurst) });
  }

  /** A connection leaves: its client ids' states are removed for everyone. */
  leave(peer: P): void {
    const holder = this.holders.get(peer);
    if (!holder) return;
    this.holders.delete(peer);
    const now = Date.now();
    for (const id of holder.clients) {
      const client = this.clients.get(id);
      if (!client || client.holder !== holder) continue;
      client.holder = null;
      client.touchedAt = now;
      if (client.json) this.setState(id, client, null);
    }
    this.scheduleFanOut();
  }

  /**
   * Handles one awareness update from `peer`: applies what it may change and returns the states
   * it set. Throws PresenceRefused (and applies nothing) when the message breaks a limit.
   */
  receive(peer: P, update: Uint8Array): AcceptedState[] {
    const holder = this.holders.get(peer);
    if (!holder) return [];
    const changes = this.changesFrom(holder, readPresenceEntries(update, this.limits));
    if (!changes.size) return [];

    let cost = 0;
    for (const change of changes.values()) cost += change.cost;
    const taking = [...changes.keys()].filter((id) => !holder.clients.has(id));
    if (holder.clients.size + taking.length > this.limits.maxClientsPerConnection) {
      throw new PresenceRefused(
        CLOSE.malformed,
        `${holder.clients.size + taking.length} presence client ids on one connection (at most ${this.limits.maxClientsPerConnection})`,
      );
    }
    if (!holder.budget.take(cost)) {
      throw new PresenceRefused(CLOSE.rateLimited, `presence over ${this.limits.bytesPerSecond} bytes/s; slow down`);
    }
    this.leaveOutPastRoomCount(changes);
    const states = new Map<number, Record<string, unknown>>();
    for (const [id, { last }] of changes) if (!last.isNull) states.set(id, parseState(last.json));
    this.checkRoomBytes(changes);

    const now = Date.now();
    const accepted: AcceptedState[] = [];
    for (const [id, { last }] of changes) {
      let client = this.clients.get(id);
      if (!client) {
        client = { clock: 0, json: null, holder, identity: holder.identity, touchedAt: now };
        this.clients.set(id, client);
      }
      holder.clients.add(id);
      client.holder = holder;
      client.identity = holder.identity;
      client.clock = last.clock;
      client.touchedAt = now;
      // A copy: the message's buffer (up to the websocket's limit) is not kept alive by it.
      this.setState(id, client, last.isNull ? null : last.json.slice());
      const state = states.get(id);
      if (state) accepted.push({ clientId: id, state });
    }
    this.scheduleFanOut();
    return accepted;
  }

  /** Everyone's presence as one awareness message, or null when nobody has any (for a newcomer). */
  snapshot(): Uint8Array | null {
    if (this.liveCount === 0) return null;
    this.snapshotMessage ??= this.message([...this.clients].filter(([, c]) => c.json).map(([id]) => id));
    return this.snapshotMessage;
  }

  /** Answers a peer's presence query with everyone's; it counts against the peer's byte budget. */
  answerQuery(peer: P): Uint8Array {
    const answer = this.snapshot() ?? this.message([]);
    const holder = this.holders.get(peer);
    if (holder && !holder.budget.take(answer.byteLength)) {
      throw new PresenceRefused(CLOSE.rateLimited, `presence queries over ${this.limits.bytesPerSecond} bytes/s; slow down`);
    }
    return answer;
  }

  /** How much presence the room holds (client ids known, states, their bytes). */
  get size(): { clients: number; states: number; bytes: number; leftOut: number } {
    return { clients: this.clients.size, states: this.liveCount, bytes: this.liveBytes, leftOut: this.leftOutForFullRoom };
  }

  destroy(): void {
    clearInterval(this.sweepTimer);
    if (this.fanOutTimer) clearTimeout(this.fanOutTimer);
    this.fanOutTimer = null;
    this.holders.clear();
    this.clients.clear();
    this.changed.clear();
    this.snapshotMessage = null;
    this.liveCount = 0;
    this.liveBytes = 0;
  }

  /**
   * The changes a message would make, per client id: entries for ids held by another connection
   * (echoes, or spoofs) or reserved to another identity, removals of ids the peer does not hold,
   * and entries no newer than what the room has are left out, unread. Within the message, entries
   * follow y-protocols' rule in order (a newer clock wins; a removal at the same clock too).
   */
  private changesFrom(holder: Holder, entries: PresenceEntry[]): Map<number, { last: Change; cost: number }> {
    const now = Date.now();
    const changes = new Map<number, { last: Change; cost: number }>();
    for (const entry of entries) {
      const known = this.clients.get(entry.clientId);
      if (known?.holder && known.holder !== holder) continue;
      const isNull = isNullState(entry.json);
      if (!holder.clients.has(entry.clientId)) {
        if (isNull) continue;
        if (known && known.identity !== holder.identity && now - known.touchedAt < this.limits.outdatedMs) continue;
      }
      const pending = changes.get(entry.clientId);
      const clock = pending ? pending.last.clock : (known?.clock ?? 0);
      const hasState = pending ? !pending.last.isNull : Boolean(known?.json);
      if (!(entry.clock > clock || (entry.clock === clock && isNull && hasState))) continue;
      // Every entry that changes something costs its bytes, also when a later one replaces it.
      const cost = (pending?.cost ?? 0) + entry.json.byteLength;
      changes.set(entry.clientId, { last: { ...entry, isNull }, cost });
    }
    return changes;
  }

  /**
   * A room holds at most maxClientsPerRoom states: a new client id past that is left out, and its
   * connection stays (it edits as before, without a presence until a place frees up). Closing it
   * instead would let attackers who filled the room shut out every bandmate who joins after them
   * (a stock client does not reconnect after a 44xx close).
   */
  private leaveOutPastRoomCount(changes: Map<number, { last: Change }>): void {
    let count = this.liveCount;
    for (const [id, { last }] of changes) {
      const before = this.clients.get(id)?.json ? 1 : 0;
      count += (last.isNull ? 0 : 1) - before;
    }
    for (const [id, { last }] of changes) {
      if (count <= this.limits.maxClientsPerRoom) break;
      if (last.isNull || this.clients.get(id)?.json) continue;
      changes.delete(id);
      count--;
      this.leftOutForFullRoom++;
    }
  }

  /** Refuses changes that would take the room past its total of presence bytes. */
  private checkRoomBytes(changes: Map<number, { last: Change }>): void {
    let bytes = this.liveBytes;
    let growsLarge = false;
    for (const [id, { last }] of changes) {
      const before = this.clients.get(id)?.json?.byteLength ?? null;
      const after = last.isNull ? null : last.json.byteLength;
      bytes += (after ?? 0) - (before ?? 0);
      // A small state always fits: attackers filling the room cannot get a bandmate closed.
      if (after !== null && after > this.limits.smallStateBytes && after > (before ?? 0)) growsLarge = true;
    }
    if (growsLarge && bytes > this.limits.maxRoomBytes) {
      throw new PresenceRefused(CLOSE.rateLimited, `this room's presence is full (${this.limits.maxRoomBytes} bytes)`);
    }
  }

  private setState(id: number, client: ClientPresence, json: Uint8Array | null): void {
    if (client.json) {
      this.liveCount--;
      this.liveBytes -= client.json.byteLength;
    }
    client.json = json;
    if (json) {
      this.liveCount++;
      this.liveBytes += json.byteLength;
    }
    this.changed.add(id);
    this.snapshotMessage = null;
  }

  /** Drops states not renewed in time (their holders keep the ids) and forgets given-up ids. */
  private sweep(): void {
    const now = Date.now();
    for (const [id, client] of this.clients) {
      if (now - client.touchedAt < this.limits.outdatedMs) continue;
      if (client.json) this.setState(id, client, null);
      else if (!client.holder) this.clients.delete(id);
    }
    this.scheduleFanOut();
  }

  /** Sends the changes at once after a quiet spell, else once fanOutMs has passed since the last. */
  private scheduleFanOut(): void {
    if (!this.changed.size || this.fanOutTimer) return;
    const wait = this.lastFanOutAt + this.limits.fanOutMs - Date.now();
    if (wait <= 0) {
      this.fanOut();
      return;
    }
    this.fanOutTimer = setTimeout(() => {
      this.fanOutTimer = null;
      this.fanOut();
    }, wait);
  }

  private fanOut(): void {
    if (!this.changed.size) return;
    this.lastFanOutAt = Date.now();
    const ids = [...this.changed].filter((id) => this.clients.has(id));
    this.changed.clear();
    // Stock clients echo each message they apply: keep every one within what a peer may send.
    for (let start = 0; start < ids.length; start += this.limits.maxClientsPerRoom) {
      this.broadcast(this.message(ids.slice(start, start + this.limits.maxClientsPerRoom)));
    }
  }

  /** An awareness message with the room's current state (or removal) of each id. */
  private message(ids: number[]): Uint8Array {
    const update = encodePresenceEntries(
      ids.map((id) => ({ clientId: id, clock: this.clients.get(id)!.clock, json: this.clients.get(id)!.json })),
    );
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, update);
    return encoding.toUint8Array(encoder);
  }
}
