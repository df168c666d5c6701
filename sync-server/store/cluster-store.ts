/**
 * The server's rooms in a shared PostgreSQL database (`riffroom-server --store postgres://…`):
 * the log store, this node's room leases, and opening a room under its lease.
 *
 * Opening a room acquires its lease (room-lease.ts) and keeps it renewed, from the moment it is
 * acquired (before the room loads: a big room may take longer than a lease to load) for as long as
 * the room is loaded here, by the node's one LeaseRenewer (all its leases in one statement per
 * interval); unloading the room releases it, so another node may take it at once. When another live node holds the lease the open fails with RoomOwnedElsewhereError
 * (cluster/owned-elsewhere.ts), naming that node: the caller refuses the peer (or, with the relay,
 * forwards it there). When the lease is lost while the room is loaded (the renewer's watchdog, or a
 * write refused with LeaseLostError) the room fails: its peers are closed with 1012 and reconnect,
 * and nothing more is appended (the store's fence refuses it anyway).
 *
 * The jam transport (tempo, loop, playing, anchor) is kept in room_transport whenever it changes
 * (the latest state, one fenced write at a time) and loaded when the room opens, so a node that
 * takes a room over continues the same beat timeline (anchors are server-clock ms: the nodes'
 * clocks are assumed NTP-synced).
 */
import type pg from 'pg';
import { RoomOwnedElsewhereError } from '../cluster/owned-elsewhere.ts';
import { Room, type RoomOptions } from '../room/room.ts';
import { PostgresLogStore } from './postgres-store.ts';
import { LeaseRenewer, RoomLeases, type HeldLease, type RenewedLease } from './room-lease.ts';
import type { ReadinessCheck } from '../http/readiness.ts';
import { FENCE } from './room-lease.ts';
import type { TransportState } from '../../core/jam/contract.ts';
import { parseStoredTransport, transportText } from '../jam/stored-transport.ts';

export interface ClusterStoreOptions {
  /** postgres://user[:password]@host:port/db */
  url: string;
  /** This node's name in room_leases. */
  node: string;
  /** Lease length (ms); LIMITS.store.leaseMs by default. */
  leaseMs?: number;
}

export class ClusterStore {
  readonly logs: PostgresLogStore;
  readonly leases: RoomLeases;
  readonly node: string;
  /** Renews every lease this node holds, in one statement per interval. */
  readonly renewer: LeaseRenewer;
  /** The rooms this node holds (loading or loaded), with their renewals. */
  private readonly held = new Map<string, { lease: HeldLease; renewal: RenewedLease }>();

  private constructor(logs: PostgresLogStore, leases: RoomLeases) {
    this.logs = logs;
    this.leases = leases;
    this.node = leases.node;
    this.renewer = new LeaseRenewer(leases);
  }

  static async connect(options: ClusterStoreOptions): Promise<ClusterStore> {
    const logs = await PostgresLogStore.connect(options.url, { applicationName: `riffroom-server ${options.node}`.slice(0, 63) });
    try {
      return new ClusterStore(logs, new RoomLeases(logs.pool as pg.Pool, { node: options.node, leaseMs: options.leaseMs }));
    } catch (err) {
      await logs.close();
      throw err;
    }
  }

  /**
   * Loads `name` here under its lease. `onLost` runs when the renewer finds the lease gone; the
   * lease is released once the room has closed. A lease lost while the room was still loading
   * fails the open (RoomOwnedElsewhereError when another node has the room by then).
   */
  async openRoom(name: string, options: RoomOptions, onLost: (reason: string) => void): Promise<Room> {
    const { lease, sentAt } = await this.acquire(name);
    let lostWhileLoading: string | null = null;
    let loaded = false;
    const renewal = this.renewer.hold(
      lease,
      (reason) => {
        console.error(`room ${name}: this node (${this.node}) lost its lease: ${reason}`);
        if (this.held.get(name)?.renewal === renewal) this.held.delete(name);
        if (loaded) onLost(reason);
        else lostWhileLoading = reason;
      },
      sentAt,
    );
    this.held.set(name, { lease, renewal });
    let room: Room;
    try {
      const store = await this.logs.open(name, { lease });
      try {
        room = await Room.open(name, store, {
          ...options,
          transport: { initial: await this.loadTransport(name), save: this.transportSaver(name, lease) },
          onClosed: () => this.release(name, lease),
        });
      } catch (err) {
        await store.close();
        throw err;
      }
    } catch (err) {
      await this.dropHeld(name, renewal, lease);
      throw err;
    }
    if (lostWhileLoading !== null) {
      // Closing it releases what is left of the lease (nothing, if another node took it).
      await room.close().catch(() => undefined);
      const holder = await this.leases.holder(name).catch(() => null);
      if (holder?.live && holder.node !== this.node) throw new RoomOwnedElsewhereError(name, holder.node, holder.expiresAt?.getTime() ?? 0);
      throw new Error(`room ${name}: this node lost its lease while loading the room (${lostWhileLoading}): try again`);
    }
    loaded = true;
    return room;
  }

