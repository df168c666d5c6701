/**
 * Full-history downloads of a 160 MiB log (issue 13, item 6): the room's log is written into the
 * data dir before the server starts (big-log.ts: 100,000 entries), and during the attack 4
 * downloaders, each with a viewer token, GET /api/rooms/<room>/updates?after=0&limit=100000 and
 * read the answer to its end at full speed, paging on with `after` when an answer holds fewer
 * entries than the history, and start over once they have it all, until the attack ends. A
 * refused request (any status but 200) is tried again after 100 ms. The honest peers edit this
 * same room.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { testToken } from '../../../tests/support/server-process.ts';
import { ROOM_FILE_EXTENSION } from '../../../sync-server/room/registry.ts';
import { summarize } from '../../stats.ts';
import { ReplayReader } from '../replay-reader.ts';
import { writeBigLog, type BigLog } from '../big-log.ts';
import type { Attack, AttackTarget, RunningAttack } from '../attack.ts';

const MiB = 1024 * 1024;
const ENTRIES = 100_000;
const LOG_UPDATE_BYTES = 160 * MiB;
const DOWNLOADERS = 4;
const PAGE_LIMIT = 100_000;
const RETRY_MS = 100;

let built: BigLog | null = null;

export const downloadsAttack: Attack = {
  name: 'downloads',
  summary: `${DOWNLOADERS} parallel full-history downloads (GET /updates?after=0&limit=${PAGE_LIMIT}, paged on with after) of a ${ENTRIES}-entry, 160 MiB log, repeated; viewer token`,
  seconds: 30,
  async prepare(dataDir: string, room: string) {
    built = writeBigLog(join(dataDir, 'rooms', room + ROOM_FILE_EXTENSION), {
      entries: ENTRIES,
      updateBytes: Math.round(LOG_UPDATE_BYTES / ENTRIES),
    });
    const { state: _state, ...record } = built;
    return {
      record: {
        log: {
          ...record,
          updateMiB: Math.round((built.updateBytes / MiB) * 10) / 10,
          fileMiB: Math.round((built.fileBytes / MiB) * 10) / 10,
        },
      },
      logBase: { seq: built.seq, state: built.state },
    };
  },
  async beforePeers({ server, room }: AttackTarget) {
    // The first request loads the room from its log: how long the honest peers would wait.
    const token = testToken(room, 'viewer', 'first-visitor');
    const started = performance.now();
    const res = await fetch(`${server.url}/api/rooms/${room}/history?after=${ENTRIES - 1}&limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    return { roomLoad: { status: res.status, ms: Math.round(performance.now() - started) } };
  },
  async start(target: AttackTarget): Promise<RunningAttack> {
    return startDownloads(target, built?.seq ?? ENTRIES);
  },
};

interface DownloadStats {
  /** Requests sent, and those still running when the attack stopped. */
  requests: number;
  inFlightAtStop: number;
  firstByteMs: number[];
  statuses: Record<string, number>;
  errorBodies: Record<string, string>;
  bytes: number;
  /** Answers that ended inside an entry (connection cut), and full histories read. */
  cutShort: number;
  fullDownloads: number;
  secondsPerDownload: number[];
  pagesPerDownload: number[];
}

function startDownloads({ server, room }: AttackTarget, lastSeq: number): RunningAttack {
  const token = testToken(room, 'viewer', 'downloader');
  const stats: DownloadStats = {
    requests: 0,
    inFlightAtStop: 0,
    firstByteMs: [],
    statuses: {},
    errorBodies: {},
    bytes: 0,
    cutShort: 0,
    fullDownloads: 0,
    secondsPerDownload: [],
    pagesPerDownload: [],
  };
  const controller = new AbortController();
  const started = performance.now();
  const loops = Array.from({ length: DOWNLOADERS }, () =>
    downloadLoop(`${server.url}/api/rooms/${room}/updates`, token, lastSeq, stats, controller.signal),
  );
  return {
    async stop() {
      controller.abort();
      await Promise.all(loops);
      const seconds = (performance.now() - started) / 1000;
      const durations = summarize(stats.secondsPerDownload);
      const firstByte = summarize(stats.firstByteMs);
      return {
        downloaders: DOWNLOADERS,
        pageLimit: PAGE_LIMIT,
        historyEntries: lastSeq,
        requests: stats.requests,
        inFlightAtStop: stats.inFlightAtStop,
        statuses: stats.statuses,
        firstByteMs: { p50: firstByte.p50, max: firstByte.max },
        errorBodies: stats.errorBodies,
        fullDownloads: stats.fullDownloads,
        cutShort: stats.cutShort,
        secondsPerFullDownload: { p50: durations.p50, max: durations.max },
        pagesPerFullDownload: stats.pagesPerDownload.length ? Math.max(...stats.pagesPerDownload) : null,
        receivedMiB: Math.round(stats.bytes / MiB),
        receivedMiBPerSecond: Math.round(stats.bytes / MiB / seconds),
      };
    },
  };
}

async function downloadLoop(url: string, token: string, lastSeq: number, stats: DownloadStats, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const started = performance.now();
    let after = 0;
    let pages = 0;
    for (;;) {
      stats.requests++;
      const page = await getPage(`${url}?after=${after}&limit=${PAGE_LIMIT}`, token, signal, (bytes) => (stats.bytes += bytes));
      if (page.firstByteMs !== null) stats.firstByteMs.push(page.firstByteMs);
      if (signal.aborted) return void stats.inFlightAtStop++;
      stats.statuses[page.status] = (stats.statuses[page.status] ?? 0) + 1;
      if (page.status !== '200') {
        stats.errorBodies[page.status] ??= page.body.slice(0, 200);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      pages++;
      if (!page.reader.complete) {
        stats.cutShort++;
        break;
      }
      if (page.reader.entries === 0 || page.reader.lastSeq >= lastSeq) {
        stats.fullDownloads++;
        stats.secondsPerDownload.push((performance.now() - started) / 1000);
        stats.pagesPerDownload.push(pages);
        break;
      }
      after = page.reader.lastSeq;
    }
  }
}

interface Page {
  status: string;
  reader: ReplayReader;
  /** The error body, when the status is not 200. */
  body: string;
  /** From sending the request to the answer's first byte (the server builds it first, or streams it). */
  firstByteMs: number | null;
}

/** One GET, read to its end as fast as it comes; `onBytes` counts it as it arrives. */
function getPage(url: string, token: string, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<Page> {
  return new Promise((resolve) => {
    const reader = new ReplayReader();
    const sent = performance.now();
    let firstByteMs: number | null = null;
    let body = '';
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}` }, signal }, (res) => {
      const ok = res.statusCode === 200;
      res.on('data', (chunk: Buffer) => {
        firstByteMs ??= performance.now() - sent;
        onBytes(chunk.byteLength);
        if (ok) reader.push(chunk);
        else body += chunk.toString();
      });
      res.on('end', () => resolve({ status: String(res.statusCode), reader, body, firstByteMs }));
      res.on('error', (err) => resolve({ status: ok ? 'cut' : String(res.statusCode), reader, body: body || err.message, firstByteMs }));
    });
    req.on('error', (err) =>
      resolve({ status: signal.aborted ? 'aborted' : `error: ${err.message.slice(0, 60)}`, reader, body: err.message, firstByteMs }),
    );
    req.end();
  });
}
