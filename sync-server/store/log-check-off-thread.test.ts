import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_LOGS, writeGoodLog } from '../../tests/support/hostile-logs.ts';
import { checkLogFile } from './log-check.ts';
import { checkLogFileOffThread } from './log-check-off-thread.ts';
import { RoomLogError } from './log-error.ts';
import { RoomLog } from './room-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'riffroom-check-off-thread-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a good file: the same summary as the check on the loop, and the loop kept turning meanwhile', async () => {
  const path = join(dir, 'good.riffroom');
  writeGoodLog(path);
  let turns = 0;
  let done = false;
  const turn = (): void => {
    turns++;
    if (!done) setImmediate(turn);
  };
  setImmediate(turn);
  const summary = await checkLogFileOffThread(path, { history: true });
  done = true;
  assert.deepEqual(summary, checkLogFile(path, { history: true }));
  assert.ok(summary.lastSeq > 0);
  assert.ok(turns > 1, `the event loop turned ${turns} times while the worker checked`);
});

test('every hostile file: the same RoomLogError (problem and reason) as the check on the loop', async () => {
  for (const hostile of HOSTILE_LOGS) {
    const path = join(dir, `${hostile.name.replace(/\W+/g, '-')}.riffroom`);
    hostile.make(path);
    const offThread = await checkLogFileOffThread(path, { history: true }).then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(offThread instanceof RoomLogError, `${hostile.name}: ${String(offThread)}`);
    assert.equal(offThread.problem, hostile.problem, hostile.name);
    assert.match(offThread.reason, hostile.reason, hostile.name);
    assert.throws(
      () => checkLogFile(path, { history: true }),
      (err: unknown) => err instanceof RoomLogError && err.reason === offThread.reason && err.path === offThread.path,
    );
  }
});

test('a file that is not there is refused in words, not a crash', async () => {
  await assert.rejects(
    checkLogFileOffThread(join(dir, 'none', 'x.riffroom'), { history: true }),
    (err: unknown) => err instanceof RoomLogError && err.problem === 'cannot-open',
  );
});

test('alreadyChecked opens read-only without checking again, and is refused for writing', () => {
  const path = join(dir, 'checked.riffroom');
  writeGoodLog(path);
  const log = new RoomLog(path, { readOnly: true, create: false, alreadyChecked: true });
  try {
    assert.ok(log.lastSeq > 0);
  } finally {
    log.close();
  }
  assert.throws(() => new RoomLog(path, { alreadyChecked: true }), /read-only/);
});