  /** Forgets a lease whose room did not open, and releases it. */
  private async dropHeld(name: string, renewal: RenewedLease, lease: HeldLease): Promise<void> {
    renewal.stop();
    if (this.held.get(name)?.renewal === renewal) this.held.delete(name);
    await this.leases.release(lease).catch(() => undefined);
  }

  /**
   * Takes the room's lease, or throws RoomOwnedElsewhereError naming the node that holds it.
   * `sentAt`: when the statement that took it was sent (performance.now()), where its deadline starts.
   */
  private async acquire(name: string): Promise<{ lease: HeldLease; sentAt: number }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      let sentAt = performance.now();
      const lease = await this.leases.acquire(name);
      if (lease) return { lease, sentAt };
      const holder = await this.leases.holder(name);
      if (holder?.live && holder.node === this.node && !this.held.has(name)) {
        sentAt = performance.now();
        const reclaimed = await this.reclaim(name, holder.epoch);
        if (reclaimed) return { lease: reclaimed, sentAt };
        continue;
      }
      if (holder?.live) throw new RoomOwnedElsewhereError(name, holder.node, holder.expiresAt?.getTime() ?? 0);
      // Released or expired between the two statements: try again.
    }
    throw new Error(`room ${name}: its lease changed hands three times while this node tried to take it`);
  }

  /**
   * Takes back a live lease that names this node while no room here holds it: this node restarted
   * after a crash (its node id is kept in <data>/node-id), or a room here failed and could not
   * release it (the database was down). Waiting for it to expire would only keep peers out. The
   * epoch still goes up, so whatever process held it before (a paused former self) stays fenced.
   */
  private async reclaim(name: string, epoch: number): Promise<HeldLease | null> {
    const { rows } = await this.logs.pool.query<{ epoch: number; expires_at: Date }>(
      `UPDATE room_leases SET epoch = epoch + 1, expires_at = now() + $4 * interval '1 millisecond'
       WHERE room = $1 AND node = $2 AND epoch = $3 RETURNING epoch, expires_at`,
      [name, this.node, epoch, this.leases.leaseMs],
    );
    const row = rows[0];
    if (row) console.error(`room ${name}: this node (${this.node}) took back its own lease (epoch ${epoch} -> ${row.epoch})`);
    return row ? { room: name, node: this.node, epoch: row.epoch, expiresAt: row.expires_at } : null;
  }

  private async release(name: string, lease: HeldLease): Promise<void> {
    const held = this.held.get(name);
    if (held?.lease === lease) {
      held.renewal.stop();
      this.held.delete(name);
    }
    try {
      await this.leases.release(lease);
    } catch (err) {
      // It runs out by itself within a lease; until then no other node can take the room.
      console.error(`room ${name}: could not release its lease (it expires by itself): ${(err as Error).message}`);
    }
  }

  /** The transport the room's last owner kept, or null (none, or one that does not check out). */
  private async loadTransport(name: string): Promise<TransportState | null> {
    const { rows } = await this.logs.pool.query<{ state: string }>('SELECT state FROM room_transport WHERE room = $1', [name]);
    if (!rows[0]) return null;
    const read = parseStoredTransport(rows[0].state);
    if ('problem' in read) {
      console.error(`room ${name}: its kept transport is not valid (${read.problem}); it starts from the song's tempo and loop`);
      return null;
    }
    return read.state;
  }

  /**
   * Keeps each transport change: one write in flight, then the latest state that came meanwhile
   * (older ones would be overwritten anyway). Fenced like every write: a deposed node keeps nothing.
   */
  private transportSaver(name: string, lease: HeldLease): (state: TransportState) => void {
    let latest: TransportState | null = null;
    let writing = false;
    const write = async () => {
      writing = true;
      while (latest) {
        const state = latest;
        latest = null;
        try {
          await this.logs.pool.query(
            `WITH fence AS (${FENCE})
             INSERT INTO room_transport AS t (room, state, time) SELECT $1, $4, $5 WHERE EXISTS (SELECT 1 FROM fence)
             ON CONFLICT (room) DO UPDATE SET state = EXCLUDED.state, time = EXCLUDED.time`,
            [name, lease.node, lease.epoch, transportText(state), Date.now()],
          );
        } catch (err) {
          // Only a takeover's continuity is at stake: the room goes on, the next change is kept.
          console.error(`room ${name}: could not keep its transport: ${(err as Error).message}`);
        }
      }
      writing = false;
    };
    return (state) => {
      latest = state;
      if (!writing) void write();
    };
  }

  /** /readyz: the database answers, and every lease this node holds is fresh. */
  readinessCheck(): ReadinessCheck {
    return {
      name: 'store',
      run: async () => {
        await this.logs.pool.query('SELECT 1');
        const stale = [...this.held].filter(([, { renewal }]) => !renewal.valid).map(([room]) => room);
        if (stale.length) throw new Error(`leases not renewed in time for ${stale.length} room(s): ${stale.slice(0, 5).join(', ')}`);
      },
    };
  }

  /** Closes the pool (rooms are closed first: their leases released). */
  async close(): Promise<void> {
    this.renewer.stop();
    this.held.clear();
    await this.logs.close();
  }
}

/** The URL with its password masked, for logs and errors. */
export function redactStoreUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable store URL)';
  }
}
