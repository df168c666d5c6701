import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signToken } from '../../sync-server/auth/tokens.ts';
import type { Role } from '../../sync-server/contract.ts';
import { browserTokenKeeper, chooseToken, TokenKeeper, type StorageLike } from './token-keeper.ts';

const NOW = 1_800_000_000;
const SECRET = 'token-keeper-test-secret-0123456789-abcdef';
const ADDRESS = { serverUrl: 'ws://10.0.0.2:4455', httpUrl: 'http://10.0.0.2:4455', room: 'song' };

const invite = (exp = NOW + 7 * 86_400, room = 'song') => signToken(SECRET, { room, role: 'editor', name: 'editor', exp, invite: true });
const personal = (id: string, exp = NOW + 3600, opts: { room?: string; role?: Role; renewUntil?: number } = {}) =>
  signToken(SECRET, {
    room: opts.room ?? 'song',
    role: opts.role ?? 'editor',
    name: 'Ann',
    id,
    exp,
    iat: NOW - 60,
    ...(opts.renewUntil ? { renewUntil: opts.renewUntil } : {}),
  });

class MemoryStorage implements StorageLike {
  readonly items = new Map<string, string>();
  refuseWrites = false;
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.refuseWrites) throw new Error('QuotaExceededError');
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

test('kept per server and room; another server or room keeps its own', () => {
  const store = new MemoryStorage();
  const keeper = new TokenKeeper([store]);
  const a = personal('ann-1');
  keeper.keep(ADDRESS, { token: a, invite: 'inv' });
  assert.deepEqual(keeper.get(ADDRESS), { token: a, invite: 'inv' });
  assert.equal(keeper.get({ ...ADDRESS, room: 'other' }), null);
  assert.equal(keeper.get({ ...ADDRESS, serverUrl: 'ws://10.0.0.3:4455' }), null);
  keeper.forget(ADDRESS);
  assert.equal(keeper.get(ADDRESS), null);
  store.items.set(TokenKeeper.key(ADDRESS), '{not json');
  assert.equal(keeper.get(ADDRESS), null, 'a damaged entry is as nothing kept');
});

test('sessionStorage takes over where localStorage refuses, or is not there at all', () => {
  const local = new MemoryStorage();
  const session = new MemoryStorage();
  local.refuseWrites = true;
  const keeper = new TokenKeeper([local, session]);
  assert.equal(keeper.keep(ADDRESS, { token: 't.1' }), true);
  assert.equal(session.getItem(TokenKeeper.key(ADDRESS)), JSON.stringify({ token: 't.1' }));
  assert.deepEqual(keeper.get(ADDRESS), { token: 't.1' });

  const blocked = {
    get localStorage(): StorageLike {
      throw new Error('SecurityError: access denied');
    },
    sessionStorage: session,
  };
  assert.deepEqual(browserTokenKeeper(blocked).get(ADDRESS), { token: 't.1' });
  assert.equal(new TokenKeeper([]).keep(ADDRESS, { token: 'x' }), false, 'nowhere to keep: the page still opens');
});

test('an invite in the address: joined with, unless a token from that same invite is kept and lasts', () => {
  const inv = invite();
  const fresh = chooseToken(ADDRESS, inv, null, NOW);
  assert.equal(fresh.kind, 'join');
  assert.ok(fresh.kind === 'join' && fresh.invite === inv && fresh.claims.invite === true);

  const mine = personal('ann-1', NOW + 3600, { renewUntil: NOW + 7 * 86_400 });
  const again = chooseToken(ADDRESS, inv, { token: mine, invite: inv }, NOW);
  assert.equal(again.kind, 'use', 'the same invite opened again: the same person');
  assert.ok(again.kind === 'use' && again.link.token === mine && again.link.claims.id === 'ann-1');

  assert.equal(chooseToken(ADDRESS, inv, { token: mine, invite: invite(NOW + 100) }, NOW).kind, 'join', 'another invite: joined anew');
  assert.equal(
    chooseToken(ADDRESS, inv, { token: personal('ann-1', NOW + 2), invite: inv }, NOW).kind,
    'join',
    'the kept token is all but expired',
  );
  const expired = chooseToken(ADDRESS, invite(NOW - 1), null, NOW);
  assert.ok(expired.kind === 'problem' && /invite expired/.test(expired.problem));
});

