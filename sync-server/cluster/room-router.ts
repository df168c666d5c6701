/**
 * Where a room is served (DESIGN.md "Hosted topology"): here, or on the node that owns it (its
 * lease in room_leases), found in the node directory (node-directory.ts), or "retry soon".
 *
 * The owner is read before the room is opened (a peer meant for another node should not even try
 * to open the room here), and again from RoomOwnedElsewhereError when an open here loses the race
 * for the lease (placeOf: the websocket and API paths of server.ts relay the peer to the winner
 * instead of refusing it). Either way the same rule decides:
 * - no live lease, or ours: here (the open acquires the lease);
 * - a live owner that is alive in the directory: relay there;
 * - an owner whose lease is live but who has stopped announcing itself (dead, or cut off), or whom
 *   a relay from here just failed to reach (unreachable(): the directory then counts it dead until
 *   its next heartbeat): its room cannot be taken before the lease runs out (the fencing would
 *   refuse our writes anyway), so wait for the lease to run out, if that is at most `maxWaitMs`
 *   away, and open it here; further away than that, answer "retry" (1013 / 503 with Retry-After),
 *   and the client comes back with its own backoff.
 *
 * So when an owner dies, a peer relayed to it is closed with 1012, reconnects once, the relay to
 * the dead owner fails (connection refused), and the same connection is placed again: it waits
 * for what is left of the lease (at most LIMITS.store.leaseMs) and is served here, or relayed to
 * whichever survivor won the room. No round of "try again" and client backoff in between.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ROOM_NAME } from '../contract.ts';
import { sendJson } from '../http/responses.ts';
import type { RoomOwnedElsewhereError } from './owned-elsewhere.ts';
import type { NodeLookup } from './node-directory.ts';
import { RELAY_CLOSE, relayRequest, type WebsocketRelay } from './relay.ts';

export type Placement =
  | 'here'
  /** seenAt: the owner's last heartbeat when it was looked up (for unreachable()). */
  | { url: string; node: string; seenAt?: number }
  | { retryAfterMs: number; reason: string };

/** Placements one connection or request may go through (relay failures, lost races) before "try again". */
const MAX_PLACEMENTS = 3;

/** Who holds a room's lease now; null when nobody does (never leased, released, or expired). */
export interface RoomOwner {
  node: string;
  /** When the lease runs out (ms since the epoch). */
  expiresAt: number;
  /** The lease's epoch (for expireGone). */
  epoch?: number;
}

export interface RoomPlacer {
  where(room: string): Promise<Placement>;
  /** The same decision for an open here that found the room owned elsewhere (absent: the peer is refused). */
  placeOf?(err: RoomOwnedElsewhereError): Promise<Placement>;
  /** A relay to this placement's node failed to connect: count that node dead until it is seen again. */
  unreachable?(placement: { node: string; seenAt?: number }): void;
}

