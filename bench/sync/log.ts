/**
 * Log cost and rebuild time, measured on the server's real append path: a 100,000-edit session
 * (bench/sync/workload.ts) is fed to a Room as the websocket messages its peers would send
 * (label announcement, then the update), so applying, flagging, appending, snapshotting and
 * broadcasting all run as in production; only the sockets are left out.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { EDIT_AWARENESS_FIELD } from '../../core/song/edit-labels.ts';
import { readSong } from '../../core/song/schema.ts';
import { RoomLog } from '../../sync-server/store/room-log.ts';
import { Room, type Peer } from '../../sync-server/room/room.ts';
import { encodeStateAt, rebuildAt } from '../../sync-server/room/rebuild.ts';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '../../sync-server/contract.ts';
import { editSession } from './workload.ts';
import { seededRandom } from '../../core/random.ts';
import { summarize } from '../stats.ts';

const EDITS = Number(process.env.BENCH_LOG_EDITS ?? 100_000);
const REBUILD_SAMPLES = 200;

function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, 2); // sync "update"
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export async function benchLog(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-bench-log-'));
  const path = join(dir, 'bench.riffroom');
  // Edits are replayed as fast as the machine goes, straight into the room: no real-time budget
  // for the labels' presence bytes (connections' message rates are not applied here either).
  const room = new Room('bench', new RoomLog(path), { presenceLimits: { bytesPerSecond: Infinity, byteBurst: Infinity } });
  const peers: Peer[] = [0, 1, 2].map((i) => ({
    identity: { room: 'bench', role: 'editor', name: `player${i}`, id: `player${i}`, exp: 0 },
    send() {},
    close(code, reason) {
      if (code !== 1001) throw new Error(`the room closed a bench peer: ${reason}`);
    },
  }));
  peers.forEach((p) => room.addPeer(p));
  // One awareness per editing client, to announce labels exactly as the app does.
  const awareness = new Map<number, awarenessProtocol.Awareness>();
  const awarenessOf = (client: number) => {
    let a = awareness.get(client);
    if (!a) {
      const doc = new Y.Doc();
      doc.clientID = client;
      a = new awarenessProtocol.Awareness(doc);
      awareness.set(client, a);
    }
    return a;
  };

  let rawBytes = 0;
  const receiveMs: number[] = [];
  const started = performance.now();
  let n = 0;
  for (const { author, update, announced } of editSession(EDITS)) {
    const a = awarenessOf(announced.client);
    a.setLocalStateField(EDIT_AWARENESS_FIELD, announced);
    const aw = encoding.createEncoder();
    encoding.writeVarUint(aw, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(aw, awarenessProtocol.encodeAwarenessUpdate(a, [announced.client]));
    room.receive(peers[author]!, encoding.toUint8Array(aw));
    rawBytes += update.byteLength;
    const t = performance.now();
    room.receive(peers[author]!, syncUpdateMessage(update));
    receiveMs.push(performance.now() - t);
    // Let scheduled snapshots run, as they do between messages on a live server.
    if (++n % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  const buildSeconds = (performance.now() - started) / 1000;
  const log = room.log;
  log.checkpoint();
  const diskBytes = statSync(path).size;
  const snapshots = log.snapshotSeqsAtOrBefore(log.lastSeq).length;

  // Pure append cost: the same updates appended to a fresh log, outside the room.
  const appendLog = new RoomLog(join(dir, 'append-only.riffroom'));
  const appendMs: number[] = [];
  for (const entry of log.entries(0)) {
    const t = performance.now();
    appendLog.append({ time: entry.time, author: entry.author, label: entry.label, update: entry.update, concurrent: entry.concurrent });
    appendMs.push(performance.now() - t);
  }
  appendLog.close();

  // Rebuild at uniformly random points, plus the worst points: right before each snapshot.
  const random = seededRandom(42);
  const seqs = Array.from({ length: REBUILD_SAMPLES }, () => 1 + Math.floor(random() * log.lastSeq));
  const worst = log
    .snapshotSeqsAtOrBefore(log.lastSeq)
    .map((s) => s - 1)
    .filter((s) => s > 0)
    .slice(0, 50);
  const finalSong = JSON.stringify(readSong(room.doc));
  if (JSON.stringify(readSong(rebuildAt(log, log.lastSeq))) !== finalSong)
    throw new Error('rebuild at the last seq differs from the live room');
  const time = (f: () => void) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  const rebuildMs = seqs.map((seq) => time(() => rebuildAt(log, seq)));
  const worstMs = worst.map((seq) => time(() => rebuildAt(log, seq)));
  const stateMs = seqs.slice(0, 50).map((seq) => time(() => encodeStateAt(log, seq)));
  const entriesConcurrent = [...log.entries(0)].filter((e) => e.concurrent).length;
  room.close();
  for (const a of awareness.values()) a.destroy();
  const loadMs = time(() => new Room('bench', new RoomLog(path)).close());
  rmSync(dir, { recursive: true, force: true });

  return {
    edits: EDITS,
    workload: 'bench/sync/workload.ts seed 1: 3 bandmates, 8 tracks x 16 clips, note add/drag/velocity/delete, chords, tempo, mixer',
    buildSeconds: round(buildSeconds),
    rawUpdateBytesPerEdit: round(rawBytes / EDITS),
    diskBytesPerEdit: round(diskBytes / EDITS),
    diskToRawRatio: round(diskBytes / rawBytes),
    diskTarget: '<= 2x raw update bytes',
    snapshots,
    entriesFlaggedConcurrent: entriesConcurrent,
    appendMs: summarize(appendMs),
    serverReceiveMs: summarize(receiveMs),
    rebuildMs: summarize(rebuildMs),
    rebuildWorstCaseMs: summarize(worstMs),
    rebuildTarget: '< 50 ms at any point',
    stateResponseMs: summarize(stateMs),
    roomLoadMs: round(loadMs),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
