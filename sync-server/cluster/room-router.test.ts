/**
 * RoomRouter's rule with a stand-in directory and clock; roomRouting with a stand-in placer and
 * relay (an unreachable owner placed again, a lost race relayed to the winner); and the paths and
 * flags that name rooms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import {
  apiRoom,
  parseRoute,
  RoomRouter,
  roomRouting,
  staticPlacer,
  upgradeRoom,
  type Placement,
  type RoomOwner,
  type RoomPlacer,
} from './room-router.ts';
import { RoomOwnedElsewhereError } from './owned-elsewhere.ts';
import type { NodeRecord } from './node-directory.ts';
import type { RelayAttempt, WebsocketRelay } from './relay.ts';

function router(owners: Record<string, RoomOwner>, nodes: Record<string, NodeRecord>, clock = { now: 1000, slept: 0 }) {
  const suspects = new Map<string, number>();
  return new RoomRouter({
    node: 'me',
    ownerOf: async (room) => owners[room] ?? null,
    // As NodeDirectory does: a suspect is dead until seen at a later heartbeat.
    directory: {
      lookup: async (node) => {
        const found = nodes[node];
        if (!found) return null;
        const suspected = suspects.get(node);
        return suspected !== undefined && found.seenAt <= suspected ? { ...found, alive: false } : found;
      },
      suspect: (node, seenAt) => void suspects.set(node, seenAt),
    },
    maxWaitMs: 3000,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.slept += ms;
      clock.now += ms;
    },
  });
}

const alive = (node: string, url: string, seenAt = 990): NodeRecord => ({ node, url, alive: true, silentMs: 10, seenAt });
const dead = (node: string, url: string): NodeRecord => ({ node, url, alive: false, silentMs: 60_000, seenAt: 0 });

test("a free room or our own is here; a live owner's is relayed to its URL", async () => {
  const r = router(
    { ours: { node: 'me', expiresAt: 9000 }, theirs: { node: 'b', expiresAt: 9000 } },
    { b: alive('b', 'http://10.0.0.2:4455') },
  );
  assert.equal(await r.where('free'), 'here');
  assert.equal(await r.where('ours'), 'here');
  assert.deepEqual(await r.where('theirs'), { url: 'http://10.0.0.2:4455', node: 'b', seenAt: 990 });
});

test('an owner a relay could not reach and that is gone from the database: its lease ends now, no wait', async () => {
  const clock = { now: 1000, slept: 0 };
  const suspects = new Set<string>();
  const asked: string[] = [];
  let gone = true;
  const r = new RoomRouter({
    node: 'me',
    ownerOf: async () => ({ node: 'b', expiresAt: 3500, epoch: 7 }),
    directory: {
      lookup: async (node) => ({ ...alive(node, 'http://10.0.0.2:4455'), alive: !suspects.has(node), suspected: suspects.has(node) }),
      suspect: (node) => void suspects.add(node),
    },
    expireGone: async (room, owner) => {
      asked.push(`${room}@${owner.node}#${owner.epoch}`);
      return gone;
    },
    maxWaitMs: 3000,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.slept += ms;
      clock.now += ms;
    },
  });
  assert.ok(typeof (await r.where('song')) === 'object', 'relayed while nothing is known against b');
  assert.deepEqual(asked, [], 'never asked about a node that answers');
  r.unreachable({ node: 'b', seenAt: 990 });
  assert.equal(await r.where('song'), 'here');
  assert.deepEqual(asked, ['song@b#7']);
  assert.equal(clock.slept, 0, 'no wait for the lease');
  // Still holding its session (paused, or cut off from us only): the lease runs its course.
  gone = false;
  assert.equal(await r.where('song'), 'here');
  assert.equal(clock.slept, 2550);
});

test("waiting on a gone owner's lease, the room taken by another survivor meanwhile: relayed there at once", async () => {
  const clock = { now: 1000, slept: 0 };
  let owner: RoomOwner = { node: 'b', expiresAt: 3500, epoch: 7 };
  const r = new RoomRouter({
    node: 'me',
    ownerOf: async () => owner,
    directory: {
      lookup: async (node) => (node === 'b' ? { ...dead('b', 'http://b:1'), suspected: true } : alive(node, `http://${node}:4455`)),
    },
    // Another survivor got there first: the UPDATE finds the lease no longer b's at epoch 7.
    expireGone: async () => {
      owner = { node: 'c', expiresAt: 9000, epoch: 8 };
      return false;
    },
    maxWaitMs: 3000,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.slept += ms;
      clock.now += ms;
    },
  });
  assert.deepEqual(await r.where('song'), { url: 'http://c:4455', node: 'c', seenAt: 990 });
  assert.equal(clock.slept, 0, "not kept waiting for b's old lease");
});

test('an owner a relay could not reach is dead until its next heartbeat: its room waits out the lease, then is here', async () => {
  const clock = { now: 1000, slept: 0 };
  const nodes = { b: alive('b', 'http://10.0.0.2:4455') };
  const r = router({ theirs: { node: 'b', expiresAt: 2500 } }, nodes, clock);
  const first = await r.where('theirs');
  assert.deepEqual(first, { url: 'http://10.0.0.2:4455', node: 'b', seenAt: 990 });
  r.unreachable(first as { node: string; seenAt: number });
  assert.equal(await r.where('theirs'), 'here');
  assert.equal(clock.slept, 1550, 'waited out the 1.5 s of lease left (and a little)');
  // A heartbeat after the suspicion: b is back, and relayed to again.
  nodes.b = alive('b', 'http://10.0.0.2:4455', 1200);
  const back = router({ theirs: { node: 'b', expiresAt: 9000 } }, nodes);
  back.unreachable({ node: 'b', seenAt: 990 });
  assert.deepEqual(await back.where('theirs'), { url: 'http://10.0.0.2:4455', node: 'b', seenAt: 1200 });
});

test('a dead owner: wait for its lease to run out when that is close, else "retry"', async () => {
  const clock = { now: 1000, slept: 0 };
  const r = router(
    { soon: { node: 'b', expiresAt: 3000 }, late: { node: 'b', expiresAt: 60_000 }, ghost: { node: 'never-announced', expiresAt: 500 } },
    { b: dead('b', 'http://x:1') },
    clock,
  );
  const late = await r.where('late');
  assert.ok(typeof late === 'object' && 'retryAfterMs' in late && late.retryAfterMs === 59_000, JSON.stringify(late));
  assert.match((late as { reason: string }).reason, /runs out in 59 s/);
  assert.equal(clock.slept, 0);
  assert.equal(await r.where('soon'), 'here');
  assert.equal(clock.slept, 2050, 'slept until just past the expiry');
  clock.slept = 0;
  assert.equal(await r.where('ghost'), 'here', 'a lease already past, of a node never seen: here at once');
  assert.equal(clock.slept, 0);
});

test('RoomOwnedElsewhereError from an open is placed by the same rule', async () => {
  const r = router({}, { b: alive('b', 'http://10.0.0.2:4455') });
  assert.deepEqual(await r.placeOf(new RoomOwnedElsewhereError('x', 'b', 9000)), { url: 'http://10.0.0.2:4455', node: 'b', seenAt: 990 });
  assert.equal(await r.placeOf(new RoomOwnedElsewhereError('x', 'me', 9000)), 'here');
});

test('the rooms paths name; routes from the command line', async () => {
  assert.equal(upgradeRoom('/song-1?token=t'), 'song-1');
  assert.equal(upgradeRoom('/song-1/jam'), 'song-1');
  assert.equal(upgradeRoom('/jam'), 'jam');
  assert.equal(upgradeRoom('/song-1/other'), null);
  assert.equal(upgradeRoom('/a/b/c'), null);
  assert.equal(upgradeRoom('/%E0%A4%A'), null);
  assert.equal(upgradeRoom('/'), null);
  assert.equal(apiRoom('/api/rooms/song-1/history?after=3'), 'song-1');
  assert.equal(apiRoom('/api/rooms'), null);
  assert.equal(apiRoom('/api/creators'), null);
  assert.equal(apiRoom('/api/rooms/bad room/history'), null);
  assert.deepEqual(parseRoute('song-1=http://10.0.0.2:4455/'), ['song-1', 'http://10.0.0.2:4455']);
  assert.throws(() => parseRoute('song-1'), /<room>=<node URL>/);
  assert.throws(() => parseRoute('song-1=10.0.0.2'), /must look like/);
  assert.throws(() => parseRoute('song-1=ftp://h:1'), /http/);
  const placer = staticPlacer(new Map([['song-1', 'http://10.0.0.2:4455']]));
  assert.deepEqual(await placer.where('song-1'), { url: 'http://10.0.0.2:4455', node: 'http://10.0.0.2:4455' });
  assert.equal(await placer.where('song-2'), 'here');
});

/** A relay that records what it is asked, and fails to reach the URLs in `down`. */
function fakeRelay(down: Set<string>) {
  const calls: string[] = [];
  const relay: WebsocketRelay = {
    relay(_req, _socket, _head, target, attempt?: RelayAttempt) {
      calls.push(`relay ${target}`);
      if (down.has(target)) queueMicrotask(() => attempt?.unreachable?.(new Error('connect ECONNREFUSED')));
    },
    refuse(_req, _socket, _head, code) {
      calls.push(`refuse ${code}`);
    },
    open: 0,
    closeAll() {},
  };
  return { relay, calls };
}