export interface RoomRouterOptions {
  /** This node's id, as its leases name it. */
  node: string;
  /** The room's live lease holder (production: leaseHolder() of store/room-lease.ts, live only). */
  ownerOf(room: string): Promise<RoomOwner | null>;
  directory: NodeLookup;
  /**
   * Ends the lease of an owner that a relay could not reach when it is gone from the database too
   * (RoomLeases.expireIfHolderGone); true when it did. Absent: such an owner's lease runs its course.
   */
  expireGone?(room: string, owner: Required<RoomOwner>): Promise<boolean>;
  /** Longest a request waits for a dead owner's lease to run out before "retry" (default 3 s; cluster-placer.ts: the lease's length). */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class RoomRouter implements RoomPlacer {
  private readonly options: RoomRouterOptions;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RoomRouterOptions) {
    this.options = options;
    this.maxWaitMs = options.maxWaitMs ?? 3000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async where(room: string): Promise<Placement> {
    const owner = await this.options.ownerOf(room);
    if (!owner || owner.node === this.options.node) return 'here';
    return this.placeOwner(owner, room);
  }

  /** The same decision, from an open here that found the room owned elsewhere. */
  placeOf(err: RoomOwnedElsewhereError): Promise<Placement> {
    return err.node === this.options.node ? Promise.resolve('here') : this.placeOwner({ node: err.node, expiresAt: err.expiresAt });
  }

  unreachable(placement: { node: string; seenAt?: number }): void {
    if (placement.seenAt !== undefined) this.options.directory.suspect?.(placement.node, placement.seenAt);
  }

  private async placeOwner(owner: RoomOwner, room?: string): Promise<Placement> {
    const found = await this.options.directory.lookup(owner.node);
    if (found?.alive) return { url: found.url, node: owner.node, seenAt: found.seenAt };
    // Refused by its port and gone from the database: the process is dead, its lease can end now.
    // Asked again while we wait (its session may end a moment after its port closed).
    const expireGone = this.options.expireGone;
    const gone =
      found?.suspected && room !== undefined && owner.epoch !== undefined && expireGone
        ? () => expireGone(room, { node: owner.node, expiresAt: owner.expiresAt, epoch: owner.epoch! }).catch(() => false)
        : null;
    if (gone && (await gone())) return 'here';
    let left = owner.expiresAt - this.now();
    if (left > this.maxWaitMs) {
      return {
        retryAfterMs: left,
        reason: `the room's node ${owner.node} is not answering; its lease runs out in ${Math.ceil(left / 1000)} s: try again`,
      };
    }
    while (gone && left > 0) {
      // Another survivor may have ended the lease and taken the room meanwhile: go where it is.
      const now = await this.options.ownerOf(room!).catch(() => owner);
      if (!now || now.node !== owner.node || now.epoch !== owner.epoch) {
        return !now || now.node === this.options.node ? 'here' : this.placeOwner(now, room);
      }
      await this.sleep(Math.min(250, left));
      if (await gone()) return 'here';
      left = owner.expiresAt - this.now();
    }
    // A little past the expiry: the database's clock, which judges it, may run behind ours.
    if (left > -50) await this.sleep(Math.max(0, left) + 50);
    return 'here';
  }
}

/** Fixed routes: room → owner URL (tests, benchmarks, and a hand-split pair of nodes without PostgreSQL). */
export function staticPlacer(routes: ReadonlyMap<string, string>): RoomPlacer {
  return {
    where: async (room) => {
      const url = routes.get(room);
      return url ? { url, node: url } : 'here';
    },
  };
}

/** `room=http://host:port` (the --route flag) → [room, origin]; throws a clear error otherwise. */
export function parseRoute(text: string): [string, string] {
  const at = text.indexOf('=');
  const room = text.slice(0, at);
  if (at < 1 || !ROOM_NAME.test(room)) throw new Error(`a route is <room>=<node URL>, not "${text}"`);
  let url: URL;
  try {
    url = new URL(text.slice(at + 1));
  } catch {
    throw new Error(`a route's node URL must look like http://10.0.0.5:4455, not "${text.slice(at + 1)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`a route's node URL must be http:// or https://: "${text}"`);
  return [room, url.origin];
}

/** The room a websocket path names: /<room> (document) or /<room>/jam; null for anything else. */
export function upgradeRoom(path: string): string | null {
  const segments = new URL(path, 'http://localhost').pathname.slice(1).split('/');
  if (segments.length > 2 || (segments.length === 2 && segments[1] !== 'jam')) return null;
  try {
    const room = decodeURIComponent(segments[0]!);
    return ROOM_NAME.test(room) ? room : null;
  } catch {
    return null;
  }
}

/** The room an API path names: /api/rooms/<room>/<action>; null for anything else (POST /api/rooms among them). */
export function apiRoom(path: string): string | null {
  const match = /^\/api\/rooms\/([^/]+)\/[a-z]+$/.exec(new URL(path, 'http://localhost').pathname);
  if (!match) return null;
  try {
    const room = decodeURIComponent(match[1]!);
    return ROOM_NAME.test(room) ? room : null;
  } catch {
    return null;
  }
}

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The server's hook (server.ts): wraps its upgrade and request handlers so that a room served
 * elsewhere is relayed before anything here opens it. Everything else (other paths, rooms served
 * here) goes to the server's own handlers unchanged. A relayed request is checked here only for
 * its Host; the owner checks the rest (token, caps, rate limits) against the client's address,
 * which it gets in X-Forwarded-For.
 */
export function roomRouting(placer: RoomPlacer, relay: WebsocketRelay, checks: { wrongHost?: (req: IncomingMessage) => boolean } = {}) {
  // A Host this node does not answer to goes to the server's own handler, which refuses it (421)
  // before anything else: the owner sees only its own internal address as Host.
  const local = (req: IncomingMessage): boolean => checks.wrongHost?.(req) ?? false;
  const fallback =
    (room: string) =>
    (err: unknown): Placement => {
      console.error(`room ${room}: cannot tell which node serves it:`, (err as Error).message);
      return { retryAfterMs: 1000, reason: 'cannot tell which node serves this room right now: try again' };
    };
  const decide = (room: string): Promise<Placement> => placer.where(room).catch(fallback(room));
  // How many times each connection or request has been placed again (relay failed, race lost).
  const placements = new WeakMap<IncomingMessage, number>();
  const again = (req: IncomingMessage): boolean => {
    const n = (placements.get(req) ?? 0) + 1;
    placements.set(req, n);
    return n < MAX_PLACEMENTS;
  };
  let localUpgrade: UpgradeHandler | null = null;
  let localRequest: RequestHandler | null = null;

  const routeUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, room: string, placement: Placement): void => {
    if (socket.destroyed) return;
    if (placement === 'here') return localUpgrade!(req, socket, head);
    if ('url' in placement) {
      return relay.relay(req, socket, head, placement.url, {
        // The owner is gone (SIGKILL: connection refused) or cut off: place the same connection
        // again, now counting that node dead, rather than send the client away to back off.
        unreachable: () => {
          placer.unreachable?.(placement);
          if (!again(req)) return relay.refuse(req, socket, head, RELAY_CLOSE.unreachable.code, RELAY_CLOSE.unreachable.reason);
          void decide(room).then((next) => routeUpgrade(req, socket, head, room, next));
        },
      });
    }
    relay.refuse(req, socket, head, 1013, placement.reason);
  };
  const routeRequest = (req: IncomingMessage, res: ServerResponse, placement: Placement): void => {
    if (placement === 'here') return localRequest!(req, res);
    if ('url' in placement) return relayRequest(req, res, placement.url);
    sendJson(res, 503, { error: placement.reason }, { 'retry-after': String(Math.max(1, Math.ceil(placement.retryAfterMs / 1000))) });
  };

  return {
    upgrades(handler: UpgradeHandler): UpgradeHandler {
      localUpgrade = handler;
      return (req, socket, head) => {
        const room = upgradeRoom(req.url ?? '/');
        if (!room || local(req)) return handler(req, socket, head);
        // Nothing reads the socket while we ask (it is not flowing yet): whatever the client sends
        // waits in its buffer for whoever takes the connection.
        void decide(room).then((placement) => routeUpgrade(req, socket, head, room, placement));
      };
    },
    requests(handler: RequestHandler): RequestHandler {
      localRequest = handler;
      return (req, res) => {
        const room = apiRoom(req.url ?? '/');
        if (!room || local(req)) return handler(req, res);
        void decide(room).then((placement) => routeRequest(req, res, placement));
      };
    },
    /**
     * An upgrade whose open here lost the race for the room's lease: placed again from the error
     * (relayed to the winner, as a peer that came a moment later would be). False when it cannot
     * be (no placeOf, or placed too often already): the caller refuses it as before.
     */
    upgradeOwnedElsewhere(err: RoomOwnedElsewhereError, req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const placeOf = placer.placeOf?.bind(placer);
      if (!placeOf || !localUpgrade || !again(req)) return false;
      void placeOf(err)
        .catch(fallback(err.room))
        .then((placement) => routeUpgrade(req, socket, head, err.room, placement));
      return true;
    },
    /**
     * The same for an API request, as long as nothing of its body has been read (it is relayed
     * whole); false otherwise, and the caller answers 503 as before.
     */
    requestOwnedElsewhere(err: RoomOwnedElsewhereError, req: IncomingMessage, res: ServerResponse): boolean {
      const placeOf = placer.placeOf?.bind(placer);
      if (!placeOf || !localRequest || req.readableDidRead || res.headersSent || !again(req)) return false;
      void placeOf(err)
        .catch(fallback(err.room))
        .then((placement) => routeRequest(req, res, placement));
      return true;
    },
    /** Closes relayed peers (server shutdown: they get the server's farewell, e.g. 1012). */
    close(farewell?: { code: number; reason: string }): void {
      relay.closeAll(farewell?.code, farewell?.reason);
    },
    get relayed(): number {
      return relay.open;
    },
  };
}
