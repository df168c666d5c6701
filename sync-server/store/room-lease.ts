/**
 * Room ownership across nodes: a lease per room in PostgreSQL (room_leases: room, node, epoch,
 * expires_at). A node acquires a room only when its lease is free (released) or expired; every
 * acquire gives the room a new epoch, one more than the last. The holder renews it while alive
 * (LeaseRenewer: every lease a node holds, in one statement per interval), and releases it when
 * it unloads the room.
 *
 * The epoch is the fencing token: every write of the PostgreSQL store checks, in the same
 * statement, that the room's lease row still names this node and epoch and has not expired
 * (FENCE below, taking a share lock on the row, so a takeover waits for a write in flight and a
 * write after a takeover finds the new epoch). An owner paused past its lease (SIGSTOP, a long GC,
 * a partition) wakes up holding an epoch that is no longer the room's: its writes are refused
 * with LeaseLostError, whatever its own clock and timers believe.
 *
 * Time is the database's (now()), never a node's: nodes' wall clocks disagree and jump (NTP), so
 * if each judged expiry by its own clock, a node running fast could take a room its owner still
 * holds by the owner's clock. With one clock judging every acquire, renew and write, "expired"
 * means the same to every node. (Safety does not even rest on it: the epoch check alone keeps a
 * deposed owner out. The clock decides only when a silent owner's room may be taken.)
 *
 * Every acquire bumps the epoch, even by the node that held the room before: a node restarted
 * under the same name must not share an epoch with its former process, which may still be alive.
 * Lease rows are never deleted: a room's epoch only grows, so an old epoch never becomes valid again.
 */
import type pg from 'pg';
import { LIMITS } from '../limits.ts';

/** What a write needs to prove it is the room's owner. */
export interface LeaseGrant {
  readonly room: string;
  readonly node: string;
  readonly epoch: number;
}

/** A lease as acquired or renewed, with its expiry by the database's clock. */
export interface HeldLease extends LeaseGrant {
  readonly expiresAt: Date;
}

/** Who holds a room now (live: not expired and not released). */
export interface LeaseHolder {
  node: string;
  epoch: number;
  /** When it runs out by the database's clock; null once released. */
  expiresAt: Date | null;
  live: boolean;
  released: boolean;
}

/** A write refused because the writer's lease is no longer the room's. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  readonly room: string;
  readonly epoch: number;
  constructor(lease: LeaseGrant, detail: string) {
    super(`room ${lease.room}: node ${lease.node} lost its lease (epoch ${lease.epoch}): ${detail}; nothing was written`);
    this.room = lease.room;
    this.epoch = lease.epoch;
  }
}

/**
 * The fence, as a CTE body: a row only while `node` holds the room at `epoch`, unexpired. FOR
 * SHARE conflicts with the UPDATE of an acquire, so the two are ordered: a takeover waits for a
 * write in flight to commit, and a write that comes after reads the new epoch (PostgreSQL
 * re-checks a locked row's condition against its newest version) and writes nothing.
 * Parameters: $1 room, $2 node, $3 epoch.
 */
export const FENCE = 'SELECT 1 FROM room_leases WHERE room = $1 AND node = $2 AND epoch = $3 AND expires_at > now() FOR SHARE';

/**
 * A node's liveness in the database: while a node runs it holds a session-level advisory lock on
 * (NODE_LOCK_CLASS, hashtext(node id)) on a connection of its own (cluster/node-directory.ts).
 * PostgreSQL drops it the moment that session ends: the process died (the kernel closes its
 * sockets at once), or its connection to the database broke. A process that is merely paused
 * (SIGSTOP, a long GC) keeps its session, and so its lock.
 */
export const NODE_LOCK_CLASS = 1919905645;

/**
 * SQL: whether node $n's liveness lock is held by some session now, in this database (advisory
 * locks are per database: another deployment's node of the same name does not count). pg_locks
 * shows the two int4 keys as unsigned oids.
 */
