import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionCaps, DEFAULT_CONNECTION_CAPS, type Admission, type AdmissionRequest, type CapRefusal } from './connection-caps.ts';
import { LIMITS } from './limits.ts';

/** A clock the test moves by hand (ms). */
function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const isRefusal = (a: Admission | CapRefusal): a is CapRefusal => 'status' in a;

function admitted(caps: ConnectionCaps, request: AdmissionRequest): Admission {
  const result = caps.admit(request);
  assert.ok(!isRefusal(result), `refused: ${isRefusal(result) ? result.reason : ''}`);
  return result;
}

test('the defaults are the LIMITS', () => {
  assert.deepEqual(DEFAULT_CONNECTION_CAPS, {
    maxConnectionsPerAddress: LIMITS.websocket.maxConnectionsPerAddress,
    maxConnectionsPerIdentity: LIMITS.websocket.maxConnectionsPerIdentity,
    maxJamMembersPerRoom: LIMITS.jam.maxMembersPerRoom,
    upgradesPerSecond: LIMITS.websocket.upgradesPerSecond,
    upgradeBurst: LIMITS.websocket.upgradeBurst,
  });
  assert.throws(() => new ConnectionCaps({ upgradeBurst: 0 }), /upgradeBurst must be a positive number/);
});

test('upgrades per address: a burst, then the sustained rate; other addresses unaffected', () => {
  const clock = manualClock();
  const caps = new ConnectionCaps({ upgradesPerSecond: 10, upgradeBurst: 30 }, clock.now);
  for (let i = 0; i < 30; i++) assert.equal(caps.takeUpgrade('10.0.0.1'), null, `upgrade ${i} of the burst`);
  const refused = caps.takeUpgrade('10.0.0.1');
  assert.equal(refused?.status, 429);
  assert.match(refused!.reason, /too many new connections from 10\.0\.0\.1/);
  assert.equal(refused!.retryAfterSeconds, 1);
  assert.equal(caps.takeUpgrade('10.0.0.2'), null, 'another address has its own allowance');
  clock.advance(100); // one more upgrade's worth at 10/s
  assert.equal(caps.takeUpgrade('10.0.0.1'), null);
  assert.notEqual(caps.takeUpgrade('10.0.0.1'), null);
  clock.advance(1000);
  let allowed = 0;
  while (caps.takeUpgrade('10.0.0.1') === null) allowed++;
  assert.equal(allowed, 10, 'ten a second');
});

test('open connections per address, per identity, and jam members per room', () => {
  const caps = new ConnectionCaps({ maxConnectionsPerAddress: 5, maxConnectionsPerIdentity: 3, maxJamMembersPerRoom: 4 });
  const ann = (jam = false) => ({ address: 'a', identity: 'ann', room: 'r', jam });
  const held = [admitted(caps, ann()), admitted(caps, ann(true)), admitted(caps, ann())];
  const fourth = caps.admit(ann());
  assert.ok(
    isRefusal(fourth) && fourth.status === 429 && /one person \(at most 3\)/.test(fourth.reason),
    'the identity cap counts documents and jam together',
  );
  // Another person at the same address: the address cap (5) is next.
  held.push(
    admitted(caps, { address: 'a', identity: 'bob', room: 'r', jam: true }),
    admitted(caps, { address: 'a', identity: 'bob', room: 'r', jam: true }),
  );
  const sixth = caps.admit({ address: 'a', identity: 'cat', room: 'r', jam: false });
  assert.ok(isRefusal(sixth) && sixth.status === 429 && /from a \(at most 5\)/.test(sixth.reason));
  // The room has 3 jam members; one more from elsewhere fills it; the next is told the room is full.
  held.push(admitted(caps, { address: 'b', identity: 'dan', room: 'r', jam: true }));
  const full = caps.admit({ address: 'b', identity: 'eve', room: 'r', jam: true });
  assert.ok(isRefusal(full) && full.status === 503 && /jam channel is full \(4 members\)/.test(full.reason));
  admitted(caps, { address: 'b', identity: 'eve', room: 'r', jam: false }).release(); // documents are not jam members
  admitted(caps, { address: 'b', identity: 'eve', room: 'other', jam: true }).release(); // another room has room
  // Releasing (twice is once) frees exactly one place of each kind.
  held[1]!.release();
  held[1]!.release();
  admitted(caps, { address: 'b', identity: 'eve', room: 'r', jam: true });
  assert.ok(isRefusal(caps.admit({ address: 'c', identity: 'fay', room: 'r', jam: true })), 'one release, one place');
  admitted(caps, ann());
  assert.ok(isRefusal(caps.admit(ann())));
});

test('the per-address map stays bounded: idle addresses are forgotten once their allowance is full again', () => {
  const clock = manualClock();
  const caps = new ConnectionCaps({ upgradesPerSecond: 20, upgradeBurst: 60 }, clock.now);
  const holder = admitted(caps, { address: 'held', identity: 'x', room: 'r', jam: true });
  for (let i = 0; i < 10_000; i++) assert.equal(caps.takeUpgrade(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`), null);
  assert.equal(caps.trackedAddresses, 10_001);
  clock.advance(2000);
  for (let i = 0; i < 60; i++) caps.takeUpgrade('drained');
  clock.advance(1000);
  caps.takeUpgrade('someone');
  assert.equal(caps.trackedAddresses, 3, 'the 10,000 idle addresses are gone; the open one, the drained one and the new one remain');
  // The drained address kept its (partly refilled) allowance: forgetting it would hand out a fresh burst.
  let allowed = 0;
  while (caps.takeUpgrade('drained') === null) allowed++;
  assert.equal(allowed, 20);
  clock.advance(3001);
  caps.takeUpgrade('someone');
  assert.equal(caps.trackedAddresses, 2, 'only the address with an open connection and the one just seen remain');
  holder.release();
  clock.advance(3001);
  caps.takeUpgrade('someone');
  assert.equal(caps.trackedAddresses, 1);
});
