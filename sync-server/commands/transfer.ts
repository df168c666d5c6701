/**
 * riffroom-server export / import: a room's whole history out of a server's data folder as a
 * .riffroom project file, or a project file in as a room (store/log-transfer.ts; the same as
 * GET /export and POST /import over HTTP).
 *
 *   riffroom-server export --data <dir> --room <r> --out <song.riffroom> [--replace]
 *   riffroom-server import --data <dir> --room <r> --file <song.riffroom> [--replace]
 *
 * Both work beside a running server: an export reads the room as it was when it began (one read
 * transaction; later edits are simply not in it); an import places the room's file only once it
 * is complete. Neither overwrites anything unless --replace is given, and --replace never
 * replaces a room that a running server has loaded (it says so: wait until the room is idle and
 * unloaded, or stop the server). The project file an import reads gets every check a project
 * someone sent gets (log-check.ts), its whole hash chain included.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOM_NAME } from '../contract.ts';
import { ROOM_FILE_EXTENSION } from '../room/registry.ts';
import { RoomLogError } from '../store/log-error.ts';
import type { TransferSummary } from '../store/log-transfer.ts';
import { copyRoomFile, TransferTargetError } from '../store/sqlite-transfer.ts';

export const TRANSFER_USAGE = `  riffroom-server export --data <dir> --room <room> --out <song.riffroom> [--replace]
  riffroom-server import --data <dir> --room <room> --file <song.riffroom> [--replace]`;

/** Runs `export` or `import` with its arguments; returns the exit status (0 done, 1 refused, 2 usage). */
export async function runTransferCommand(command: 'export' | 'import', argv: string[], log = console): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { data: { type: 'string' }, room: { type: 'string' }, out: { type: 'string' }, file: { type: 'string' }, replace: { type: 'boolean' } },
    }));
  } catch (err) {
    return usage(log, (err as Error).message);
  }
  if (!values.data) return usage(log, '--data <dir> is required');
  if (!values.room || !ROOM_NAME.test(values.room)) return usage(log, '--room must be 1-64 letters, digits, - or _ (starting with a letter or digit)');
  const roomFile = join(values.data, 'rooms', values.room + ROOM_FILE_EXTENSION);
  const replace = values.replace ?? false;
  try {
    if (command === 'export') {
      if (!values.out) return usage(log, '--out <file> is required');
      if (!existsSync(roomFile)) return refuse(log, `there is no room named ${values.room} in ${values.data}`);
      const out = resolve(values.out);
      // The room's own file: its chain is compared entry by entry during the copy.
      const summary = await copyRoomFile(roomFile, out, { verifyHistory: false, replace });
      log.log(`exported room ${values.room} to ${out}: ${describe(summary)}`);
    } else {
      if (!values.file) return usage(log, '--file <song.riffroom> is required');
      mkdirSync(join(values.data, 'rooms'), { recursive: true });
      const summary = await copyRoomFile(resolve(values.file), roomFile, { verifyHistory: true, replace });
      log.log(`imported ${values.file} as room ${values.room}: ${describe(summary)}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof RoomLogError) {
      const what = command === 'export' ? `room ${values.room}` : values.file;
      return refuse(log, `cannot ${command} ${what}: ${err.reason}`);
    }
    if (err instanceof TransferTargetError) {
      if (err.problem === 'in-use') return refuse(log, `cannot replace room ${values.room}: ${err.message}`);
      const taken = command === 'export' ? `${err.target} exists` : `a room named ${values.room} exists`;
      return refuse(log, `${taken}: add --replace to replace it`);
    }
    throw err;
  }
}

function describe(summary: TransferSummary): string {
  const rules = summary.rules ? ', the teacher\'s rules' : '';
  return `${summary.entries} entries (hash chain checked), ${summary.bookmarks} bookmarks, ${summary.states} stored states${rules}`;
}

function usage(log: Pick<Console, 'error'>, message: string): number {
  log.error(`riffroom-server: ${message}\nusage:\n${TRANSFER_USAGE}`);
  return 2;
}

function refuse(log: Pick<Console, 'error'>, message: string): number {
  log.error(`riffroom-server: ${message}`);
  return 1;
}