const upgradeReq = (path: string) => ({ url: path, headers: {} }) as IncomingMessage;
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('roomRouting: a relay that cannot reach the owner places the same connection again (unreachable told), and serves it here', async () => {
  const unreachable: string[] = [];
  let owner: Placement = { url: 'http://dead:1', node: 'b', seenAt: 5 };
  const placer: RoomPlacer = {
    where: async () => owner,
    unreachable: (p) => {
      unreachable.push(p.node);
      owner = 'here';
    },
  };
  const { relay, calls } = fakeRelay(new Set(['http://dead:1']));
  const routing = roomRouting(placer, relay);
  const served: string[] = [];
  const upgrade = routing.upgrades((req) => void served.push(req.url!));
  upgrade(upgradeReq('/song'), new PassThrough() as unknown as Duplex, Buffer.alloc(0));
  await settle();
  assert.deepEqual(calls, ['relay http://dead:1']);
  assert.deepEqual(unreachable, ['b']);
  assert.deepEqual(served, ['/song'], 'served here, on the same connection, not sent away with 1013');
});

test('roomRouting: an owner that stays unreachable is given up after a few placements (1013)', async () => {
  const placer: RoomPlacer = { where: async () => ({ url: 'http://dead:1', node: 'b', seenAt: 5 }) };
  const { relay, calls } = fakeRelay(new Set(['http://dead:1']));
  const routing = roomRouting(placer, relay);
  const upgrade = routing.upgrades(() => assert.fail('not served here'));
  upgrade(upgradeReq('/song'), new PassThrough() as unknown as Duplex, Buffer.alloc(0));
  await settle();
  assert.deepEqual(calls, ['relay http://dead:1', 'relay http://dead:1', 'relay http://dead:1', 'refuse 1013']);
});

