import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { GrantError, joinedClaims, renewedClaims, takeOverProblem } from './token-grants.ts';

const NOW = 1_700_000_000;
const DAY = 86_400;
const invite: TokenClaims = {
  room: 'band',
  role: 'editor',
  name: 'editor',
  id: 'invite-1',
  iat: NOW - DAY,
  exp: NOW + 6 * DAY,
  invite: true,
};

function refusal(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GrantError, String(err));
    return { status: err.status, message: err.message };
  }
  assert.fail('expected a GrantError');
}

test('joining: a fresh id per person, their name, the invite role, 12 h at most, renewable until the invite ends', () => {
  const ann = joinedClaims(invite, '  Ann ', NOW);
  const bob = joinedClaims(invite, 'Bob', NOW);
  assert.notEqual(ann.id, bob.id);
  assert.notEqual(ann.id, invite.id);
  assert.deepEqual(
    { ...ann, id: 'x' },
    {
      room: 'band',
      role: 'editor',
      name: 'Ann',
      id: 'x',
      iat: NOW,
      exp: NOW + LIMITS.tokens.joinedTokenSeconds,
      renewUntil: invite.exp,
    },
  );
  assert.equal(ann.invite, undefined, 'a joined token is not an invite');
  const late = joinedClaims({ ...invite, exp: NOW + 60 }, 'Cy', NOW);
  assert.equal(late.exp, NOW + 60, 'never past the invite');
});

test('joining needs an invite and a proper name', () => {
  const { invite: _, ...personal } = invite;
  assert.deepEqual(refusal(() => joinedClaims(personal, 'Ann', NOW)).status, 403);
  for (const name of [undefined, null, 7, '', '   ', 'a'.repeat(65), 'bell\u0007']) {
    assert.equal(refusal(() => joinedClaims(invite, name, NOW)).status, 400, JSON.stringify(name));
  }
});

test('renewing: same person, the lifetime it had, never past renewUntil', () => {
  const joined = { ...joinedClaims(invite, 'Ann', NOW), exp: NOW + 3600 } as TokenClaims;
  const later = NOW + 3000;
  const renewed = renewedClaims(joined, later);
  assert.deepEqual(renewed, {
    room: 'band',
    role: 'editor',
    name: 'Ann',
    id: joined.id,
    iat: later,
    exp: later + 3600,
    renewUntil: invite.exp,
  });
  const nearEnd = renewedClaims({ ...joined, iat: invite.exp - 1000, exp: invite.exp - 100 }, invite.exp - 500);
  assert.equal(nearEnd.exp, invite.exp, 'capped at renewUntil');
  assert.equal(renewedClaims(joined, NOW).exp, joined.exp, 'renewed at once: the same end, never an earlier one');
});

test('renewing is refused with a reason for invites, tokens without renewUntil or past it', () => {
  const joined = joinedClaims(invite, 'Ann', NOW) as TokenClaims;
  assert.match(refusal(() => renewedClaims(invite, NOW)).message, /invite/);
  const { renewUntil: _, ...plain } = joined;
  assert.match(refusal(() => renewedClaims(plain, NOW)).message, /not renewable/);
  assert.match(refusal(() => renewedClaims({ ...joined, renewUntil: NOW - 1 }, NOW)).message, /renewed until .* UTC/);
  assert.match(refusal(() => renewedClaims({ ...joined, iat: undefined }, NOW)).message, /issue time/);
  for (const f of [() => renewedClaims(invite, NOW), () => renewedClaims(plain, NOW)]) assert.equal(refusal(f).status, 403);
});

test('taking over a connection: same room, identity and role, and not an invite', () => {
  const current: TokenClaims = { room: 'band', role: 'editor', name: 'Ann', id: 'ann', exp: NOW + 10, iat: NOW };
  assert.equal(takeOverProblem(current, { ...current, exp: NOW + 100, name: 'Ann B.' }), null);
  assert.match(takeOverProblem(current, { ...current, room: 'other' })!, /another room/);
  assert.match(takeOverProblem(current, { ...current, id: 'bob' })!, /another identity/);
  assert.match(takeOverProblem(current, { ...current, role: 'owner' })!, /another role/);
  assert.match(takeOverProblem(current, { ...current, invite: true })!, /invite/);
});
