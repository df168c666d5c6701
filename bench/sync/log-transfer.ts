/**
 * What moving a room costs: a 100,000-edit log (bench/sync/workload.ts through a Room, as
 * log-open.ts builds it) exported as a server does it (RoomLog's checks without the chain walk,
 * then the copy comparing every hash) and imported as a server does it (every check, the chain
 * walked, then the copy), several times each in this process. Side by side in the same runs, on a
 * throwaway PostgreSQL cluster (fsync on) when this machine has PostgreSQL: the exported file
 * imported into a new room of the database (the cluster's POST /import) and that room exported
 * back to a file (GET /export).
 *
 * Per step: wall-clock and CPU time, and the longest the thread was held at once: the opening
 * checks are one synchronous step, the copy yields between pages (a server serves its peers
 * there). `node bench/sync/log-transfer.ts [--json <file>]`; BENCH_LOG_EDITS, BENCH_TRANSFER_RUNS.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { copyRoomFile, RoomFileSink, RoomFileSource } from '../../sync-server/store/sqlite-transfer.ts';
import { openAndTransfer, DEFAULT_TRANSFER_PAGES } from '../../sync-server/store/log-transfer.ts';
import { PostgresRoomSink, PostgresRoomSource } from '../../sync-server/store/postgres-transfer.ts';
import { createPool, migrate } from '../../sync-server/store/postgres-schema.ts';
import { findPostgresBinaries, startPostgresCluster, type PostgresCluster } from '../../tests/support/postgres-cluster.ts';
import { checkLogFileOffThread } from '../../sync-server/store/log-check-off-thread.ts';
import { buildLog } from './log-open.ts';
import { summarize } from '../stats.ts';

const RUNS = Number(process.env.BENCH_TRANSFER_RUNS ?? 5);
const EDITS = Number(process.env.BENCH_LOG_EDITS ?? 100_000);

interface Step {
  ms: number;
  cpuMs: number;
  /** Longest stretch without a turn of the event loop (ms). */
  longestHoldMs: number;
}

async function measure(run: (betweenPages: () => Promise<void>) => Promise<unknown>): Promise<Step> {
  let longest = 0;
  let last = performance.now();
  const betweenPages = async () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(betweenPages);
  const ms = performance.now() - started;
  longest = Math.max(longest, performance.now() - last);
  const used = process.cpuUsage(cpu);
  return { ms: round(ms), cpuMs: round((used.user + used.system) / 1000), longestHoldMs: round(longest) };
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function benchLogTransfer(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-bench-transfer-'));
  try {
    const room = join(dir, 'room.riffroom');
    await buildLog(room);
    const exports: Step[] = [];
    const imports: Step[] = [];
    const serverImports: Step[] = [];
    const pgImports: Step[] = [];
    const pgExports: Step[] = [];
    let summary: unknown = null;
    const binaries = findPostgresBinaries();
    const db: PostgresCluster | null = 'why' in binaries ? null : await startPostgresCluster({ durable: true });
    const pool = db ? createPool(await db.createDatabase('transfer'), { max: 2 }) : null;
    try {
      if (pool) await migrate(pool);
      for (let run = 0; run < RUNS; run++) {
        const exported = join(dir, `export-${run}.riffroom`);
        exports.push(
          await measure(async (betweenPages) => (summary = await copyRoomFile(room, exported, { verifyHistory: false, betweenPages }))),
        );
        imports.push(
          await measure((betweenPages) =>
            copyRoomFile(exported, join(dir, `import-${run}.riffroom`), { verifyHistory: true, betweenPages }),
          ),
        );
        // What POST /import does (http/transfer-routes.ts): every check in a worker thread, then the paged copy.
        const pages = (betweenPages: () => Promise<void>) => ({ ...DEFAULT_TRANSFER_PAGES, betweenPages });
        const checkedSource = async (betweenPages: () => Promise<void>) => {
          const checking = checkLogFileOffThread(exported, { history: true });
          // The loop's turns while the worker checks count towards the longest hold as well.
          let checked = false;
          void checking.finally(() => {
            checked = true;
          });
          while (!checked) await betweenPages();
          await checking;
          return new RoomFileSource(exported, { alreadyChecked: true });
        };
        serverImports.push(
          await measure(async (betweenPages) => {
            const source = await checkedSource(betweenPages);
            return openAndTransfer(
              () => source,
              () => new RoomFileSink(join(dir, `server-import-${run}.riffroom`)),
              pages(betweenPages),
            );
          }),
        );
        if (!pool) continue;
        pgImports.push(
          await measure(async (betweenPages) => {
            const source = await checkedSource(betweenPages);
            return openAndTransfer(
              () => source,
              () => PostgresRoomSink.begin(pool, `room-${run}`),
              pages(betweenPages),
            );
          }),
        );
        pgExports.push(
          await measure((betweenPages) =>
            openAndTransfer(
              () => PostgresRoomSource.open(pool, `room-${run}`),
              () => new RoomFileSink(join(dir, `pg-export-${run}.riffroom`)),
              pages(betweenPages),
            ),
          ),
        );
      }
    } finally {
      await pool?.end();
      await db?.stop();
    }
    const of = (steps: Step[], key: keyof Step) => summarize(steps.map((s) => s[key]));
    const steps = (list: Step[]) => ({ ms: of(list, 'ms'), cpuMs: of(list, 'cpuMs'), longestHoldMs: of(list, 'longestHoldMs') });
    const result = {
      edits: EDITS,
      runs: RUNS,
      roomFileBytes: statSync(room).size,
      exportedFileBytes: statSync(join(dir, 'export-0.riffroom')).size,
      summary,
      export: { ms: of(exports, 'ms'), cpuMs: of(exports, 'cpuMs'), longestHoldMs: of(exports, 'longestHoldMs') },
      import: { note: "the desktop's path: every check on the calling thread, then the copy", ...steps(imports) },
      serverImport: {
        note: 'POST /import: every check in a worker thread, then the paged copy; cpuMs counts the worker too',
        ...steps(serverImports),
      },
      postgres: pool
        ? {
            note: 'cpuMs is this process only (PostgreSQL works in its own processes)',
            importFileToRoom: steps(pgImports),
            exportRoomToFile: steps(pgExports),
          }
        : { skipped: (binaries as { why: string }).why },
    };
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { json: { type: 'string' } } });
  const result = await benchLogTransfer();
  console.log(JSON.stringify(result, null, 2));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
}
