/**
 * /readyz on a real server (sockets on 127.0.0.1): 200 while the rooms folder takes a file, 503
 * naming the failing check and its reason once it cannot (the folder replaced by a file: the
 * tests run as root, for whom permissions stop nothing), 200 again once it is back; /healthz
 * answers 200 all along (the process is alive, it is just not ready).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from './support/test-server.ts';
import type { ReadinessReport } from '../sync-server/http/readiness.ts';

test('/readyz: 200 when storage takes a file, 503 with the check and reason when not, 200 when back', async () => {
  const server = await startTestServer();
  const get = async (path: string): Promise<{ status: number; body: ReadinessReport }> => {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, body: (await res.json()) as ReadinessReport };
  };
  /** Answers are kept for a second (LIMITS.readiness.cacheMs): asks until `status` shows. */
  const readyzUntil = async (status: number) => {
    let answer = await get('/readyz');
    for (const deadline = Date.now() + 5000; answer.status !== status && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      answer = await get('/readyz');
    }
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    return answer.body;
  };
  try {
    const ready = await readyzUntil(200);
    assert.deepEqual(
      ready.checks.map((c) => [c.name, c.ok]),
      [
        ['storage', true],
        ['accepting', true],
      ],
    );

    const rooms = join(server.dataDir, 'rooms');
    rmSync(rooms, { recursive: true });
    writeFileSync(rooms, 'not a folder');
    const broken = await readyzUntil(503);
    assert.equal(broken.ready, false);
    assert.match(broken.error ?? '', /^storage: the rooms folder cannot be made \((EEXIST|ENOTDIR)/);
    assert.deepEqual(
      broken.checks.map((c) => [c.name, c.ok]),
      [
        ['storage', false],
        ['accepting', true],
      ],
    );
    assert.equal((await get('/healthz')).status, 200, 'alive, only not ready');

    rmSync(rooms);
    mkdirSync(rooms);
    await readyzUntil(200);
  } finally {
    await server.close();
  }
});