export function nodeLockHeld(nodeParam: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND classid = ${NODE_LOCK_CLASS}::bigint::oid
    AND objid = (hashtext(${nodeParam})::bigint & 4294967295)::oid AND objsubid = 2 AND granted)`;
}

interface LeaseRow {
  node: string;
  epoch: number;
  /** A string ('-infinity') once released: pg reads infinite timestamps as text. */
  expires_at: Date | string;
  live: boolean;
  released: boolean;
}

export class RoomLeases {
  readonly node: string;
  readonly leaseMs: number;
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool, options: { node: string; leaseMs?: number }) {
    if (!/^[\x21-\x7e]{1,128}$/.test(options.node))
      throw new Error(`a node name is 1 to 128 printable ASCII characters without spaces (got ${JSON.stringify(options.node)})`);
    const leaseMs = options.leaseMs ?? LIMITS.store.leaseMs;
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 100) throw new Error(`a lease lasts at least 100 ms (got ${leaseMs})`);
    this.pool = pool;
    this.node = options.node;
    this.leaseMs = leaseMs;
  }

  /**
   * Takes the room when nobody holds it (never held, released, or expired); null when another
   * node's lease is live. One statement: of nodes racing for the same room, exactly one wins.
   */
  async acquire(room: string): Promise<HeldLease | null> {
    const { rows } = await this.pool.query<{ epoch: number; expires_at: Date }>(
      `INSERT INTO room_leases AS l (room, node, epoch, expires_at) VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (room) DO UPDATE SET node = EXCLUDED.node, epoch = l.epoch + 1, expires_at = EXCLUDED.expires_at
       WHERE l.expires_at <= now()
       RETURNING epoch, expires_at`,
      [room, this.node, this.leaseMs],
    );
    const row = rows[0];
    return row ? { room, node: this.node, epoch: row.epoch, expiresAt: row.expires_at } : null;
  }

  /**
   * Extends the lease by leaseMs from now; null when it is no longer ours (another node took the
   * room, or it was released). A lease that expired without anyone taking it is still ours: no
   * other node wrote in between (the epoch proves it), so renewing it is safe.
   */
  async renew(lease: LeaseGrant): Promise<HeldLease | null> {
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `UPDATE room_leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE room = $1 AND node = $2 AND epoch = $3 AND expires_at <> '-infinity' RETURNING expires_at`,
      [lease.room, lease.node, lease.epoch, this.leaseMs],
    );
    const row = rows[0];
    return row ? { room: lease.room, node: lease.node, epoch: lease.epoch, expiresAt: row.expires_at } : null;
  }

  /**
   * Extends every lease of `held` that is still this node's by leaseMs from now, in one statement
   * (a node holding 10,000 rooms renews them all in one UPDATE per interval, deploy/SCALING.md);
   * returns the rooms renewed, each at the epoch asked. A lease missing from the answer is no
   * longer ours. Same rule as renew(): node and epoch must match, a released one stays released.
   */
  async renewMany(held: readonly LeaseGrant[]): Promise<Set<string>> {
    const mine = held.filter((lease) => lease.node === this.node);
    if (mine.length === 0) return new Set();
    const { rows } = await this.pool.query<{ room: string }>(
      `UPDATE room_leases SET expires_at = now() + $3 * interval '1 millisecond'
       FROM unnest($1::text[], $2::bigint[]) AS h(room, epoch)
       WHERE room_leases.room = h.room AND room_leases.epoch = h.epoch AND room_leases.node = $4
         AND room_leases.expires_at <> '-infinity'
       RETURNING room_leases.room`,
      [mine.map((lease) => lease.room), mine.map((lease) => lease.epoch), this.leaseMs, this.node],
    );
    return new Set(rows.map((row) => row.room));
  }

  /**
   * Ends a live lease early when its holder is gone from the database: no session holds the
   * holder's liveness lock (NODE_LOCK_CLASS). The caller asks only once a relay to that node was
   * refused (cluster/room-router.ts): the process is gone, not merely unreachable or paused (a
   * paused process keeps its session and its lock; its lease runs its course). The lease is
   * expired, not taken: the next acquire, by any node, bumps the epoch as always, and the fence
   * keeps the former holder out whatever it believes. True when it was expired.
   */
  async expireIfHolderGone(lease: LeaseGrant): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE room_leases SET expires_at = now()
       WHERE room = $1 AND node = $2 AND epoch = $3 AND expires_at > now() AND NOT ${nodeLockHeld('$2')}`,
      [lease.room, lease.node, lease.epoch],
    );
    return result.rowCount === 1;
  }

  /** Gives the room up at once (any node may acquire it next); false when it was not ours any more. */
  async release(lease: LeaseGrant): Promise<boolean> {
    const result = await this.pool.query(`UPDATE room_leases SET expires_at = '-infinity' WHERE room = $1 AND node = $2 AND epoch = $3`, [
      lease.room,
      lease.node,
      lease.epoch,
    ]);
    return result.rowCount === 1;
  }

  /** The room's lease as the database has it now; null when no node ever held it. */
  async holder(room: string): Promise<LeaseHolder | null> {
    return leaseHolder(this.pool, room);
  }
}

export async function leaseHolder(pool: pg.Pool, room: string): Promise<LeaseHolder | null> {
  const { rows } = await pool.query<LeaseRow>(
    `SELECT node, epoch, expires_at, expires_at > now() AS live, expires_at = '-infinity' AS released FROM room_leases WHERE room = $1`,
    [room],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    node: row.node,
    epoch: row.epoch,
    expiresAt: row.expires_at instanceof Date ? row.expires_at : null,
    live: row.live,
    released: row.released,
  };
}

/** One lease a LeaseRenewer keeps renewed. */
export interface RenewedLease {
  /** Whether the lease is still believed ours (by this process's clock; the fence decides). */
  readonly valid: boolean;
  /** Stops renewing it (it then runs out by itself unless released); onLost will not run. */
  stop(): void;
}

interface Held {
  lease: LeaseGrant;
  onLost: (reason: string) => void;
  /** performance.now() until which the lease is surely ours: the send time of its last renewal + leaseMs. */
  validUntil: number;
  stopped: boolean;
}

