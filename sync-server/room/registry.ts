/**
 * The rooms a server has in memory. Each room lives in its own log file under the data dir;
 * idle rooms (no peers) are unloaded after a while, or sooner when too many are loaded, and
 * load again from their log on the next visit.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOM_NAME } from '../contract.ts';
import { RoomLog } from '../store/room-log.ts';
import type { ServerMetrics } from '../metrics.ts';
import { Room, type SnapshotPolicy } from './room.ts';

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
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly options: RegistryOptions;
  private readonly roomsDir: string;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(options: RegistryOptions) {
    this.options = options;
    this.roomsDir = join(options.dataDir, 'rooms');
    mkdirSync(this.roomsDir, { recursive: true });
    this.sweepTimer = setInterval(() => {
      // An exception thrown from a timer would take the whole server down.
      try {
        this.unloadIdle();
      } catch (err) {
        console.error('rooms: unloading idle rooms failed:', err);
      }
    }, Math.min(options.idleUnloadMs, 30_000));
    this.sweepTimer.unref();
  }

  get loadedCount(): number {
    return this.rooms.size;
  }

  fileOf(name: string): string {
    if (!ROOM_NAME.test(name)) throw new Error(`invalid room name: ${name}`);
    return this.options.roomFiles?.get(name) ?? join(this.roomsDir, name + ROOM_FILE_EXTENSION);
  }

  exists(name: string): boolean {
    return this.rooms.has(name) || existsSync(this.fileOf(name));
  }

  /** The loaded room, loading (or creating) it from its log. Throws RoomLimitError when full. */
  get(name: string): Room {
    const loaded = this.rooms.get(name);
    if (loaded && !loaded.isFailed) return loaded;
    if (loaded) this.unload(name);
    if (this.rooms.size >= this.options.maxRooms) this.unloadIdle(true);
    if (this.rooms.size >= this.options.maxRooms) throw new RoomLimitError('too many active rooms on this server');
    const log = this.openLog(name);
    let room: Room;
    try {
      room = new Room(name, log, { metrics: this.options.metrics, snapshotPolicy: this.options.snapshotPolicy });
    } catch (err) {
      log.close(); // a log whose room cannot load (updates Yjs refuses) is not left open
      throw err;
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
    try {
      room.close(farewell?.code, farewell?.reason);
    } catch (err) {
      // Gone from the map all the same: the next visit loads it again from its log.
      console.error(`room ${name}: closing failed:`, err);
    }
    this.options.metrics?.roomsUnloaded.inc();
  }

  /** Closes every room (peers get `goingAway`, or the farewell's code and reason); each log is checkpointed into its file. */
  closeAll(farewell?: { code: number; reason: string }): void {
    clearInterval(this.sweepTimer);
    for (const name of [...this.rooms.keys()]) this.unload(name, farewell);
  }
}
