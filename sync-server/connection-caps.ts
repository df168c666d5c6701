/**
 * Caps on websocket connections, checked at the HTTP upgrade before a websocket exists, so that a
 * refusal costs the server one short HTTP answer: new upgrades per second from one address (a
 * token bucket), open connections (documents and jam channels together) from one address and
 * under one identity (a token's id: one person's tabs), and jam members in one room. Without
 * them one viewer link could open thousands of jam connections and make the server announce each
 * to all the others (issue 13, item 4).
 *
 * The address is the client's as http/client-address.ts finds it: the TCP peer's, or behind a
 * proxy named by --trusted-proxy the address that proxy forwarded. Everyone behind one NAT
 * shares it, which the defaults in LIMITS allow for (a class behind a school's address).
 */
import { LIMITS } from './limits.ts';

export interface ConnectionCapsOptions {
  /** Open websocket connections from one remote address. */
  maxConnectionsPerAddress: number;
  /** Open websocket connections under one identity (a token's id). */
  maxConnectionsPerIdentity: number;
  /** Jam channel members in one room. */
  maxJamMembersPerRoom: number;
  /** New upgrades per second from one address, and the burst above it. */
  upgradesPerSecond: number;
  upgradeBurst: number;
}

export const DEFAULT_CONNECTION_CAPS: ConnectionCapsOptions = {
  maxConnectionsPerAddress: LIMITS.websocket.maxConnectionsPerAddress,
  maxConnectionsPerIdentity: LIMITS.websocket.maxConnectionsPerIdentity,
  maxJamMembersPerRoom: LIMITS.jam.maxMembersPerRoom,
  upgradesPerSecond: LIMITS.websocket.upgradesPerSecond,
  upgradeBurst: LIMITS.websocket.upgradeBurst,
};

/** Why an upgrade is refused: 429 for the caller's own excess, 503 for a full room. */
export interface CapRefusal {
  readonly status: 429 | 503;
  readonly reason: string;
  /** For a Retry-After header: when the address's next upgrade would be allowed (seconds). */
  readonly retryAfterSeconds?: number;
}

/** A counted connection; release() uncounts it (once, however often it is called). */
export interface Admission {
  release(): void;
}

export interface AdmissionRequest {
  address: string;
  /** The token's identity id. */
  identity: string;
  room: string;
  /** A jam channel (counted against the room's jam members) rather than a document connection. */
  jam: boolean;
}

interface AddressEntry {
  open: number;
  /** The upgrade allowance: `tokens` at `refilledAt` (ms), refilling at upgradesPerSecond. */
  tokens: number;
  refilledAt: number;
}

export class ConnectionCaps {
  private readonly caps: ConnectionCapsOptions;
  private readonly now: () => number;
  private readonly addresses = new Map<string, AddressEntry>();
  private readonly identities = new Map<string, number>();
  private readonly jamRooms = new Map<string, number>();
  /** How long an address's allowance takes to fill up from empty (ms); idle entries older than this are dropped. */
  private readonly refillMs: number;
  private sweptAt: number;

  constructor(options: Partial<ConnectionCapsOptions> = {}, now: () => number = () => performance.now()) {
    this.caps = { ...DEFAULT_CONNECTION_CAPS, ...options };
    for (const [name, value] of Object.entries(this.caps)) {
      if (!(typeof value === 'number' && value > 0))
        throw new RangeError(`connection caps: ${name} must be a positive number, not ${value}`);
    }
    this.now = now;
    this.refillMs = (this.caps.upgradeBurst / this.caps.upgradesPerSecond) * 1000;
    this.sweptAt = now();
  }

  /** Addresses remembered now (open connections, or an allowance not yet full again). */
  get trackedAddresses(): number {
    return this.addresses.size;
  }

  /**
   * Takes one upgrade from the address's allowance, or refuses (429). Called first, before the
   * token is verified: every attempt counts, a bad one too, and a flood costs no HMAC.
   */
  takeUpgrade(address: string): CapRefusal | null {
    const now = this.now();
    this.sweep(now);
    const entry = this.entry(address, now);
    entry.tokens = Math.min(this.caps.upgradeBurst, entry.tokens + ((now - entry.refilledAt) / 1000) * this.caps.upgradesPerSecond);
    entry.refilledAt = now;
    if (entry.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - entry.tokens) / this.caps.upgradesPerSecond));
      return { status: 429, reason: `too many new connections from ${address}; try again in ${retryAfterSeconds} s`, retryAfterSeconds };
    }
    entry.tokens -= 1;
    return null;
  }

  /** Counts a connection when every cap allows it (after the token is verified); a refusal otherwise. */
  admit(request: AdmissionRequest): Admission | CapRefusal {
    const { address, identity, room, jam } = request;
    const entry = this.entry(address, this.now());
    if (entry.open >= this.caps.maxConnectionsPerAddress) {
      return { status: 429, reason: `too many open connections from ${address} (at most ${this.caps.maxConnectionsPerAddress})` };
    }
    if ((this.identities.get(identity) ?? 0) >= this.caps.maxConnectionsPerIdentity) {
      return {
        status: 429,
        reason: `too many open connections for one person (at most ${this.caps.maxConnectionsPerIdentity}); close another tab`,
      };
    }
    if (jam && (this.jamRooms.get(room) ?? 0) >= this.caps.maxJamMembersPerRoom) {
      return { status: 503, reason: `the room's jam channel is full (${this.caps.maxJamMembersPerRoom} members)` };
    }
    entry.open++;
    increment(this.identities, identity);
    if (jam) increment(this.jamRooms, room);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        entry.open--;
        decrement(this.identities, identity);
        if (jam) decrement(this.jamRooms, room);
        // The address's entry stays until its allowance is full again (sweep): dropping it now
        // would hand a fresh burst to whoever closes all their connections and opens new ones.
      },
    };
  }

  private entry(address: string, now: number): AddressEntry {
    let entry = this.addresses.get(address);
    if (!entry) {
      entry = { open: 0, tokens: this.caps.upgradeBurst, refilledAt: now };
      this.addresses.set(address, entry);
    }
    return entry;
  }

  /**
   * Forgets addresses with nothing open whose allowance is full again (they would get the same
   * entry afresh), at most once per refill period: the map holds the addresses with open
   * connections plus those seen in about the last refill period, however many come and go.
   */
  private sweep(now: number): void {
    if (now - this.sweptAt < Math.max(1000, this.refillMs)) return;
    this.sweptAt = now;
    for (const [address, entry] of this.addresses) {
      if (entry.open === 0 && now - entry.refilledAt >= this.refillMs) this.addresses.delete(address);
    }
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
