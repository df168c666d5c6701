/**
 * Where the nodes of a cluster reach each other (DESIGN.md "Hosted topology"): each node announces
 * its internal URL (--node-url, e.g. http://10.0.0.5:4455) in PostgreSQL's riffroom_nodes and
 * repeats it every heartbeat; a non-owner looks the owner's node id up here to relay a peer to it
 * (relay.ts). A node not seen for longer than its heartbeat window counts as dead.
 *
 * A node that this one could not reach (suspect(): a relay to it was refused, reset or timed out)
 * counts as dead here at once, without waiting out its window, until it announces itself again
 * (a heartbeat newer than the one it had when it was suspected): an owner SIGKILLed stops being
 * relayed to as soon as one connection to it fails, and one that was only briefly unreachable is
 * tried again at its next heartbeat. Suspicion is this node's own: it is not written anywhere.
 *
 * While it runs, a node also holds its liveness lock (store/room-lease.ts NODE_LOCK_CLASS) on a
 * connection of its own, taken at start and again at any heartbeat that finds it lost: a node whose
 * relay is refused and whose lock no session holds is gone, and its leases may end early
 * (RoomLeases.expireIfHolderGone).
 *
 * The table is made here, idempotently (CREATE TABLE IF NOT EXISTS), not as a numbered migration of
 * postgres-schema.ts: it holds only soft state that every node rewrites each heartbeat, so it needs
 * no history, and the store's migration numbers stay the store's own.
 *
 * Time is the database's (now()), as for leases (room-lease.ts): "not seen for longer than the
 * window" must mean the same thing to every node, whatever their own clocks say.
 */
import type pg from 'pg';
import { NODE_LOCK_CLASS } from '../store/room-lease.ts';

export interface NodeRecord {
  node: string;
  url: string;
  /** Alive: seen within its heartbeat window, by the database's clock, and not suspected here. */
  alive: boolean;
  /** This node could not reach it since its last heartbeat (suspect()). */
  suspected?: boolean;
  /** Milliseconds since the node was last seen (database clock). */
  silentMs: number;
  /** When it was last seen (ms since the epoch, database clock): which heartbeat a suspicion is about. */
  seenAt: number;
}

/** What the router needs: node id → where it listens, and whether it is alive. */
export interface NodeLookup {
  lookup(node: string): Promise<NodeRecord | null>;
  /** This node could not reach `node` as last seen at `seenAt`: dead to lookup() until it is seen again. */
  suspect?(node: string, seenAt: number): void;
}

export const NODE_TABLE = `CREATE TABLE IF NOT EXISTS riffroom_nodes (
  node text PRIMARY KEY,
  url text NOT NULL,
  seen_at timestamptz NOT NULL,
  window_ms integer NOT NULL CHECK (window_ms > 0)
)`;

export interface NodeDirectoryOptions {
  /** This node's id (the one its leases name). */
  node: string;
  /** Where the other nodes reach this one: http(s)://host:port, no path. */
  url: string;
  /** How often the node says it is alive (default 2 s). */
  heartbeatMs?: number;
  /** Silent for longer than this, the node counts as dead (default 3 heartbeats). */
  windowMs?: number;
}

/** Throws a clear error when a node URL is not http(s)://host[:port] with nothing after it. */
export function checkNodeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`a node URL must look like http://10.0.0.5:4455, not "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`a node URL must be http:// or https://, not "${url}"`);
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash || parsed.username) {
    throw new Error(`a node URL is only scheme, host and port (no path, query or credentials): "${url}"`);
  }
  return parsed.origin;
}

export class NodeDirectory implements NodeLookup {
  readonly node: string;
  readonly url: string;
  readonly heartbeatMs: number;
  readonly windowMs: number;
  private readonly pool: pg.Pool;
  private timer: NodeJS.Timeout | null = null;
  private ready: Promise<void> | null = null;
  private lastError = '';
  /** Nodes this one could not reach → the heartbeat (seen_at, ms) they had then. */
  private readonly suspects = new Map<string, number>();
  /** The session holding this node's liveness lock; null while it has none. */
  private liveness: pg.PoolClient | null = null;
  private takingLiveness: Promise<void> | null = null;

  constructor(pool: pg.Pool, options: NodeDirectoryOptions) {
    if (!options.node) throw new Error('a node needs an id');
    this.pool = pool;
    this.node = options.node;
    this.url = checkNodeUrl(options.url);
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.windowMs = options.windowMs ?? 3 * this.heartbeatMs;
    if (!(this.heartbeatMs > 0) || !(this.windowMs > this.heartbeatMs)) {
      throw new Error(`the heartbeat window (${this.windowMs} ms) must be longer than the heartbeat (${this.heartbeatMs} ms)`);
    }
  }

