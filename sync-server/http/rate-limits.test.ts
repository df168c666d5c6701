import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressRateLimiter, BytePacer, HeavyRequestGate } from './rate-limits.ts';

test('each address gets its burst, then perSecond, and is told when to come back', () => {
  let now = 0;
  const limiter = new AddressRateLimiter({ perSecond: 2, burst: 3, maxAddresses: 100, now: () => now });
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('a'), { ok: true });
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 1 });
  assert.deepEqual(limiter.take('b'), { ok: true }, 'another address has its own bucket');
  now += 500;
  assert.deepEqual(limiter.take('a'), { ok: true }, 'half a second later: one more');
  assert.equal(limiter.take('a').ok, false);
  now += 10_000;
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('a').ok, true, 'refilled up to the burst, no more');
  assert.equal(limiter.take('a').ok, false);
  const slow = new AddressRateLimiter({ perSecond: 0.1, burst: 1, maxAddresses: 10, now: () => now });
  slow.take('c');
  assert.deepEqual(slow.take('c'), { ok: false, retryAfterSeconds: 10 });
});

test('memory is bounded: past maxAddresses the least recently seen is forgotten', () => {
  let now = 0;
  const limiter = new AddressRateLimiter({ perSecond: 1, burst: 1, maxAddresses: 3, now: () => now });
  for (const address of ['a', 'b', 'c']) limiter.take(address);
  limiter.take('a'); // refused, but seen: now the most recent
  for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`);
  assert.equal(limiter.size, 3);
  now += 1;
  assert.equal(limiter.take('flood-999').ok, false, 'the most recent are still limited');
});

test('heavy requests: at most perAddress at once per address and maxTotal in all, released once', () => {
  const gate = new HeavyRequestGate(2, 3);
  const a1 = gate.enter('a');
  const a2 = gate.enter('a');
  assert.ok(a1.ok && a2.ok);
  const a3 = gate.enter('a');
  assert.ok(!a3.ok && /at most 2 downloads at once/.test(a3.reason));
  const b1 = gate.enter('b');
  assert.ok(b1.ok);
  const c1 = gate.enter('c');
  assert.ok(!c1.ok && /busy/.test(c1.reason), 'the total is full');
  a1.release();
  a1.release();
  assert.equal(gate.runningTotal, 2, 'releasing twice counts once');
  assert.ok(gate.enter('c').ok);
  assert.ok(gate.enter('a').ok === false, 'the total is full again');
});

test('replay pacing: a second’s worth goes at once, then each page is waited off at the rate, per address and in all', () => {
  let now = 0;
  const MiB = 1024 * 1024;
  const pacer = new BytePacer({ perAddressBytesPerSecond: 8 * MiB, totalBytesPerSecond: 12 * MiB, maxAddresses: 100, now: () => now });
  for (let i = 0; i < 8; i++) assert.equal(pacer.spend('a', MiB), 0, `page ${i}: within the first second's worth`);
  assert.equal(pacer.spend('a', MiB), 125, 'one page over: 1 MiB at 8 MiB/s');
  now += 125;
  assert.equal(pacer.spend('a', MiB), 125, 'the waited-off page, and the next');
  // Another address has its own budget, but the server's total is shared: 12 MiB/s, of which 3.5 MiB
  // are left (12 - 9 spent + 1.5 refilled - 1).
  assert.equal(pacer.spend('b', MiB), 0);
  assert.ok(Math.abs(pacer.spend('b', 5 * MiB) - 2500 / 12) < 1e-6, 'over the total, not its own: 2.5 MiB owed at 12 MiB/s');
  now += 60_000;
  assert.equal(pacer.spend('a', 8 * MiB), 0, 'refilled to a second, no more');
  assert.equal(pacer.spend('a', 8 * MiB), 1000);
});

test('replay pacing forgets the least recently seen address past maxAddresses', () => {
  const pacer = new BytePacer({ perAddressBytesPerSecond: 100, totalBytesPerSecond: 1e12, maxAddresses: 2, now: () => 0 });
  assert.equal(pacer.spend('a', 100), 0);
  assert.equal(pacer.spend('a', 100), 1000, 'a spent its second');
  pacer.spend('b', 1);
  pacer.spend('c', 1);
  assert.equal(pacer.spend('a', 100), 0, 'a was forgotten: a fresh budget');
});
