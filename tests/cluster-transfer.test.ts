/**
 * Projects in and out of a cluster's PostgreSQL database, history included, on a real throwaway
 * PostgreSQL cluster:
 *
 * - store level (store/postgres-transfer.ts): a project file into a new room and back out to a
 *   file: every entry (seq, time, author, label, update, flag, hash), bookmark, the rules and the
 *   stored states arrive unchanged, the chain verifies in the database; an import never lands on
 *   a room that exists; a hostile file leaves no room; an export is the room as it was when it
 *   began while its owner goes on appending;
 * - two real nodes (--store, --node-url): POST /import on one node, a stock provider on the
 *   other opens the room (so that node owns it); history, song state and GET /export through the
 *   non-owner node (relayed) equal the owner's, and the export equals the imported project;
 * - the CLI: `riffroom-server export|import --store postgres://…` beside the running nodes.
 *
 * Skipped, with the reason, where PostgreSQL is not installed (scripts/setup-postgres.sh).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import type { RoomRules } from '../core/jam/contract.ts';
import { signServerToken } from '../sync-server/auth/server-tokens.ts';
import type { ImportResponse } from '../sync-server/contract.ts';
import { RoomLogError } from '../sync-server/store/log-error.ts';
import { openAndTransfer } from '../sync-server/store/log-transfer.ts';
import { PostgresLogStore } from '../sync-server/store/postgres-store.ts';
import { PostgresRoomSink, PostgresRoomSource } from '../sync-server/store/postgres-transfer.ts';
import { RoomLeases } from '../sync-server/store/room-lease.ts';
import { RoomLog, type ChainedEntry, type PackedState } from '../sync-server/store/room-log.ts';
import { RoomFileSink, RoomFileSource, TransferTargetError } from '../sync-server/store/sqlite-transfer.ts';
import { findPostgresBinaries, startPostgresCluster } from './support/postgres-cluster.ts';
import { HOSTILE_LOGS, writeGoodLog } from './support/hostile-logs.ts';
import { startServerProcess, tempDataDir, TEST_SECRET, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { apiFetch, errorOf, getHistory, getSong } from './support/room-api.ts';
import { freePorts } from './support/deploy-files.ts';

const CLI = fileURLToPath(new URL('../sync-server/cli.ts', import.meta.url));
const RULES: RoomRules = { transportLocked: true, students: 'own-track', spotlightTrackId: null };

/** Everything a transfer moves, read from a project file, in a form deepEqual compares. */
function fileContents(path: string) {
  const log = new RoomLog(path, { readOnly: true, create: false, verifyHistory: true });
  try {
    const lastSeq = log.beginRead();
    const entries = comparableEntries(log.entryPage(0, lastSeq, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    const result = {
      lastSeq,
      entries,
      bookmarks: log.bookmarks(),
      rules: log.storedRules(),
      states: comparableStates([...log.packedStates()]),
    };
    log.endRead();
    return result;
  } finally {
    log.close();
  }
}

function comparableEntries(entries: ChainedEntry[]) {
  return entries.map((e) => ({
    ...e,
    concurrent: e.concurrent ?? false,
    update: Buffer.from(e.update).toString('hex'),
    hash: Buffer.from(e.hash).toString('hex'),
  }));
}

function comparableStates(states: PackedState[]) {
  return states.map((s) => ({ ...s, packed: Buffer.from(s.packed).toString('hex') }));
}

/** A project with bookmarks, rules and both kinds of stored state: writeGoodLog's, plus extras. */
function writeRichProject(path: string): void {
  writeGoodLog(path, (log) => {
    log.addBookmark({ seq: 2, name: 'verse', author: 'ann', time: 1_700_000_000_100 });
    log.addBookmark({ seq: log.lastSeq, name: 'chorus', author: 'ben', time: 1_700_000_000_200 });
    log.saveRules({ rules: RULES, author: 'Ms Rivera', label: 'locked the transport', time: 1_700_000_000_300 });
  });
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, RIFFROOM_SECRET: TEST_SECRET, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const binaries = findPostgresBinaries();
if ('why' in binaries) {
  test('projects in and out of PostgreSQL', { skip: binaries.why }, () => {});
} else {
  describe('projects in and out of PostgreSQL', async () => {
    const cluster = await startPostgresCluster();
    after(() => cluster.stop());
    const work = mkdtempSync(join(tmpdir(), 'riffroom-pg-transfer-'));
    after(() => rmSync(work, { recursive: true, force: true }));
    const url = await cluster.createDatabase('transfer');
    const logs = await PostgresLogStore.connect(url);
    after(() => logs.close());
    const roomRow = async (room: string) => (await logs.pool.query('SELECT 1 FROM rooms WHERE room = $1', [room])).rowCount;

    test('a project file into a new room and back: every entry, bookmark, rule and state unchanged', async () => {
      const original = join(work, 'rich.riffroom');
      writeRichProject(original);
      const imported = await openAndTransfer(
        () => new RoomFileSource(original),
        () => PostgresRoomSink.begin(logs.pool, 'rich'),
      );
      assert.equal(imported.bookmarks, 2);
      assert.ok(imported.rules);
      const store = await logs.open('rich', { create: false });
      assert.equal(await store.verify(), null, 'the chain holds in the database');
      assert.equal(store.lastSeq, imported.lastSeq);
      await store.close();

      const back = join(work, 'rich-back.riffroom');
      const exported = await openAndTransfer(
        () => PostgresRoomSource.open(logs.pool, 'rich'),
        () => new RoomFileSink(back),
      );
      assert.deepEqual(exported, imported);
      const want = fileContents(original);
      assert.ok(want.states.length >= 2 && want.rules && want.bookmarks.length === 2, 'the project has everything a transfer moves');
      assert.deepEqual(fileContents(back), want);
    });

    test('an import never lands on a room that exists, and a hostile file leaves no room', async () => {
      const good = join(work, 'good.riffroom');
      writeGoodLog(good);
      await assert.rejects(
        openAndTransfer(
          () => new RoomFileSource(good),
          () => PostgresRoomSink.begin(logs.pool, 'rich'),
        ),
        (err: unknown) => err instanceof TransferTargetError && err.problem === 'exists',
      );
      const store = await logs.open('rich', { create: false });
      assert.equal(store.lastSeq, fileContents(join(work, 'rich.riffroom')).lastSeq, 'the room is as it was');
      await store.close();

      for (const hostile of HOSTILE_LOGS) {
        const path = join(work, `hostile-${HOSTILE_LOGS.indexOf(hostile)}.riffroom`);
        hostile.make(path);
        const room = `hostile-${HOSTILE_LOGS.indexOf(hostile)}`;
        await assert.rejects(
          openAndTransfer(
            () => new RoomFileSource(path),
            () => PostgresRoomSink.begin(logs.pool, room),
          ),
          (err: unknown) => err instanceof RoomLogError && err.problem === hostile.problem,
          hostile.name,
        );
        assert.equal(await roomRow(room), 0, `${hostile.name}: no room`);
      }
      const { rows } = await logs.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM entries WHERE room LIKE 'hostile-%'");
      assert.equal(rows[0]!.n, 0, 'no entry of a refused import');
    });

    test('an export is the room as it was when it began, while its owner goes on appending', async () => {
      const leases = new RoomLeases(logs.pool, { node: 'writer', leaseMs: 60_000 });
      const lease = (await leases.acquire('busy')) ?? assert.fail('lease');
      const store = await logs.open('busy', { lease });
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      for (let i = 0; i < 40; i++) doc.getText('t').insert(0, `edit ${i + 1};`);
      await store.appendBatch(updates.slice(0, 20).map((update, i) => ({ time: 1000 + i, author: 'ann', label: `edit ${i + 1}`, update })));
      const source = await PostgresRoomSource.open(logs.pool, 'busy');
      assert.equal(source.lastSeq, 20);
      await store.appendBatch(updates.slice(20).map((update, i) => ({ time: 2000 + i, author: 'ben', label: `edit ${i + 21}`, update })));
      await store.addBookmark({ seq: 30, name: 'later', author: 'ben', time: 3000 });
      const out = join(work, 'busy.riffroom');
      const summary = await openAndTransfer(
        () => source,
        () => new RoomFileSink(out),
        { pageBytes: 256, pageEntries: 3 },
      );
      assert.deepEqual({ lastSeq: summary.lastSeq, bookmarks: summary.bookmarks }, { lastSeq: 20, bookmarks: 0 });
      assert.equal(fileContents(out).entries.at(-1)!.label, 'edit 20');
      assert.equal(store.lastSeq, 40, 'the owner went on meanwhile');
      await store.close();
      await leases.release(lease);
    });

    describe('two nodes', async () => {
      const nodeUrl = await cluster.createDatabase('transfer_nodes');
      const ports = await freePorts(2);
      const nodes: ServerProcess[] = await Promise.all(
        ports.map((port, i) =>
          startServerProcess({
            port,
            dataDir: tempDataDir(),
            args: [
              '--store',
              nodeUrl,
              '--node-id',
              `node-${i}`,
              '--lease-ms',
              '1500',
              '--node-url',
              `http://127.0.0.1:${port}`,
              '--trusted-proxy',
              '127.0.0.1',
            ],
          }),
        ),
      );
      const [owner, other] = nodes as [ServerProcess, ServerProcess];
      const clients: Client[] = [];
      after(async () => {
        clients.forEach(disconnect);
        for (const node of nodes) await node.kill('SIGKILL');
      });
      const creator = signServerToken(TEST_SECRET, {
        role: 'creator',
        name: 'Ms Rivera',
        id: 'teacher-rivera',
        exp: Math.floor(Date.now() / 1000) + 3600,
      });
      const project = join(work, 'to-share.riffroom');
      writeRichProject(project);

      test("import on one node; history, song and export through the other equal the owner's", async () => {
        const res = await apiFetch(`${other.url}/api/rooms/shared/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${creator}`, 'content-type': 'application/octet-stream' },
          body: readFileSync(project),
        });
        assert.equal(res.status, 201, await res.clone().text());
        const body = (await res.json()) as ImportResponse;
        assert.equal(body.lastSeq, fileContents(project).lastSeq);
        assert.equal(body.claims.role, 'owner');

        // A stock provider on the first node opens the room: that node owns it, the other relays.
        const peer = await connectClient(owner.wsUrl, 'shared', testToken('shared', 'editor', 'cat'));
        clients.push(peer);
        await waitFor(() => peer.doc.getMap('tracks').size === 2, 10_000, 'the imported song reaches the peer');
        assert.equal(((await (await fetch(`${other.url}/healthz`)).json()) as { rooms: number }).rooms, 0, 'the other node relays');

        const token = body.token;
        assert.deepEqual(await getHistory(other, 'shared', token), await getHistory(owner, 'shared', token));
        assert.deepEqual((await getHistory(owner, 'shared', token)).entries.map((e) => e.author).slice(0, 2), ['ann', 'ben']);
        assert.deepEqual(await getSong(other, 'shared', token, 3), await getSong(owner, 'shared', token, 3));

        const exports: string[] = [];
        for (const [name, node] of [
          ['owner', owner],
          ['other', other],
        ] as const) {
          const got = await apiFetch(`${node.url}/api/rooms/shared/export`, { headers: { authorization: `Bearer ${token}` } });
          assert.equal(got.status, 200, await got.clone().text());
          const path = join(work, `export-${name}.riffroom`);
          writeFileSync(path, Buffer.from(await got.arrayBuffer()));
          exports.push(path);
        }
        assert.deepEqual(fileContents(exports[1]!), fileContents(exports[0]!), "the relayed export equals the owner's");
        assert.deepEqual(fileContents(exports[0]!), fileContents(project), 'and both equal the imported project');

        const again = await apiFetch(`${owner.url}/api/rooms/shared/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${creator}` },
          body: readFileSync(project),
        });
        assert.equal(again.status, 409);
        assert.match(await errorOf(again), /a room named shared already exists/);
      });

      test('riffroom-server export and import --store, beside the running nodes', async () => {
        const out = join(work, 'cli-export.riffroom');
        const exported = await cli(['export', '--store', nodeUrl, '--room', 'shared', '--out', out]);
        assert.equal(exported.code, 0, exported.output);
        assert.match(
          exported.output,
          /exported room shared to .*: \d+ entries \(hash chain checked\), 2 bookmarks, \d+ stored states, the teacher's rules/,
        );
        assert.deepEqual(fileContents(out), fileContents(project));

        const imported = await cli(['import', '--room', 'from-cli', '--file', out], { RIFFROOM_STORE: nodeUrl });
        assert.equal(imported.code, 0, imported.output);
        const token = testToken('from-cli', 'owner');
        assert.equal((await getHistory(other, 'from-cli', token)).lastSeq, fileContents(project).lastSeq, 'a node serves the new room');

        const taken = await cli(['import', '--store', nodeUrl, '--room', 'from-cli', '--file', out]);
        assert.equal(taken.code, 1);
        assert.match(taken.output, /a room named from-cli exists in the database: import under another name/);
        const replace = await cli(['import', '--store', nodeUrl, '--room', 'from-cli', '--file', out, '--replace']);
        assert.equal(replace.code, 1);
        assert.match(replace.output, /--replace is not available with --store/);
        const missing = await cli(['export', '--store', nodeUrl, '--room', 'no-such-room', '--out', join(work, 'none.riffroom')]);
        assert.equal(missing.code, 1);
        assert.match(missing.output, /there is no room named no-such-room in the database/);
        const both = await cli(['export', '--store', nodeUrl, '--data', work, '--room', 'shared', '--out', out]);
        assert.equal(both.code, 2);
        assert.match(both.output, /give --data or --store, not both/);
        const password = await cli([
          'export',
          '--store',
          'postgres://riff:hunter2@127.0.0.1:1/none',
          '--room',
          'shared',
          '--out',
          join(work, 'x.riffroom'),
        ]);
        assert.equal(password.code, 1);
        assert.match(password.output, /cannot use the store/);
        assert.doesNotMatch(password.output, /hunter2/, 'the password is never printed');
      });
    });
  });
}
