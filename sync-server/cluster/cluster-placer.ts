/**
 * The production wiring of routing for a node with a PostgreSQL store: announce this node in the
 * node directory, and place rooms by their leases (room_leases) and the directory. cli.ts calls it
 * once it has the store's pool and the node's id (--node-id) and internal URL (--node-url), and
 * passes `placer` to startServer as roomPlacer.
 */
import type pg from 'pg';
import { LIMITS } from '../limits.ts';
import { leaseHolder, RoomLeases } from '../store/room-lease.ts';
import { NodeDirectory } from './node-directory.ts';
import { RoomRouter } from './room-router.ts';

export interface ClusterPlacer {
  placer: RoomRouter;
  directory: NodeDirectory;
  /** Stops the heartbeat and says this node has left (others stop relaying to it at once). */
  stop(): Promise<void>;
}

export async function startClusterPlacer(
  pool: pg.Pool,
  options: { node: string; url: string; heartbeatMs?: number; windowMs?: number; maxWaitMs?: number; leaseMs?: number },
): Promise<ClusterPlacer> {
  const directory = new NodeDirectory(pool, options);
  await directory.start();
  // Only expireIfHolderGone is used: it touches other nodes' leases, never this node's own.
  const leases = new RoomLeases(pool, { node: options.node, leaseMs: options.leaseMs });
  const placer = new RoomRouter({
    node: options.node,
    directory,
    // A dead owner's lease has at most a lease left: a peer waits that out (held, not sent away
    // to back off), unless told otherwise.
    maxWaitMs: options.maxWaitMs ?? Math.max(3000, (options.leaseMs ?? LIMITS.store.leaseMs) + 500),
    ownerOf: async (room) => {
      const holder = await leaseHolder(pool, room);
      return holder?.live && holder.expiresAt ? { node: holder.node, expiresAt: holder.expiresAt.getTime(), epoch: holder.epoch } : null;
    },
    expireGone: async (room, owner) => {
      const ended = await leases.expireIfHolderGone({ room, node: owner.node, epoch: owner.epoch });
      if (ended)
        console.error(
          `room ${room}: node ${owner.node} refuses connections and holds no session: its lease (epoch ${owner.epoch}) ended early`,
        );
      return ended;
    },
  });
  return { placer, directory, stop: () => directory.stop({ leave: true }) };
}
