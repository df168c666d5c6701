/**
 * Hostile project files, built for real with node:sqlite: each starts as a genuine room log (real
 * song edits appended through RoomLog, a snapshot and a room state) and is then changed the way an
 * attacker, or a damaged copy, would change it. The store, the desktop's project files and the
 * session host test every one of them.
 *
 * Every file is left in SQLite's rollback-journal mode with no -wal beside it, as a copied or
 * downloaded file is: opening one for writing would switch it to WAL and change its header, so a
 * file that is refused must keep its exact bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { deflateRawSync } from 'node:zlib';
import * as Y from 'yjs';
import { addClip, addTrack, initSong, setTempo } from '../../core/song/edits.ts';
import { LIMITS } from '../../sync-server/limits.ts';
import { RoomLog, type LogProblem } from '../../sync-server/store/room-log.ts';

const MiB = 1024 * 1024;
/** What the bombs inflate to: four times the ceiling (LIMITS.projectFile.maxInflatedBytes). */
export const BOMB_INFLATED_BYTES = 256 * MiB;

let bomb: Buffer | null = null;
/** 256 MiB of zeros, deflated: about 256 KB on disk. Made once per process. */
export function decompressionBomb(): Buffer {
  bomb ??= deflateRawSync(Buffer.alloc(BOMB_INFLATED_BYTES));
  return bomb;
}

