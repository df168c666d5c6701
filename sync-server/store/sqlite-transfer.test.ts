import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import * as Y from 'yjs';
import { addClip, addNotes, addTrack, initSong, moveClip, renameClip, setTempo } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { RoomLog, RoomLogError } from './room-log.ts';
import { checkLogFile } from './log-check.ts';
import { copyRoomFile, RoomFileSink, RoomFileSource, TransferTargetError } from './sqlite-transfer.ts';
import { transferHistory } from './log-transfer.ts';
import { rebuildAt } from '../room/rebuild.ts';
import { fileFingerprint, HOSTILE_LOGS, tamper, writeGoodLog } from '../../tests/support/hostile-logs.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'riffroom-transfer-'));
}

/**
 * A room as a server leaves it: edits by three authors at their own times and labels, snapshots
 * along the way, the room state, bookmarks, and the teacher's rules changed twice (each an entry).
 */
function writeRichLog(path: string): { lastSeq: number; rulesSeq: number } {
  const log = new RoomLog(path);
  try {
    const doc = new Y.Doc();
    const authors = ['ann', 'ben', 'Ms Rivera'];
    let n = 0;
    let label = '';
    doc.on('update', (update: Uint8Array) => {
      n++;
      log.append({
        time: 1_700_000_000_000 + n * 1000 + (n % 7),
        author: authors[n % 3]!,
        label: label || `edit ${n}`,
        update,
        concurrent: n === 4,
      });
    });
    const edit = (what: string, fn: () => void) => {
      label = what;
      fn();
      label = '';
    };
    edit('created song', () => initSong(doc, { title: 'Moving song' }));
    let bass = '';
    edit('added track Bass', () => (bass = addTrack(doc, { role: 'bass', name: 'Bass' })));
    let clip = '';
    edit('added clip Riff', () => (clip = addClip(doc, { trackId: bass, startBar: 0, lengthBars: 2, name: 'Riff' })));
    for (let i = 0; i < 12; i++)
      edit(`added ${i + 1} notes`, () => addNotes(doc, clip, [{ pitch: 40 + i, tick: i * 120, duration: 120, velocity: 80 + i }]));
    log.saveSnapshot(log.lastSeq, Y.encodeStateAsUpdate(doc));
    log.saveRules({
      rules: { transportLocked: true, students: 'live-only', spotlightTrackId: null },
      author: 'Ms Rivera',
      label: 'set the rules: students play live only, transport locked',
      time: 1_700_000_100_000,
    });
    edit('moved clip', () => moveClip(doc, clip, { startBar: 4 }));
    edit('renamed clip', () => renameClip(doc, clip, 'Riff (take 2)'));
    edit('tempo 97', () => setTempo(doc, 97));
    log.saveSnapshot(log.lastSeq, Y.encodeStateAsUpdate(doc));
    const rulesSeq = log.saveRules({
      rules: { transportLocked: false, students: 'own-track', spotlightTrackId: bass },
      author: 'Ms Rivera',
      label: 'set the rules: students edit their own tracks',
      time: 1_700_000_200_000,
    });
    edit('added track Drums', () => addTrack(doc, { role: 'drums', name: 'Drums' }));
    log.saveRoomState(log.lastSeq, Y.encodeStateAsUpdate(doc));
    edit('tempo 99', () => setTempo(doc, 99)); // after the room state: loads replay it
    log.addBookmark({ seq: 3, name: 'first riff', author: 'ann', time: 1_700_000_003_500 });
    log.addBookmark({ seq: 17, name: 'before the rules', author: 'Ms Rivera', time: 1_700_000_150_000 });
    log.addBookmark({ seq: 17, name: 'same moment, second name', author: 'ben', time: 1_700_000_150_001 });
    return { lastSeq: log.lastSeq, rulesSeq };
  } finally {
    log.close();
  }
}

/** Everything a transfer must carry, read straight from the file (hashes included). */
function contents(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = <T>(sql: string) => (db.prepare(sql).all() as object[]).map((r) => ({ ...r })) as T[];
    return {
      entries:
        rows(`SELECT seq, time, authors.name AS author, labels.text AS label, hex(hash) AS hash, hex("update") AS "update", concurrent
                     FROM entries JOIN authors ON authors.id = author_id JOIN labels ON labels.id = label_id ORDER BY seq`),
      bookmarks: rows('SELECT seq, name, author, time FROM bookmarks ORDER BY id'),
      rules: rows('SELECT seq, rules, author, time FROM room_rules'),
      snapshots: rows('SELECT seq, hex(state) AS state FROM snapshots ORDER BY seq'),
      roomState: rows('SELECT seq, hex(state) AS state FROM room_state'),
    };
  } finally {
    db.close();
  }
}

