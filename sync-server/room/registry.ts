/**
 * The rooms a server has in memory. By default each room lives in its own log file under the data
 * dir (SQLite); with a cluster store (PostgreSQL, store/cluster-store.ts) every room lives in the
 * shared database and this node serves a room only while it holds the room's lease. Idle rooms
 * (no peers) are unloaded after a while, or sooner when too many are loaded, and load again from
 * their log on the next visit. Loading is async: concurrent visits share one load, and a room
 * being unloaded is loaded again only once its log is closed (and its lease released).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOM_NAME } from '../contract.ts';
import { RoomLog } from '../store/room-log.ts';
import type { ServerMetrics } from '../metrics.ts';
import { Room, type SnapshotPolicy } from './room.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { HistorySink, HistorySource } from '../store/log-transfer.ts';
import { PostgresRoomSink, PostgresRoomSource } from '../store/postgres-transfer.ts';
import { RoomFileSink, RoomFileSource } from '../store/sqlite-transfer.ts';

export const ROOM_FILE_EXTENSION = '.riffroom';

export class RoomLimitError extends Error {
  override name = 'RoomLimitError';
}

export interface RegistryOptions {
  dataDir: string;
  maxRooms: number;
  /** An idle room is unloaded this long after its last peer left. */
  idleUnloadMs: number;
  snapshotPolicy?: Partial<SnapshotPolicy>;
  metrics?: ServerMetrics;
  /**
   * Rooms whose log is a given file instead of <dataDir>/rooms/<room>.riffroom: the desktop app's
   * session host serves the open project file as its room.
   */
  roomFiles?: ReadonlyMap<string, string>;
  /** Rooms live in this shared store (PostgreSQL) instead of files under dataDir/rooms/. */
  cluster?: ClusterStore;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly creating = new Set<string>();
  /** Rooms closing: a new load of the same room waits for its log to be closed. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly options: RegistryOptions;
  private readonly roomsDir: string;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(options: RegistryOptions) {
    this.options = options;
    this.roomsDir = join(options.dataDir, 'rooms');
    mkdirSync(this.roomsDir, { recursive: true });
    this.sweepTimer = setInterval(
      () => {
        // An exception thrown from a timer would take the whole server down.
        try {
          this.unloadIdle();
        } catch (err) {
          console.error('rooms: unloading idle rooms failed:', err);
        }
      },
      Math.min(options.idleUnloadMs, 30_000),
    );
    this.sweepTimer.unref();
  }

  get loadedCount(): number {
    return this.rooms.size;
  }

  fileOf(name: string): string {
    if (!ROOM_NAME.test(name)) throw new Error(`invalid room name: ${name}`);
    return this.options.roomFiles?.get(name) ?? join(this.roomsDir, name + ROOM_FILE_EXTENSION);
  }

  /** The store kind rooms live in. */
  get storeKind(): 'sqlite' | 'postgres' {
    return this.options.cluster ? 'postgres' : 'sqlite';
  }

  async exists(name: string): Promise<boolean> {
    if (this.rooms.has(name)) return true;
    if (this.options.cluster) return this.options.cluster.logs.exists(name);
    return existsSync(this.fileOf(name));
  }

  /**
   * The room's history for an export: one consistent view (SQLite: one read transaction on the
   * room's file; PostgreSQL: one snapshot of the database), read while the room goes on.
   */
  async exportSource(name: string): Promise<HistorySource> {
    if (this.options.cluster) return PostgresRoomSource.open(this.options.cluster.logs.pool, name);
    // The server's own file: the transfer compares every hash on the way, so no walk first.
    return new RoomFileSource(this.fileOf(name), { verifyHistory: false });
  }

  /**
   * A new room's log, written by an import and placed only when committed; TransferTargetError
   * ('exists') when a room of that name exists, now or by the time the import commits.
   */
  async importSink(name: string): Promise<HistorySink> {
    if (this.options.cluster) return PostgresRoomSink.begin(this.options.cluster.logs.pool, name);
    return new RoomFileSink(this.fileOf(name));
  }

  /** Creates the room when it has no log yet (null when it has one); a name is claimed while it is looked up. */
  async create(name: string): Promise<Room | null> {
    if (this.creating.has(name)) return null;
    this.creating.add(name);
    try {
      if (await this.exists(name)) return null;
      return await this.get(name);
    } finally {
      this.creating.delete(name);
    }
  }

  /** The room if it is loaded here now (no load). */
  loaded(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /**
   * The loaded room, loading (or creating) it from its log. Throws RoomLimitError when full, and
   * with a cluster store RoomOwnedElsewhereError when another live node holds the room's lease.
   */
  get(name: string): Promise<Room> {
    const loaded = this.rooms.get(name);
    if (loaded && !loaded.isFailed) return Promise.resolve(loaded);
    if (loaded) this.unload(name);
    const loading = this.loading.get(name);
    if (loading) return loading;
    const load = this.load(name).finally(() => this.loading.delete(name));
    this.loading.set(name, load);
    return load;
  }

  private async load(name: string): Promise<Room> {
    if (!ROOM_NAME.test(name)) throw new Error(`invalid room name: ${name}`);
    const closing = this.closing.get(name);
    if (closing) await closing;
    // Rooms loaded, and the others being loaded, count against the limit.
    const held = () => this.rooms.size + [...this.loading.keys()].filter((other) => other !== name).length;
    if (held() >= this.options.maxRooms) this.unloadIdle(true);
    if (held() >= this.options.maxRooms) throw new RoomLimitError('too many active rooms on this server');
    const options = { metrics: this.options.metrics, snapshotPolicy: this.options.snapshotPolicy };
    let room: Room;
    if (this.options.cluster) {
      room = await this.options.cluster.openRoom(name, options, (reason) => this.rooms.get(name)?.failLease(reason));
    } else {
      const log = this.openLog(name);
      try {
        room = new Room(name, log, options);
      } catch (err) {
        log.close(); // a log whose room cannot load (updates Yjs refuses) is not left open
        throw err;
      }
    }
    this.rooms.set(name, room);
    this.options.metrics?.roomsLoaded.inc();
    return room;
  }

  /**
   * Opens a room's log; throws RoomLogError for a file that fails its checks (the room is then
   * refused, and the server goes on serving the others).
   *
   * Every open checks the schema (no trigger or view can run), the bounds and every stored state
   * (no decompression bomb). The hash chain is walked too, except for the server's own rooms:
   * on a 100,000-entry log (12 MB, 22 snapshots; `npm run bench:sync -- open`, CPU time medians
   * of fresh processes) loading the room costs about 0.9 s, the checks about 0.2 s more, and
   * walking the chain another 0.4 to 0.5 s (+13 MiB peak), all on the event loop every room
   * shares, and again each time an idle room is loaded back. A file in
   * <data>/rooms was written by this server alone; whoever could change it could change the
   * server's code too, so the chain would not protect it from anyone. A file the server did not
   * write (roomFiles: the desktop's project, which anyone may have sent) is walked whole.
   * Anything that brings a file into <data>/rooms from elsewhere must open it with RoomLog's
   * default (the chain walked) first.
   */
  private openLog(name: string): RoomLog {
    const own = !this.options.roomFiles?.has(name);
    return new RoomLog(this.fileOf(name), { verifyHistory: !own });
  }

  /** Unloads rooms without peers: those idle long enough, or (when `makeRoom`) the longest idle. */
  unloadIdle(makeRoom = false): void {
    const now = Date.now();
    const idle = [...this.rooms.values()].filter((r) => r.peerCount === 0).sort((a, b) => a.lastActivity - b.lastActivity);
    for (const room of idle) {
      if (now - room.lastActivity >= this.options.idleUnloadMs || room.isFailed) this.unload(room.name);
    }
    if (makeRoom && this.rooms.size >= this.options.maxRooms) {
      const oldest = idle.find((r) => this.rooms.has(r.name));
      if (oldest) this.unload(oldest.name);
    }
  }

  private unload(name: string, farewell?: { code: number; reason: string }): void {
    const room = this.rooms.get(name);
    if (!room) return;
    this.rooms.delete(name);
    let closed: Promise<void>;
    try {
      closed = room.close(farewell?.code, farewell?.reason);
    } catch (err) {
      // Gone from the map all the same: the next visit loads it again from its log.
      console.error(`room ${name}: closing failed:`, err);
      closed = Promise.resolve();
    }
    const done = closed
      .catch((err) => console.error(`room ${name}: closing failed:`, err))
      .finally(() => {
        if (this.closing.get(name) === done) this.closing.delete(name);
      });
    this.closing.set(name, done);
    this.options.metrics?.roomsUnloaded.inc();
  }

  /**
   * Closes every room (peers get `goingAway`, or the farewell's code and reason); each log is
   * checkpointed into its file (or its store). Resolves once every log is closed.
   */
  async closeAll(farewell?: { code: number; reason: string }): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.loading.values()]);
    for (const name of [...this.rooms.keys()]) this.unload(name, farewell);
    await Promise.all([...this.closing.values()]);
  }
}