test('roomRouting: an open here that lost the race is relayed to the winner; without placeOf it is refused as before', async () => {
  const placer: RoomPlacer = {
    where: async () => 'here',
    placeOf: async (err) => ({ url: `http://${err.node}:4455`, node: err.node, seenAt: 5 }),
  };
  const { relay, calls } = fakeRelay(new Set());
  const routing = roomRouting(placer, relay);
  const upgrade = routing.upgrades((req, socket, head) => {
    // The server's handler: its open finds the room taken by node c meanwhile.
    assert.equal(routing.upgradeOwnedElsewhere(new RoomOwnedElsewhereError('song', 'c', 9000), req, socket, head), true);
  });
  upgrade(upgradeReq('/song'), new PassThrough() as unknown as Duplex, Buffer.alloc(0));
  await settle();
  assert.deepEqual(calls, ['relay http://c:4455']);

  const plain = roomRouting({ where: async () => 'here' }, fakeRelay(new Set()).relay);
  plain.upgrades(() => undefined);
  assert.equal(
    plain.upgradeOwnedElsewhere(
      new RoomOwnedElsewhereError('song', 'c', 9000),
      upgradeReq('/song'),
      new PassThrough() as unknown as Duplex,
      Buffer.alloc(0),
    ),
    false,
  );
});

test('roomRouting: an API request that lost the race is placed again only while its body is unread', async () => {
  let placed = 0;
  const placer: RoomPlacer = {
    where: async () => 'here',
    placeOf: async () => {
      placed++;
      return { retryAfterMs: 1500, reason: 'try again' };
    },
  };
  const routing = roomRouting(placer, fakeRelay(new Set()).relay);
  routing.requests(() => undefined);
  const answered: { status: number; headers: Record<string, string> }[] = [];
  const res = {
    headersSent: false,
    setHeader() {},
    writeHead(status: number, headers: Record<string, string>) {
      answered.push({ status, headers });
      return this;
    },
    end() {},
  } as unknown as ServerResponse;
  const err = new RoomOwnedElsewhereError('song', 'c', 9000);
  assert.equal(
    routing.requestOwnedElsewhere(
      err,
      { url: '/api/rooms/song/bookmarks', headers: {}, readableDidRead: true } as unknown as IncomingMessage,
      res,
    ),
    false,
  );
  assert.equal(placed, 0);
  assert.equal(
    routing.requestOwnedElsewhere(
      err,
      { url: '/api/rooms/song/history', headers: {}, readableDidRead: false } as unknown as IncomingMessage,
      res,
    ),
    true,
  );
  await settle();
  assert.equal(placed, 1);
  assert.equal(answered[0]?.status, 503);
});