function songAt(path: string, seq?: number): string {
  const log = new RoomLog(path, { readOnly: true, create: false });
  try {
    const doc = rebuildAt(log, seq ?? log.lastSeq);
    return JSON.stringify(readSong(doc));
  } finally {
    log.close();
  }
}

/**
 * Names in `dir` (temporary files and SQLite sidecars included), but for the -wal and -shm that
 * SQLite itself leaves beside a WAL-mode file a read-only connection has read (`read`).
 */
const namesIn = (dir: string, read: string[] = []) =>
  readdirSync(dir)
    .filter((name) => !read.some((file) => name === `${file}-wal` || name === `${file}-shm`))
    .sort();

test('export then import carries the whole history: entries, hashes, bookmarks, rules, snapshots, state', async () => {
  const dir = tempDir();
  const server = join(dir, 'band.riffroom');
  const { lastSeq, rulesSeq } = writeRichLog(server);
  const exported = join(dir, 'song.riffroom');
  const out = await copyRoomFile(server, exported, { verifyHistory: false });
  const imported = join(dir, 'imported.riffroom');
  const back = await copyRoomFile(exported, imported);

  const original = contents(server);
  assert.equal(original.entries.length, lastSeq);
  assert.ok(lastSeq > 20);
  assert.equal(new Set(original.entries.map((e) => (e as { author: string }).author)).size, 3, 'three authors');
  assert.deepEqual(out, { lastSeq, entries: lastSeq, bookmarks: 3, states: 3, rules: true });
  assert.deepEqual(back, out);
  for (const copy of [exported, imported]) {
    assert.deepEqual(contents(copy), original, `${copy}: the same rows, hash for hash`);
    assert.equal(songAt(copy), songAt(server), 'the same document');
    assert.equal(songAt(copy, 9), songAt(server, 9), 'the same past');
    // A whole project: it passes every check an opened file passes, its chain included.
    assert.equal(checkLogFile(copy, { history: true }).lastSeq, lastSeq);
    // One self-contained file (rollback-journal mode: header bytes 18 and 19 are 1).
    const header = readFileSync(copy).subarray(18, 20);
    assert.deepEqual([...header], [1, 1]);
  }
  assert.deepEqual(namesIn(dir, ['band.riffroom']), ['band.riffroom', 'imported.riffroom', 'song.riffroom'], 'no temporary file is left');
  const reopened = new RoomLog(imported);
  try {
    const rules = reopened.storedRules()!;
    assert.deepEqual(
      { ...rules, rules: { ...(rules.rules as object), spotlightTrackId: 'x' } },
      {
        seq: rulesSeq,
        rules: { transportLocked: false, students: 'own-track', spotlightTrackId: 'x' },
        author: 'Ms Rivera',
        time: 1_700_000_200_000,
      },
    );
    // The imported log goes on from where the history ends.
    assert.equal(reopened.append({ time: 1, author: 'ann', label: 'more', update: new Uint8Array([0, 0]) }), lastSeq + 1);
    assert.equal(reopened.verify(), null);
  } finally {
    reopened.close();
  }
});

test('a room written during its export is exported as it was when the export began, chain whole', async () => {
  const dir = tempDir();
  const room = join(dir, 'live.riffroom');
  const { lastSeq } = writeRichLog(room);
  const live = new RoomLog(room); // the server's connection: WAL, appending as peers edit
  try {
    const exported = join(dir, 'song.riffroom');
    const source = new RoomFileSource(room, { verifyHistory: false });
    let pages = 0;
    const summary = await transferHistory(source, new RoomFileSink(exported), {
      pageBytes: 64,
      pageEntries: 3,
      betweenPages: async () => {
        pages++;
        live.append({ time: Date.now(), author: 'ben', label: `edit while exporting ${pages}`, update: new Uint8Array([0, 0]) });
        live.addBookmark({ seq: live.lastSeq, name: `later ${pages}`, author: 'ben', time: 1 });
        live.saveSnapshot(live.lastSeq, new Uint8Array([0, 0]));
      },
    });
    assert.ok(pages >= 5, `paged (${pages} pages)`);
    assert.equal(live.lastSeq, lastSeq + pages, 'the room went on meanwhile');
    assert.equal(summary.lastSeq, lastSeq);
    assert.equal(summary.bookmarks, 3);
    assert.equal(summary.states, 3);
    assert.equal(checkLogFile(exported, { history: true }).lastSeq, lastSeq);
    assert.deepEqual(contents(exported).entries, contents(room).entries.slice(0, lastSeq));
  } finally {
    live.close();
  }
});

