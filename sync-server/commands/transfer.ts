/**
 * riffroom-server export / import: a room's whole history out of a server's rooms as a .riffroom
 * project file, or a project file in as a room (store/log-transfer.ts; the same as GET /export and
 * POST /import over HTTP).
 *
 *   riffroom-server export (--data <dir> | --store postgres://…) --room <r> --out <song.riffroom> [--replace]
 *   riffroom-server import (--data <dir> | --store postgres://…) --room <r> --file <song.riffroom> [--replace]
 *
 * --data names a one-node server's data folder (SQLite, one file per room); --store (or
 * RIFFROOM_STORE) the database a cluster's nodes share. Both work beside running servers: an
 * export reads the room as it was when it began (one read transaction, or one snapshot of the
 * database; later edits are simply not in it); an import places the room only once it is
 * complete. Neither overwrites anything unless --replace is given, and --replace never replaces a
 * room that a running server has loaded (it says so: wait until the room is idle and unloaded, or
 * stop the server). In PostgreSQL a room's name is never reused (its lease epochs go on), so
 * --replace is refused there: import under a new name. The project file an import reads gets
 * every check a project someone sent gets (log-check.ts), its whole hash chain included.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOM_NAME } from '../contract.ts';
import { ROOM_FILE_EXTENSION } from '../room/registry.ts';
import { RoomLogError } from '../store/log-error.ts';
import type { TransferSummary } from '../store/log-transfer.ts';
import { openAndTransfer } from '../store/log-transfer.ts';
import { PostgresLogStore } from '../store/postgres-store.ts';
import { PostgresRoomSink, PostgresRoomSource } from '../store/postgres-transfer.ts';
import { copyRoomFile, RoomFileSink, RoomFileSource, TransferTargetError } from '../store/sqlite-transfer.ts';
import { redactStoreUrl } from '../store/cluster-store.ts';

export const TRANSFER_USAGE = `  riffroom-server export (--data <dir> | --store postgres://…) --room <room> --out <song.riffroom> [--replace]
  riffroom-server import (--data <dir> | --store postgres://…) --room <room> --file <song.riffroom> [--replace]`;

function readTransferFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      store: { type: 'string' },
      room: { type: 'string' },
      out: { type: 'string' },
      file: { type: 'string' },
      replace: { type: 'boolean' },
    },
  }).values;
}

/** Runs `export` or `import` with its arguments; returns the exit status (0 done, 1 refused, 2 usage). */
export async function runTransferCommand(
  command: 'export' | 'import',
  argv: string[],
  log = console,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values: ReturnType<typeof readTransferFlags>;
  try {
    values = readTransferFlags(argv);
  } catch (err) {
    return usage(log, (err as Error).message);
  }
  const store = values.store ?? (values.data ? undefined : env.RIFFROOM_STORE);
  if (!values.data && !store) return usage(log, '--data <dir> (a one-node server) or --store postgres://… (a cluster) is required');
  if (values.data && values.store) return usage(log, 'give --data or --store, not both');
  if (!values.room || !ROOM_NAME.test(values.room))
    return usage(log, '--room must be 1-64 letters, digits, - or _ (starting with a letter or digit)');
  if (command === 'export' && !values.out) return usage(log, '--out <file> is required');
  if (command === 'import' && !values.file) return usage(log, '--file <song.riffroom> is required');
  if (store) return transferWithDatabase(command, store, values.room, values, log);
  const data = values.data!;
  const roomFile = join(data, 'rooms', values.room + ROOM_FILE_EXTENSION);
  const replace = values.replace ?? false;
  try {
    if (command === 'export') {
      if (!existsSync(roomFile)) return refuse(log, `there is no room named ${values.room} in ${data}`);
      const out = resolve(values.out!);
      // The room's own file: its chain is compared entry by entry during the copy.
      const summary = await copyRoomFile(roomFile, out, { verifyHistory: false, replace });
      log.log(`exported room ${values.room} to ${out}: ${describe(summary)}`);
    } else {
      mkdirSync(join(data, 'rooms'), { recursive: true });
      const summary = await copyRoomFile(resolve(values.file!), roomFile, { verifyHistory: true, replace });
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

/** export / import against the rooms of a PostgreSQL database (a cluster's), beside its nodes. */
async function transferWithDatabase(
  command: 'export' | 'import',
  url: string,
  room: string,
  values: { out?: string; file?: string; replace?: boolean },
  log: Pick<Console, 'log' | 'error'>,
): Promise<number> {
  if (!/^postgres(ql)?:\/\//.test(url)) return usage(log, `--store must be postgres://user@host:port/db, not ${redactStoreUrl(url)}`);
  if (values.replace && command === 'import')
    return refuse(log, '--replace is not available with --store: a room in the database keeps its name for good; import under a new name');
  let logs: PostgresLogStore;
  try {
    logs = await PostgresLogStore.connect(url, { maxConnections: 2, applicationName: `riffroom-server ${command}` });
  } catch (err) {
    return refuse(log, `cannot use the store ${redactStoreUrl(url)}: ${(err as Error).message}`);
  }
  try {
    if (command === 'export') {
      const out = resolve(values.out!);
      const summary = await openAndTransfer(
        () => PostgresRoomSource.open(logs.pool, room),
        () => new RoomFileSink(out, { replace: values.replace }),
      );
      log.log(`exported room ${room} to ${out}: ${describe(summary)}`);
    } else {
      const summary = await openAndTransfer(
        () => new RoomFileSource(resolve(values.file!), { verifyHistory: true }),
        () => PostgresRoomSink.begin(logs.pool, room),
      );
      log.log(`imported ${values.file} as room ${room}: ${describe(summary)}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof RoomLogError) {
      if (err.problem === 'missing' && command === 'export') return refuse(log, `there is no room named ${room} in the database`);
      return refuse(log, `cannot ${command} ${command === 'export' ? `room ${room}` : values.file}: ${err.reason}`);
    }
    if (err instanceof TransferTargetError) {
      return refuse(
        log,
        command === 'export'
          ? `${err.target} exists: add --replace to replace it`
          : `a room named ${room} exists in the database: import under another name`,
      );
    }
    throw err;
  } finally {
    await logs.close();
  }
}

function describe(summary: TransferSummary): string {
  const rules = summary.rules ? ", the teacher's rules" : '';
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
