/**
 * This node's name in room_leases (`--node-id`, RIFFROOM_NODE_ID). By default a random id made
 * once and kept in <data>/node-id, so the name is stable across restarts: the relay (and an
 * operator reading room_leases) can map a name to a machine, and /readyz, logs and refusals name
 * the same node tomorrow. hostname+pid would change at every restart and leave the old name in
 * room_leases pointing nowhere. A stable name is safe: every acquire bumps the room's epoch, so a
 * restarted node never shares an epoch with its former process (store/room-lease.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const NODE_ID = /^[\x21-\x7e]{1,128}$/;

export function checkNodeId(id: string): string {
  if (!NODE_ID.test(id)) throw new Error(`a node id is 1 to 128 printable ASCII characters without spaces (got ${JSON.stringify(id)})`);
  return id;
}

/** The id kept in <dataDir>/node-id, made on first use (hostname, then random). */
export function stableNodeId(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'node-id');
  if (existsSync(file)) return checkNodeId(readFileSync(file, 'utf8').trim());
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '')
      .slice(0, 40) || 'node';
  const id = `${host}-${randomBytes(6).toString('hex')}`;
  writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o644 });
  return id;
}
