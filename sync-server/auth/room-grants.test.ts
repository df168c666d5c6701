import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LIMITS } from '../limits.ts';
import { createdRoomGrants } from './room-grants.ts';
import { mintServerToken } from './server-tokens.ts';
import { signToken, verifyToken } from './tokens.ts';
import { joinedClaims, renewedClaims } from './token-grants.ts';

const secret = randomBytes(32).toString('base64url');
const NOW = 1_800_000_000;

test('a created room gives its creator an owner token under their own identity, and two invites', () => {
  const { claims: creator } = mintServerToken(secret, 'creator', 'Ms Rivera', 90 * 86_400, NOW);
  const grants = createdRoomGrants(creator, 'class-7b', 'Ms R.', 14 * 86_400, NOW + 0.7);
  const owner = verifyToken(secret, signToken(secret, grants.owner), NOW);
  assert.deepEqual(owner, {
    room: 'class-7b',
    role: 'owner',
    name: 'Ms R.',
    id: creator.id,
    iat: NOW,
    exp: NOW + LIMITS.createdRooms.ownerTokenSeconds,
    renewUntil: NOW + LIMITS.createdRooms.ownerRenewableSeconds,
  });
  // The page renews the owner's token (POST /renew) as it does the desktop's.
  assert.equal(renewedClaims(owner, NOW + 20 * 86_400).id, creator.id);
  for (const [grant, role] of [
    [grants.editorInvite, 'editor'],
    [grants.viewerInvite, 'viewer'],
  ] as const) {
    const invite = verifyToken(secret, signToken(secret, grant), NOW);
    assert.equal(invite.invite, true);
    assert.equal(invite.role, role);
    assert.equal(invite.room, 'class-7b');
    assert.equal(invite.exp, NOW + 14 * 86_400);
    assert.notEqual(invite.id, creator.id, 'an invite is nobody in particular');
    // Whoever joins with it is a person of their own.
    const joined = joinedClaims(invite, 'Sam', NOW + 60);
    assert.equal(joined.role, role);
    assert.notEqual(joined.id, creator.id);
  }
});

test('the same creator is the same identity in every room they make', () => {
  const { claims: creator } = mintServerToken(secret, 'creator', 'Band leader', 86_400, NOW);
  const a = createdRoomGrants(creator, 'room-a', 'Lead', 86_400, NOW);
  const b = createdRoomGrants(creator, 'room-b', 'Lead', 86_400, NOW);
  assert.equal(a.owner.id, b.owner.id);
  assert.equal(a.owner.id, creator.id);
});
