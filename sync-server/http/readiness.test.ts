import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readiness, roomsFolderCheck, type ReadinessCheck } from './readiness.ts';

test('storage: ready while the rooms folder takes a file, leaving nothing behind; not ready once it cannot', async () => {
  const data = mkdtempSync(join(tmpdir(), 'riffroom-ready-'));
  try {
    const rooms = join(data, 'rooms');
    const readiness = new Readiness([roomsFolderCheck(rooms)], { cacheMs: 0 });
    const ready = await readiness.report();
    assert.equal(ready.ready, true, JSON.stringify(ready));
    assert.deepEqual(
      ready.checks.map((c) => [c.name, c.ok]),
      [['storage', true]],
    );
    assert.deepEqual(readdirSync(rooms), [], 'the probe file is removed (the folder was made as a new room would)');

    // Running as root, permissions would not stop the probe: the folder becomes a file instead.
    rmSync(rooms, { recursive: true });
    writeFileSync(rooms, 'not a folder');
    const broken = await readiness.report();
    assert.equal(broken.ready, false);
    assert.match(broken.error ?? '', /^storage: the rooms folder cannot be made \((EEXIST|ENOTDIR)/);
    assert.ok(!broken.error!.includes(data), 'the answer does not tell the public where the data folder is');
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('checks run together, a slow one times out, and answers are kept for cacheMs', async () => {
  let now = 0;
  let runs = 0;
  const slow: ReadinessCheck = { name: 'database', run: () => new Promise(() => {}) };
  const counted: ReadinessCheck = { name: 'leases', run: () => void runs++ };
  const readiness = new Readiness([counted], { checkTimeoutMs: 50, cacheMs: 1000, now: () => now });
  const [a, b] = await Promise.all([readiness.report(), readiness.report()]);
  assert.equal(runs, 1, 'two requests at once share one run');
  assert.equal(a, b);
  await readiness.report();
  assert.equal(runs, 1, 'a second request within cacheMs is answered from the last run');
  now = 1000;
  await readiness.report();
  assert.equal(runs, 2);

  readiness.add(slow);
  const timedOut = await readiness.report();
  assert.equal(timedOut.ready, false);
  assert.equal(timedOut.error, 'database: timed out after 50 ms');
  assert.deepEqual(
    timedOut.checks.map((c) => [c.name, c.ok]),
    [
      ['leases', true],
      ['database', false],
    ],
  );
  assert.throws(() => readiness.add(counted), /already there/);
});
