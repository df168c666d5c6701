/**
 * Replay downloads are paced (LIMITS.http.replayBytesPerSecond*): a history bigger than one
 * second's worth takes at least as long as the rate says, per address, and several downloads from
 * one address share that address's rate. Every byte still arrives. Only lower bounds on time are
 * asserted: pacing makes a download slower than the rate allows, never faster, however busy the
 * machine.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess, tempDataDir, testToken } from './support/server-process.ts';
import { errorOf } from './support/room-api.ts';
import { writeBigLog } from './support/big-log.ts';

const MiB = 1024 * 1024;
const ROOM = 'paced';
const RATE = 2 * MiB;
const dataDir = tempDataDir();
mkdirSync(join(dataDir, 'rooms'));
const big = writeBigLog(join(dataDir, 'rooms', `${ROOM}.riffroom`), 4 * MiB);
const server = await startServerProcess({
  dataDir,
  args: ['--replay-bytes-per-second', String(RATE), '--replay-bytes-per-second-total', String(4 * RATE)],
});
after(() => server.kill());

async function download(): Promise<{ bytes: number; sha256: string }> {
  const res = await fetch(`${server.url}/api/rooms/${ROOM}/updates?after=0&limit=100000`, {
    headers: { authorization: `Bearer ${testToken(ROOM, 'viewer')}` },
  });
  assert.equal(res.status, 200, res.status === 200 ? '' : await errorOf(res));
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body!) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

test('a download past one second of the rate is paced; two from one address share its rate', async () => {
  assert.ok(big.answerBytes >= 4 * MiB);
  // The first second's worth goes at once; the rest at RATE. (The answer's framing is a few bytes
  // an entry more than the updates the pacer counts: the bound below is a little under the truth.)
  const owed = (bytes: number) => ((bytes - RATE) / RATE) * 1000 * 0.95;

  let started = performance.now();
  assert.deepEqual(await download(), { bytes: big.answerBytes, sha256: big.answerSha256 }, 'every byte, in order');
  const alone = performance.now() - started;
  assert.ok(
    alone >= owed(big.answerBytes),
    `one download took ${alone.toFixed(0)} ms; the rate asks at least ${owed(big.answerBytes).toFixed(0)}`,
  );

  started = performance.now();
  const both = await Promise.all([download(), download()]);
  const together = performance.now() - started;
  for (const result of both) assert.deepEqual(result, { bytes: big.answerBytes, sha256: big.answerSha256 });
  assert.ok(
    together >= owed(2 * big.answerBytes),
    `two downloads took ${together.toFixed(0)} ms; the address's rate asks at least ${owed(2 * big.answerBytes).toFixed(0)}`,
  );
  console.log(
    `replay pacing at ${RATE / MiB} MiB/s: ${(big.answerBytes / MiB).toFixed(1)} MiB alone in ${alone.toFixed(0)} ms, twice at once in ${together.toFixed(0)} ms`,
  );
});
