/**
 * GET /updates streams: a replay download is read from the log a page at a time and written
 * with backpressure, so four clients downloading a 160 MiB history at once grow the server's
 * memory by far less than one answer (it used to build each answer whole in memory: 4 downloads
 * of a 160 MiB log took a server from 338 MB to 1.2 GB). What growth remains is garbage waiting
 * for the collector (V8 collects dead buffers once some tens of MiB of them have built up, later
 * when the CPU is busy) and the allocator's slack: not a share of the history. Heavy downloads are capped per address
 * (429), a client that goes away frees its place, and honest peers keep converging meanwhile.
 * Real server process, a log of real Yjs updates, RSS read from /proc.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { setTempo, initSong } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, tempDataDir, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { errorOf, getLastSeq, waitForSeq } from './support/room-api.ts';
import { writeBigLog } from './support/big-log.ts';

const MiB = 1024 * 1024;
const ROOM = 'replay-big';
const HONEST = 'replay-honest';
const dataDir = tempDataDir();
mkdirSync(join(dataDir, 'rooms'));
const big = writeBigLog(join(dataDir, 'rooms', `${ROOM}.riffroom`), 160 * MiB);
// Unpaced (LIMITS.http.replayBytesPerSecond*): this measures memory; pacing is tested apart.
const server = await startServerProcess({
  dataDir,
  args: ['--replay-bytes-per-second', String(1024 * MiB), '--replay-bytes-per-second-total', String(1024 * MiB)],
});
const viewer = testToken(ROOM, 'viewer');
after(async () => {
  await server.kill();
  for (const room of [ROOM, HONEST]) {
    const log = new RoomLog(join(dataDir, 'rooms', `${room}.riffroom`), { readOnly: true });
    try {
      assert.equal(log.verify(), null, `${room}: complete, chain intact`);
    } finally {
      log.close();
    }
  }
});

function rssBytes(): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}

const updatesUrl = `${server.url}/api/rooms/${ROOM}/updates?after=0&limit=${LIMITS.http.maxReplayLimit}`;

/** Downloads the whole replay stream, hashing it as it comes (this process holds none of it). */
async function download(): Promise<{ bytes: number; sha256: string }> {
  const res = await fetch(updatesUrl, { headers: { authorization: `Bearer ${viewer}` } });
  assert.equal(res.status, 200, res.status === 200 ? '' : await errorOf(res));
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body!) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

test('4 parallel downloads of a 160 MiB history: same bytes as ever, and the server grows by far less than one answer', async () => {
  assert.ok(big.answerBytes >= 160 * MiB);
  const honest: Client[] = [
    await connectClient(server.wsUrl, HONEST, testToken(HONEST, 'editor', 'ann')),
    await connectClient(server.wsUrl, HONEST, testToken(HONEST, 'editor', 'ben')),
  ];
  try {
    initSong(honest[0]!.doc, { title: 'Meanwhile' });
    assert.equal(await getLastSeq(server, ROOM, viewer), big.entries, 'the room is loaded (its own memory counts in the baseline)');
    const before = rssBytes();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes())), 5);
    // Honest peers edit back and forth while the downloads run.
    let edits = 0;
    let downloading = true;
    const editing = (async () => {
      while (downloading) {
        const bpm = 60 + (edits++ % 100);
        setTempo(honest[edits % 2]!.doc, bpm);
        await waitFor(() => readSong(honest[(edits + 1) % 2]!.doc).meta.bpm === bpm, 5000, 'an honest edit arrived during the downloads');
      }
    })();
    const started = performance.now();
    const results = await Promise.all([download(), download(), download(), download()]).finally(() => {
      downloading = false;
      clearInterval(sampler);
    });
    const seconds = (performance.now() - started) / 1000;
    await editing;
    const afterRss = rssBytes();
    const figures = {
      answerMiB: +(big.answerBytes / MiB).toFixed(1),
      entries: big.entries,
      downloads: 4,
      seconds: +seconds.toFixed(2),
      rssBeforeMiB: +(before / MiB).toFixed(1),
      rssPeakMiB: +(peak / MiB).toFixed(1),
      rssAfterMiB: +(afterRss / MiB).toFixed(1),
      growthMiB: +((peak - before) / MiB).toFixed(1),
      honestEditsMeanwhile: edits,
    };
    console.log(`updates stream: ${JSON.stringify(figures)}`);
    for (const result of results)
      assert.deepEqual(result, { bytes: big.answerBytes, sha256: big.answerSha256 }, 'the same wire format, every byte');
    // Building the answers in memory grew it by more than 4 answers (835 MiB here). Streamed,
    // growth is GC slack: 45-60 MiB on a quiet machine, 90-130 on a crowded one (the collector
    // falls behind), the same for any history size. The bound, one answer, leaves room for that
    // and still fails if even one download were built whole.
    assert.ok(peak - before < big.answerBytes, `RSS grew ${figures.growthMiB} MiB for 4 × ${figures.answerMiB} MiB served`);
    assert.ok(edits > 1, 'honest peers kept editing during the downloads');
    await waitForSeq(server, HONEST, testToken(HONEST, 'viewer'), edits + 1);
  } finally {
    honest.forEach(disconnect);
  }
});

/** A download whose client reads nothing: it stays running on the server until destroyed. */
function stalledDownload(): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(updatesUrl, { headers: { authorization: `Bearer ${viewer}` } }, (res) => {
      res.pause();
      resolve({ req, res });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

test('at most maxHeavyPerAddress downloads at once per address (429); a client that goes away frees its place', async () => {
  const running = await Promise.all(Array.from({ length: LIMITS.http.maxHeavyPerAddress }, stalledDownload));
  try {
    for (const { res } of running) assert.equal(res.statusCode, 200);
    const refused = await fetch(updatesUrl, { headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(await errorOf(refused), /at most 4 downloads at once from one address/);
    const state = await fetch(`${server.url}/api/rooms/${ROOM}/state?at=1`, { headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(state.status, 429, 'past states count as heavy too');
    await state.body?.cancel();
    assert.equal(await getLastSeq(server, ROOM, viewer), big.entries, 'light routes are still served');
  } finally {
    for (const { req } of running) req.destroy();
  }
  // The server notices each client left, stops its stream and frees its place.
  let admitted = 0;
  for (let attempt = 0; admitted === 0; attempt++) {
    assert.ok(attempt < 100, 'a place was freed');
    const res = await fetch(`${server.url}/api/rooms/${ROOM}/updates?after=0&limit=1`, { headers: { authorization: `Bearer ${viewer}` } });
    if (res.status === 200) admitted++;
    await res.body?.cancel();
    if (!admitted) await new Promise((r) => setTimeout(r, 20));
  }
});