test('a hostile project is refused with its reason, and nothing is created', async (t) => {
  const cases = [
    ...HOSTILE_LOGS.map((h) => ({ name: h.name, problem: h.problem as string, reason: h.reason, make: h.make })),
    {
      name: 'not an SQLite file',
      problem: 'not-sqlite',
      reason: /not an SQLite database/,
      make: (path: string) => writeFileSync(path, randomBytes(8192)),
    },
  ];
  for (const hostile of cases) {
    await t.test(hostile.name, async () => {
      const dir = tempDir();
      const upload = join(dir, 'upload.riffroom');
      hostile.make(upload);
      const before = fileFingerprint(upload);
      const target = join(dir, 'new-room.riffroom');
      await assert.rejects(copyRoomFile(upload, target), (err: Error) => {
        assert.ok(err instanceof RoomLogError, `${err.name}: ${err.message}`);
        assert.equal(err.problem, hostile.problem);
        assert.match(err.reason, hostile.reason);
        return true;
      });
      assert.deepEqual(namesIn(dir), ['upload.riffroom'], 'no room and no temporary file');
      assert.deepEqual(fileFingerprint(upload), before, 'the upload is untouched');
    });
  }
});

test('the transfer itself checks the chain: an altered entry stops it even unchecked on open', async () => {
  const dir = tempDir();
  const source = join(dir, 'altered.riffroom');
  writeGoodLog(source);
  tamper(source, (db) => db.prepare('UPDATE entries SET time = time + 1 WHERE seq = 3').run());
  const target = join(dir, 'out.riffroom');
  await assert.rejects(
    copyRoomFile(source, target, { verifyHistory: false }),
    (err: Error) => err instanceof RoomLogError && err.problem === 'history-broken' && /entry 3 does not match its hash/.test(err.reason),
  );
  assert.deepEqual(namesIn(dir), ['altered.riffroom']);
});

test('a bookmark past the history is refused', async () => {
  const dir = tempDir();
  const source = join(dir, 'bookmarked.riffroom');
  writeGoodLog(source);
  tamper(source, "INSERT INTO bookmarks (seq, name, author, time) VALUES (99, 'nowhere', 'eve', 1)");
  await assert.rejects(copyRoomFile(source, join(dir, 'out.riffroom')), /bookmark names entry 99/);
  assert.deepEqual(namesIn(dir), ['bookmarked.riffroom']);
});

test('an existing target is kept unless replacing is asked, and never replaced while it is open', async () => {
  const dir = tempDir();
  const source = join(dir, 'source.riffroom');
  writeRichLog(source);
  const target = join(dir, 'taken.riffroom');
  writeGoodLog(target);
  const before = fileFingerprint(target);
  await assert.rejects(copyRoomFile(source, target), (err: Error) => err instanceof TransferTargetError && err.problem === 'exists');
  assert.deepEqual(fileFingerprint(target), before);

  const open = new RoomLog(target); // a server has the room loaded
  try {
    await assert.rejects(
      copyRoomFile(source, target, { replace: true }),
      (err: Error) => err instanceof TransferTargetError && err.problem === 'in-use',
    );
    assert.equal(open.lastSeq, 5, 'the open room is as it was');
  } finally {
    open.close();
  }
  assert.deepEqual(namesIn(dir, ['source.riffroom']), ['source.riffroom', 'taken.riffroom'], 'no temporary file is left');

  await copyRoomFile(source, target, { replace: true });
  assert.deepEqual(contents(target), contents(source));
  assert.deepEqual(namesIn(dir, ['source.riffroom']), ['source.riffroom', 'taken.riffroom']);
  assert.ok(!existsSync(`${target}-wal`));
});

test('a target that appears during the transfer is kept: the transfer fails and leaves nothing', async () => {
  const dir = tempDir();
  const source = join(dir, 'source.riffroom');
  writeGoodLog(source);
  const target = join(dir, 'room.riffroom');
  const sink = new RoomFileSink(target);
  // A peer opens the room while the import runs: the server creates its (empty) log.
  const opened = new RoomLog(target);
  try {
    await assert.rejects(
      transferHistory(new RoomFileSource(source), sink),
      (err: Error) => err instanceof TransferTargetError && err.problem === 'exists',
    );
    assert.equal(opened.lastSeq, 0, 'the room the peer opened is its own');
  } finally {
    opened.close();
  }
  assert.deepEqual(namesIn(dir, ['source.riffroom']), ['room.riffroom', 'source.riffroom'], 'no temporary file is left');
});