/**
 * Keeps every lease a node holds renewed with one statement per interval (a third of the lease;
 * RoomLeases.renewMany), while keeping each lease's own loss: `onLost` runs once for a lease when
 * a renewal finds it taken or released, or when no renewal of it has succeeded for a whole lease
 * (failed, or still waiting on an unreachable database: a watchdog timer, not the renewal's
 * answer, decides). From then on another node may own the room, so the holder must stop serving
 * it. (Its writes would be refused anyway: the fence checks the epoch. This lets it tell its
 * peers sooner.)
 *
 * Each lease's deadline is kept on this process's monotonic clock from when the statement that
 * last acquired or renewed it was sent, which is never later than the database's expiry. A lease
 * is held from the moment it is acquired (hold(lease, sentAt)), before its room loads: a room that
 * takes longer than a lease to load keeps its lease all the same.
 */
export class LeaseRenewer {
  readonly leases: RoomLeases;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private watchdogAt = Infinity;
  private renewing = false;
  private lastError = '';
  private stopped = false;

  constructor(leases: RoomLeases) {
    this.leases = leases;
  }

  /** Leases held now. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Keeps `lease` renewed until stopped or lost. `sentAt`: performance.now() when the statement
   * that acquired it was sent (default: now, which may be a little late: pass it).
   */
  hold(lease: LeaseGrant, onLost: (reason: string) => void, sentAt = performance.now()): RenewedLease {
    if (this.stopped) throw new Error('the lease renewer is stopped');
    const previous = this.held.get(lease.room);
    if (previous) previous.stopped = true;
    const entry: Held = { lease, onLost, validUntil: sentAt + this.leases.leaseMs, stopped: false };
    this.held.set(lease.room, entry);
    this.armWatchdog();
    this.schedule();
    return {
      get valid() {
        return !entry.stopped && performance.now() < entry.validUntil;
      },
      stop: () => this.drop(entry),
    };
  }

  /** Stops renewing everything (the leases run out by themselves unless released); no onLost runs. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.held.values()) entry.stopped = true;
    this.held.clear();
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.timer = this.watchdog = null;
  }

  private drop(entry: Held): void {
    entry.stopped = true;
    if (this.held.get(entry.lease.room) === entry) this.held.delete(entry.lease.room);
    if (this.held.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private lose(entry: Held, reason: string): void {
    if (entry.stopped) return;
    this.drop(entry);
    entry.onLost(reason);
  }

  /** One timer for every lease: it fires at the earliest deadline and declares lost what ran out. */
  private armWatchdog(): void {
    let earliest = Infinity;
    for (const entry of this.held.values()) earliest = Math.min(earliest, entry.validUntil);
    if (earliest === this.watchdogAt && this.watchdog) return;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.watchdogAt = earliest;
    if (earliest === Infinity) return;
    this.watchdog = setTimeout(
      () => {
        this.watchdog = null;
        this.watchdogAt = Infinity;
        const now = performance.now();
        for (const entry of [...this.held.values()]) {
          if (entry.validUntil <= now) {
            this.lose(entry, `no renewal succeeded for a whole lease${this.lastError ? ` (last: ${this.lastError})` : ''}`);
          }
        }
        this.armWatchdog();
      },
      Math.max(0, earliest - performance.now()),
    );
    this.watchdog.unref();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.renewing || this.held.size === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.renewOnce();
      },
      Math.max(10, Math.floor(this.leases.leaseMs / 3)),
    );
    this.timer.unref();
  }

  private async renewOnce(): Promise<void> {
    const batch = [...this.held.values()];
    if (batch.length === 0) return;
    this.renewing = true;
    const sent = performance.now();
    try {
      const renewed = await this.leases.renewMany(batch.map((entry) => entry.lease));
      this.lastError = '';
      for (const entry of batch) {
        if (entry.stopped) continue;
        if (renewed.has(entry.lease.room)) entry.validUntil = Math.max(entry.validUntil, sent + this.leases.leaseMs);
        else this.lose(entry, 'another node holds the room now, or it was released');
      }
      this.armWatchdog();
    } catch (err) {
      // The database may be restarting: keep trying until the watchdog says a lease ran out.
      this.lastError = (err as Error).message;
    } finally {
      this.renewing = false;
    }
    this.schedule();
  }
}

/**
 * Keeps one held lease renewed (every third of its length) until stopped or lost: a LeaseRenewer
 * holding just this lease, its deadline counted from now (see LeaseRenewer for `onLost`).
 */
export class LeaseKeeper {
  private readonly renewer: LeaseRenewer;
  private readonly held: RenewedLease;

  constructor(leases: RoomLeases, lease: LeaseGrant, onLost: (reason: string) => void) {
    this.renewer = new LeaseRenewer(leases);
    this.held = this.renewer.hold(lease, (reason) => {
      this.renewer.stop();
      onLost(reason);
    });
  }

  /** Whether the lease is still believed ours (by this process's clock; the fence decides). */
  get valid(): boolean {
    return this.held.valid;
  }

  stop(): void {
    this.held.stop();
    this.renewer.stop();
  }
}