/** Runs SQL on a file directly (as any SQLite tool could), leaving it in rollback-journal mode. */
export function tamper(path: string, change: string | ((db: DatabaseSync) => void)): void {
  const db = new DatabaseSync(path);
  try {
    if (typeof change === 'string') db.exec(change);
    else change(db);
    db.exec('PRAGMA journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * A genuine project: five edits by two authors, each with its own label, a snapshot and a room
 * state at the last entry. `extra` appends more entries through RoomLog (their hashes are right).
 */
export function writeGoodLog(path: string, extra: (log: RoomLog) => void = () => {}): void {
  const log = new RoomLog(path);
  try {
    const doc = new Y.Doc();
    let n = 0;
    doc.on('update', (update: Uint8Array) => {
      n++;
      log.append({ time: 1_700_000_000_000 + n, author: n % 2 ? 'ann' : 'ben', label: `edit ${n}`, update });
    });
    initSong(doc, { title: 'Good song' });
    const track = addTrack(doc, { role: 'bass', name: 'Bass' });
    addClip(doc, {
      trackId: track,
      startBar: 0,
      lengthBars: 2,
      name: 'Riff',
      notes: [{ pitch: 40, tick: 0, duration: 240, velocity: 90 }],
    });
    setTempo(doc, 101);
    addTrack(doc, { role: 'drums', name: 'Drums' });
    const state = Y.encodeStateAsUpdate(doc);
    log.saveSnapshot(log.lastSeq, state);
    log.saveRoomState(log.lastSeq, state);
    extra(log);
  } finally {
    log.close();
  }
  tamper(path, () => {});
}

export interface HostileLog {
  /** What is wrong with it, for test names. */
  name: string;
  /** The problem code both RoomLogError and ProjectFileError carry ('cannot-open' is the store's alone). */
  problem: Exclude<LogProblem, 'cannot-open'>;
  /** What the reason must say. */
  reason: RegExp;
  make(path: string): void;
}

function flipOneByte(db: DatabaseSync, seq: number): void {
  const row = db.prepare('SELECT "update" FROM entries WHERE seq = ?').get(seq) as { update: Uint8Array };
  const update = Buffer.from(row.update);
  update[update.length >> 1]! ^= 0x01;
  db.prepare('UPDATE entries SET "update" = ? WHERE seq = ?').run(update, seq);
}

export const HOSTILE_LOGS: readonly HostileLog[] = [
  {
    name: 'a decompression bomb as the room state',
    problem: 'too-large',
    reason: /room state at entry 5 inflates to more than 64 MiB/,
    make(path) {
      writeGoodLog(path);
      tamper(path, (db) => db.prepare('UPDATE room_state SET state = ? WHERE id = 1').run(decompressionBomb()));
    },
  },
  {
    name: 'a decompression bomb as a snapshot',
    problem: 'too-large',
    reason: /snapshot at entry 3 inflates to more than 64 MiB/,
    make(path) {
      writeGoodLog(path);
      tamper(path, (db) => db.prepare('INSERT INTO snapshots (seq, state) VALUES (3, ?)').run(decompressionBomb()));
    },
  },
  {
    name: 'a trigger that deletes history on every append',
    problem: 'unexpected-schema',
    reason: /a trigger "wipe_history" on table "entries", which no Riffroom project has/,
    make(path) {
      writeGoodLog(path);
      tamper(path, 'CREATE TRIGGER wipe_history AFTER INSERT ON entries BEGIN DELETE FROM entries WHERE seq < NEW.seq; END');
    },
  },
  {
    name: 'a view',
    problem: 'unexpected-schema',
    reason: /a view "everything"/,
    make(path) {
      writeGoodLog(path);
      tamper(path, 'CREATE VIEW everything AS SELECT * FROM entries');
    },
  },
  {
    name: 'an extra table',
    problem: 'unexpected-schema',
    reason: /a table "notes"/,
    make(path) {
      writeGoodLog(path);
      tamper(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hello')");
    },
  },
  {
    name: 'an extra index',
    problem: 'unexpected-schema',
    reason: /an index "entries_by_time" on table "entries"/,
    make(path) {
      writeGoodLog(path);
      tamper(path, 'CREATE INDEX entries_by_time ON entries (time)');
    },
  },
  {
    name: 'a virtual table',
    problem: 'unexpected-schema',
    reason: /a virtual table "search"/,
    make(path) {
      writeGoodLog(path);
      tamper(path, 'CREATE VIRTUAL TABLE search USING fts5(text)');
    },
  },
  {
    name: 'a column of the wrong type',
    problem: 'unexpected-schema',
    reason: /column entries\.update is declared "TEXT", not BLOB/,
    make(path) {
      writeGoodLog(path);
      tamper(
        path,
        `
        ALTER TABLE entries RENAME TO old_entries;
        CREATE TABLE entries (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, author_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
          "update" TEXT NOT NULL, hash BLOB NOT NULL, concurrent INTEGER NOT NULL);
        INSERT INTO entries SELECT * FROM old_entries;
        DROP TABLE old_entries;`,
      );
    },
  },
  {
    name: 'one changed byte in an update',
    problem: 'history-broken',
    reason: /history is damaged at entry 2: entry 2 does not match its hash/,
    make(path) {
      writeGoodLog(path);
      tamper(path, (db) => flipOneByte(db, 2));
    },
  },
  {
    name: 'a changed label',
    problem: 'history-broken',
    reason: /history is damaged at entry 3: entry 3 does not match its hash/,
    make(path) {
      writeGoodLog(path);
      tamper(path, "UPDATE labels SET text = 'edit 3 (harmless)' WHERE text = 'edit 3'");
    },
  },
  {
    name: 'a changed author',
    problem: 'history-broken',
    reason: /history is damaged at entry 4: entry 4 does not match its hash/,
    make(path) {
      writeGoodLog(path);
      tamper(
        path,
        "INSERT INTO authors (name) VALUES ('mallory'); UPDATE entries SET author_id = (SELECT id FROM authors WHERE name = 'mallory') WHERE seq = 4",
      );
    },
  },
  {
    name: 'an update over the size bound (its hash right)',
    problem: 'too-large',
    reason: /entry 6 holds an update of 8,388,609 bytes, over the 8 MiB a Riffroom project stores per edit/,
    make(path) {
      writeGoodLog(path, (log) =>
        log.append({
          time: 1_700_000_000_100,
          author: 'ann',
          label: 'huge',
          update: new Uint8Array(LIMITS.projectFile.maxUpdateBytes + 1),
        }),
      );
    },
  },
];

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The file's digest and whether anything sits beside it: what must not change when it is refused. */
export function fileFingerprint(path: string): { sha256: string; sidecars: string[] } {
  return { sha256: sha256(path), sidecars: ['-wal', '-shm', '-journal'].filter((s) => existsSync(path + s)) };
}
