/**
 * What checking a log costs when a room loads: a 100,000-edit log (bench/sync/workload.ts, fed to
 * a Room so snapshots and the room state are the server's own) opened in fresh processes, each
 * way several times, alternating:
 *
 *   checks   RoomLog open with every check but the hash chain (schema, quick_check, bounds,
 *            every state and snapshot inflated within the ceiling): verifyHistory false
 *   full     the same plus the whole hash chain walked (the default; the desktop's open)
 *   + room   each followed by loading the Room from it, as the server does on a first visit
 *
 * Time is wall-clock in the child; memory is its peak RSS above its RSS just before opening.
 * `node bench/sync/log-open.ts` alone prints the figures; `npm run bench:sync -- open` keeps them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as encoding from 'lib0/encoding';
import { RoomLog } from '../../sync-server/store/room-log.ts';
import { Room, type Peer } from '../../sync-server/room/room.ts';
import { MESSAGE_SYNC } from '../../sync-server/contract.ts';
import { editSession } from './workload.ts';
import { summarize } from '../stats.ts';

const EDITS = Number(process.env.BENCH_LOG_EDITS ?? 100_000);
const RUNS = Number(process.env.BENCH_OPEN_RUNS ?? 5);
const MODES = ['checks', 'full', 'checks+room', 'full+room'] as const;
type Mode = (typeof MODES)[number];

interface ChildResult {
  ms: number;
  /** CPU time (user + system) of the open: what the open costs, however busy the machine is. */
  cpuMs: number;
  peakAboveStartMiB: number;
  lastSeq: number;
}

/** Runs in the child: one open, measured. */
function measureOpen(path: string, mode: Mode): ChildResult {
  const startRss = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const log = new RoomLog(path, { verifyHistory: mode.startsWith('full') });
  if (mode.endsWith('+room')) new Room('bench', log).close();
  else log.close();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const peak = process.resourceUsage().maxRSS * 1024;
  return {
    ms: round(ms),
    cpuMs: round((used.user + used.system) / 1000),
    peakAboveStartMiB: round((peak - startRss) / 2 ** 20),
    lastSeq: log.lastSeq,
  };
}

export async function buildLog(path: string): Promise<void> {
  const room = new Room('bench', new RoomLog(path));
  const peers: Peer[] = [0, 1, 2].map((i) => ({
    identity: { room: 'bench', role: 'editor', name: `player${i}`, id: `player${i}`, exp: 0 },
    send() {},
    close() {},
  }));
  peers.forEach((p) => room.addPeer(p));
  let n = 0;
  for (const { author, update } of editSession(EDITS)) {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, 2); // sync "update"
    encoding.writeVarUint8Array(e, update);
    room.receive(peers[author]!, encoding.toUint8Array(e));
    // Let scheduled snapshots run, as they do between messages on a live server.
    if (++n % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  room.close();
}

export async function benchLogOpen(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-bench-open-'));
  // BENCH_OPEN_LOG: measure an existing log (built once by an earlier run) instead of building one.
  const path = process.env.BENCH_OPEN_LOG ?? join(dir, 'bench.riffroom');
  try {
    if (!process.env.BENCH_OPEN_LOG) await buildLog(path);
    const log = new RoomLog(path, { readOnly: true });
    const snapshots = log.snapshotSeqsAtOrBefore(log.lastSeq).length;
    log.close();
    const samples = new Map<Mode, ChildResult[]>(MODES.map((m) => [m, []]));
    const self = fileURLToPath(import.meta.url);
    for (let run = 0; run < RUNS; run++) {
      for (const mode of MODES) {
        const out = execFileSync(process.execPath, [self, '--child', path, mode], { encoding: 'utf8' });
        const result = JSON.parse(out) as ChildResult;
        if (result.lastSeq !== EDITS) throw new Error(`opened ${result.lastSeq} entries, expected ${EDITS}`);
        samples.get(mode)!.push(result);
      }
    }
    const figures = Object.fromEntries(
      MODES.map((mode) => [
        mode,
        {
          ms: summarize(samples.get(mode)!.map((r) => r.ms)),
          cpuMs: summarize(samples.get(mode)!.map((r) => r.cpuMs)),
          peakAboveStartMiB: summarize(samples.get(mode)!.map((r) => r.peakAboveStartMiB)),
        },
      ]),
    );
    return { edits: EDITS, runs: RUNS, fileMiB: round(statSync(path).size / 2 ** 20), snapshots, ...figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.main) {
  const [flag, path, mode] = process.argv.slice(2);
  if (flag === '--child') {
    process.stdout.write(JSON.stringify(measureOpen(path!, mode as Mode)));
  } else {
    console.log(JSON.stringify(await benchLogOpen(), null, 2));
  }
}