  /** Makes the table when missing (safe from many nodes at once). */
  ensureTable(): Promise<void> {
    this.ready ??= this.pool.query(NODE_TABLE).then(
      () => undefined,
      async (err) => {
        // Two nodes creating it at the same moment: one of them gets a unique violation on pg_type,
        // "type already exists" or "relation already exists", depending on when the two cross.
        if (['23505', '42710', '42P07'].includes((err as { code?: string }).code ?? '')) return;
        this.ready = null;
        throw err;
      },
    );
    return this.ready;
  }

  /** Announces this node now. */
  async announce(): Promise<void> {
    await this.ensureTable();
    await this.pool.query(
      `INSERT INTO riffroom_nodes (node, url, seen_at, window_ms) VALUES ($1, $2, now(), $3)
       ON CONFLICT (node) DO UPDATE SET url = EXCLUDED.url, seen_at = EXCLUDED.seen_at, window_ms = EXCLUDED.window_ms`,
      [this.node, this.url, this.windowMs],
    );
  }

  /** Whether this node holds its liveness lock now. */
  get holdsLiveness(): boolean {
    return this.liveness !== null;
  }

  /**
   * Takes this node's liveness lock on a connection of its own, when it has none. Not taken (an
   * earlier process of this node id still has a session: a paused former self) is not an error:
   * it is tried again at the next heartbeat; meanwhile nobody ends this node's leases early.
   */
  private holdLiveness(): Promise<void> {
    if (this.liveness || !this.timer) return Promise.resolve();
    this.takingLiveness ??= (async () => {
      const client = await this.pool.connect();
      let released = false;
      const drop = () => {
        if (this.liveness === client) this.liveness = null;
        if (!released) client.release(true);
        released = true;
      };
      // The session is gone, and its lock with it: taken again at the next heartbeat.
      client.on('error', drop);
      try {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
          NODE_LOCK_CLASS,
          this.node,
        ]);
        if (released) throw new Error('its connection broke');
        if (!rows[0]?.ok) throw new Error('another session holds it (an earlier process of this node id)');
        if (!this.timer) throw new Error('stopped');
        this.liveness = client;
      } catch (err) {
        drop();
        throw err;
      }
    })().finally(() => {
      this.takingLiveness = null;
    });
    return this.takingLiveness;
  }

  /** Announces now, then every heartbeat until stop(); a failed heartbeat is logged and retried on the next. */
  async start(): Promise<void> {
    await this.announce();
    this.timer = setInterval(() => {
      void this.holdLiveness().catch(() => undefined);
      this.announce().then(
        () => {
          this.lastError = '';
        },
        (err) => {
          const message = (err as Error).message;
          // Said once, not every two seconds while the database is away.
          if (message !== this.lastError) console.error(`node directory: heartbeat of ${this.node} failed: ${message}`);
          this.lastError = message;
        },
      );
    }, this.heartbeatMs);
    this.timer.unref();
    await this.holdLiveness().catch((err) =>
      console.error(`node directory: ${this.node} could not take its liveness lock yet: ${(err as Error).message}`),
    );
  }

  /** Stops the heartbeat; with `leave`, says so at once (other nodes see it dead now, not after the window). */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.takingLiveness?.catch(() => undefined);
    // Ending the session drops the lock.
    this.liveness?.release(true);
    this.liveness = null;
    if (options.leave) await this.pool.query('DELETE FROM riffroom_nodes WHERE node = $1', [this.node]);
  }

  /** Whether `node` is suspected now (at the heartbeat it had when it was). */
  isSuspect(node: string): boolean {
    return this.suspects.has(node);
  }

  suspect(node: string, seenAt: number): void {
    if (node === this.node || !Number.isFinite(seenAt)) return;
    const before = this.suspects.get(node);
    if (before !== undefined && before >= seenAt) return;
    this.suspects.set(node, seenAt);
    console.error(`node directory: node ${node} cannot be reached from ${this.node}: counted as dead until it announces itself again`);
  }

  async lookup(node: string): Promise<NodeRecord | null> {
    await this.ensureTable();
    const { rows } = await this.pool.query<{
      node: string;
      url: string;
      alive: boolean;
      silent_ms: number | string;
      seen_ms: number | string;
    }>(
      `SELECT node, url, seen_at + window_ms * interval '1 millisecond' > now() AS alive,
              floor(extract(epoch FROM now() - seen_at) * 1000)::float8 AS silent_ms,
              floor(extract(epoch FROM seen_at) * 1000)::float8 AS seen_ms
         FROM riffroom_nodes WHERE node = $1`,
      [node],
    );
    const row = rows[0];
    if (!row) return null;
    const seenAt = Number(row.seen_ms);
    let alive = row.alive;
    const suspectedAt = this.suspects.get(node);
    if (suspectedAt !== undefined) {
      // Seen since it was suspected: it is back (restarted, or the network healed).
      if (seenAt > suspectedAt) this.suspects.delete(node);
      else alive = false;
    }
    return { node: row.node, url: row.url, alive, silentMs: Number(row.silent_ms), seenAt, suspected: this.suspects.has(node) };
  }
}
