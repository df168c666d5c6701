/** RoomRouter's rule with a stand-in directory and clock, and the paths and flags that name rooms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoom, parseRoute, RoomRouter, staticPlacer, upgradeRoom, type RoomOwner } from './room-router.ts';
import { RoomOwnedElsewhereError } from './owned-elsewhere.ts';
import type { NodeRecord } from './node-directory.ts';

function router(owners: Record<string, RoomOwner>, nodes: Record<string, NodeRecord>, clock = { now: 1000, slept: 0 }) {
  return new RoomRouter({
    node: 'me',
    ownerOf: async (room) => owners[room] ?? null,
    directory: { lookup: async (node) => nodes[node] ?? null },
    maxWaitMs: 3000,
    now: () => clock.now,
    sleep: async (ms) => { clock.slept += ms; clock.now += ms; },
  });
}

const alive = (node: string, url: string): NodeRecord => ({ node, url, alive: true, silentMs: 10 });
const dead = (node: string, url: string): NodeRecord => ({ node, url, alive: false, silentMs: 60_000 });

test('a free room or our own is here; a live owner\'s is relayed to its URL', async () => {
  const r = router({ ours: { node: 'me', expiresAt: 9000 }, theirs: { node: 'b', expiresAt: 9000 } }, { b: alive('b', 'http://10.0.0.2:4455') });
  assert.equal(await r.where('free'), 'here');
  assert.equal(await r.where('ours'), 'here');
  assert.deepEqual(await r.where('theirs'), { url: 'http://10.0.0.2:4455', node: 'b' });
});

test('a dead owner: wait for its lease to run out when that is close, else "retry"', async () => {
  const clock = { now: 1000, slept: 0 };
  const r = router({ soon: { node: 'b', expiresAt: 3000 }, late: { node: 'b', expiresAt: 60_000 }, ghost: { node: 'never-announced', expiresAt: 500 } }, { b: dead('b', 'http://x:1') }, clock);
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
  assert.deepEqual(await r.placeOf(new RoomOwnedElsewhereError('x', 'b', 9000)), { url: 'http://10.0.0.2:4455', node: 'b' });
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
