/**
 * `npm run bench:store`: the room log's append cost on SQLite and on PostgreSQL, side by side in
 * one run, on the same realistic edits (bench/sync/workload.ts: the app's typed edits, real Yjs
 * updates and labels). Writes bench/results/store.json.
 *
 * Per store and round: every edit appended alone (awaited, as the server appends one update),
 * then the same edits in batches of 16 (what a busy room's write queue would commit at once);
 * latency per append and per edit, and bytes per edit (SQLite: the file after a checkpoint;
 * PostgreSQL: the entries table with its index, and the WAL written). Rounds alternate the stores;
 * each figure is the median over rounds.
 *
 * Conditions, as deployed: PostgreSQL in its own throwaway cluster on this machine with fsync on
 * (each commit waits for the disk), over TCP on 127.0.0.1, every append fenced by its lease
 * (room-lease.ts); SQLite in WAL mode with synchronous=NORMAL as RoomLog opens it (a commit is
 * safe from a crash of the process, not of the machine: no fsync per commit). So the two do not
 * promise the same durability: the JSON says so beside the figures.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { editSession } from '../sync/workload.ts';
import { summarize } from '../stats.ts';
import { SqliteLogStore } from '../../sync-server/store/sqlite-store.ts';
import { PostgresLogStore } from '../../sync-server/store/postgres-store.ts';
import { RoomLeases } from '../../sync-server/store/room-lease.ts';
import type { NewEntry, RoomStore } from '../../sync-server/store/room-store.ts';
import { startPostgresCluster } from '../../tests/support/postgres-cluster.ts';

const EDITS = Number(process.env.BENCH_STORE_EDITS ?? 2000);
const ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 3);
const BATCH = 16;
const OUT = fileURLToPath(new URL('../results/store.json', import.meta.url));

const AUTHORS = ['Ann', 'Ben', 'Cleo'];
const entries: NewEntry[] = [];
for (const edit of editSession(EDITS, { seed: 7, authors: AUTHORS.length })) {
  entries.push({ time: Date.now(), author: AUTHORS[edit.author]!, label: edit.announced.label, update: edit.update, concurrent: false });
}
const updateBytes = entries.reduce((n, e) => n + e.update.byteLength, 0);

interface RoundFigures {
  singleMs: number[];
  batchMs: number[];
  bytesPerEdit: number;
  walBytesPerEdit?: number;
}

async function appendAll(store: RoomStore, batch: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < entries.length; i += batch) {
    const started = performance.now();
    await store.appendBatch(entries.slice(i, i + batch));
    times.push(performance.now() - started);
  }
  return times;
}

async function sqliteRound(round: number): Promise<RoundFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-bench-store-'));
  try {
    const logs = new SqliteLogStore((room) => join(dir, `${room}.riffroom`));
    const empty = await logs.open(`empty-${round}`);
    await empty.close();
    const emptyBytes = statSync(join(dir, `empty-${round}.riffroom`)).size;
    const single = await logs.open(`single-${round}`);
    const singleMs = await appendAll(single, 1);
    await single.close(); // folds the WAL into the file
    const bytes = statSync(join(dir, `single-${round}.riffroom`)).size - emptyBytes;
    const batched = await logs.open(`batched-${round}`);
    const batchMs = await appendAll(batched, BATCH);
    await batched.close();
    return { singleMs, batchMs, bytesPerEdit: bytes / EDITS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRound(url: string, round: number): Promise<RoundFigures> {
  const logs = await PostgresLogStore.connect(url, { maxConnections: 2 });
  try {
    const leases = new RoomLeases(logs.pool, { node: 'bench', leaseMs: 10 * 60_000 });
    const size = async () => {
      const { rows } = await logs.pool.query<{ table: number; wal: string }>(
        "SELECT pg_total_relation_size('entries')::bigint AS table, pg_current_wal_lsn()::text AS wal",
      );
      return rows[0]!;
    };
    const walDiff = async (from: string) => {
      const { rows } = await logs.pool.query<{ n: number }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS n', [from]);
      return rows[0]!.n;
    };
    const room = `single-${round}`;
    const single = await logs.open(room, { lease: (await leases.acquire(room))! });
    const before = await size();
    const singleMs = await appendAll(single, 1);
    const wal = await walDiff(before.wal);
    const after = await size();
    await single.close();
    const batchedRoom = `batched-${round}`;
    const batched = await logs.open(batchedRoom, { lease: (await leases.acquire(batchedRoom))! });
    const batchMs = await appendAll(batched, BATCH);
    await batched.close();
    return { singleMs, batchMs, bytesPerEdit: (after.table - before.table) / EDITS, walBytesPerEdit: wal / EDITS };
  } finally {
    await logs.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function combine(rounds: RoundFigures[]) {
  const single = rounds.map((r) => summarize(r.singleMs));
  const batch = rounds.map((r) => summarize(r.batchMs));
  return {
    appendOneEditMs: { p50: median(single.map((s) => s.p50)), p99: median(single.map((s) => s.p99)) },
    appendBatchOf16Ms: { p50: median(batch.map((s) => s.p50)), p99: median(batch.map((s) => s.p99)) },
    perEditInBatchesOf16Ms: { p50: round3(median(batch.map((s) => s.p50)) / BATCH), p99: round3(median(batch.map((s) => s.p99)) / BATCH) },
    editsPerSecondOneByOne: Math.round(1000 / median(rounds.map((r) => r.singleMs.reduce((a, b) => a + b, 0) / r.singleMs.length))),
    editsPerSecondInBatchesOf16: Math.round(
      (BATCH * 1000) / median(rounds.map((r) => r.batchMs.reduce((a, b) => a + b, 0) / r.batchMs.length)),
    ),
    bytesPerEdit: Math.round(median(rounds.map((r) => r.bytesPerEdit))),
    ...(rounds[0]!.walBytesPerEdit !== undefined ? { walBytesPerEdit: Math.round(median(rounds.map((r) => r.walBytesPerEdit!))) } : {}),
    rounds: rounds.map((r, i) => ({
      single: single[i],
      batchOf16: batch[i],
      bytesPerEdit: Math.round(r.bytesPerEdit),
      walBytesPerEdit: r.walBytesPerEdit && Math.round(r.walBytesPerEdit),
    })),
  };
}

const cluster = await startPostgresCluster({ durable: true });
try {
  const sqlite: RoundFigures[] = [];
  const postgres: RoundFigures[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const url = await cluster.createDatabase(`bench_${round}`);
    // Alternate which goes first, so neither always meets the warmer machine.
    if (round % 2) {
      sqlite.push(await sqliteRound(round));
      postgres.push(await postgresRound(url, round));
    } else {
      postgres.push(await postgresRound(url, round));
      sqlite.push(await sqliteRound(round));
    }
    console.error(`round ${round}/${ROUNDS} done`);
  }
  const result = {
    when: new Date().toISOString(),
    edits: EDITS,
    rounds: ROUNDS,
    meanUpdateBytes: Math.round(updateBytes / EDITS),
    conditions: {
      sqlite: 'RoomLog: WAL, synchronous=NORMAL (durable against a process crash; no fsync per commit)',
      postgres:
        'PostgreSQL (throwaway cluster on this machine, fsync=on, synchronous_commit=on: every commit waits for the disk), TCP 127.0.0.1, each append fenced by its lease',
      machine: 'the 2-core CI machine; both stores on the same disk',
    },
    sqlite: combine(sqlite),
    postgres: combine(postgres),
  };
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, r: ReturnType<typeof combine>) =>
    `${name.padEnd(10)} one edit p50 ${r.appendOneEditMs.p50} ms p99 ${r.appendOneEditMs.p99} ms | per edit in 16s p50 ${r.perEditInBatchesOf16Ms.p50} ms p99 ${r.perEditInBatchesOf16Ms.p99} ms | ${r.bytesPerEdit} B/edit${'walBytesPerEdit' in r ? ` (+${r.walBytesPerEdit} B WAL)` : ''}`;
  console.log(row('SQLite', result.sqlite));
  console.log(row('PostgreSQL', result.postgres));
  console.log(`wrote ${OUT}`);
} finally {
  await cluster.stop();
}