test('no token in the address (a reload): the kept one; once it has run out, its invite again', () => {
  const inv = invite();
  const mine = personal('ann-1');
  const reload = chooseToken(ADDRESS, null, { token: mine, invite: inv }, NOW);
  assert.ok(reload.kind === 'use' && reload.link.claims.id === 'ann-1');
  assert.deepEqual(reload.kind === 'use' && reload.link, { ...ADDRESS, token: mine, claims: reload.link.claims });

  const ranOut = chooseToken(ADDRESS, null, { token: personal('ann-1', NOW - 10), invite: inv }, NOW);
  assert.ok(ranOut.kind === 'join' && ranOut.invite === inv, 'expired and not renewable: dropped, the invite used again');

  const allGone = chooseToken(ADDRESS, null, { token: personal('ann-1', NOW - 10), invite: invite(NOW - 5) }, NOW);
  assert.ok(
    allGone.kind === 'problem' &&
      allGone.forget &&
      /Your invite to room "song" expired at .+\. Ask the host for a new link\./.test(allGone.problem),
    JSON.stringify(allGone),
  );

  const linkGone = chooseToken(ADDRESS, null, { token: personal('ann-1', NOW - 10) }, NOW);
  assert.ok(linkGone.kind === 'problem' && linkGone.forget && /Your link to room "song" expired at/.test(linkGone.problem));

  const nothing = chooseToken(ADDRESS, null, null, NOW);
  assert.ok(nothing.kind === 'problem' && !nothing.forget && /has no token/.test(nothing.problem));
  const otherRoom = chooseToken(ADDRESS, null, { token: personal('ann-1', NOW + 3600, { room: 'other' }) }, NOW);
  assert.equal(otherRoom.kind, 'problem', 'a token kept for another room is never used here');
});

test('a personal token in the address is used, unless a later renewal of it is kept', () => {
  const given = personal('owner-1', NOW + 600, { role: 'owner', renewUntil: NOW + 86_400 });
  const used = chooseToken(ADDRESS, given, null, NOW);
  assert.ok(used.kind === 'use' && used.link.token === given);
  assert.deepEqual(used.kind === 'use' && used.kept, { token: given });

  const renewed = personal('owner-1', NOW + 3000, { role: 'owner', renewUntil: NOW + 86_400 });
  const later = chooseToken(ADDRESS, given, { token: renewed }, NOW);
  assert.ok(later.kind === 'use' && later.link.token === renewed, 'the window reloaded with its first token: the renewal is newer');

  const expiredFirst = personal('owner-1', NOW - 60, { role: 'owner', renewUntil: NOW + 86_400 });
  const stillMe = chooseToken(ADDRESS, expiredFirst, { token: renewed }, NOW);
  assert.ok(stillMe.kind === 'use' && stillMe.link.token === renewed, 'its first token expired long ago: the renewal still opens');

  const someoneElse = chooseToken(ADDRESS, given, { token: personal('bob-2', NOW + 3000, { role: 'owner' }) }, NOW);
  assert.ok(someoneElse.kind === 'use' && someoneElse.link.token === given, 'another identity kept: the address wins');
  const expired = chooseToken(ADDRESS, personal('x', NOW - 1), null, NOW);
  assert.ok(expired.kind === 'problem' && /link expired/.test(expired.problem));
  const damaged = chooseToken(ADDRESS, 'abc', null, NOW);
  assert.ok(damaged.kind === 'problem' && /damaged/.test(damaged.problem));
});
