import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  mayCreateRooms,
  mayMintCreators,
  mintServerToken,
  RoomTokenGivenError,
  signServerToken,
  verifyServerToken,
} from './server-tokens.ts';
import { signToken, TokenError, verifyToken } from './tokens.ts';

const secret = randomBytes(32).toString('base64url');
const later = () => Math.floor(Date.now() / 1000) + 3600;

test('a server token verifies with its role, name and id', () => {
  const token = signServerToken(secret, { role: 'creator', name: 'Ms Rivera', exp: later(), id: 'teacher-1' });
  const claims = verifyServerToken(secret, token);
  assert.equal(claims.scope, 'server');
  assert.equal(claims.role, 'creator');
  assert.equal(claims.name, 'Ms Rivera');
  assert.equal(claims.id, 'teacher-1');
  assert.equal(mayCreateRooms(claims), true);
  assert.equal(mayMintCreators(claims), false);
  assert.equal(mayMintCreators(verifyServerToken(secret, signServerToken(secret, { role: 'admin', name: 'admin', exp: later() }))), true);
});

test('a server token opens no room, and a room token is no server token', () => {
  const server = signServerToken(secret, { role: 'admin', name: 'admin', exp: later() });
  assert.throws(
    () => verifyToken(secret, server),
    (err: Error) => err instanceof TokenError && /server .*token/.test(err.message),
  );
  const room = signToken(secret, { room: 'band', role: 'owner', name: 'Ana', exp: later() });
  assert.throws(
    () => verifyServerToken(secret, room),
    (err: Error) => err instanceof TokenError && /admin or creator token/.test(err.message),
  );
});

test('expired, forged and ill-formed server tokens are refused', () => {
  const expired = signServerToken(secret, { role: 'admin', name: 'admin', exp: Math.floor(Date.now() / 1000) - 1 });
  assert.throws(() => verifyServerToken(secret, expired), /expired/);
  const other = signServerToken(randomBytes(32).toString('base64url'), { role: 'admin', name: 'admin', exp: later() });
  assert.throws(() => verifyServerToken(secret, other), /signature/);
  assert.throws(() => signServerToken(secret, { role: 'owner' as 'admin', name: 'x', exp: later() }), /server role/);
  assert.throws(() => signServerToken(secret, { role: 'admin', name: '', exp: later() }), /name/);
});

test('a room token offered as a server token is told apart from a bad one', () => {
  const room = signToken(secret, { room: 'band', role: 'owner', name: 'Ana', exp: later() });
  assert.throws(() => verifyServerToken(secret, room), RoomTokenGivenError);
  const forged = signServerToken(randomBytes(32).toString('base64url'), { role: 'admin', name: 'admin', exp: later() });
  assert.throws(
    () => verifyServerToken(secret, forged),
    (err: Error) => err instanceof TokenError && !(err instanceof RoomTokenGivenError),
  );
});

test('mintServerToken gives a token and its verified claims', () => {
  const now = Math.floor(Date.now() / 1000);
  const { token, claims } = mintServerToken(secret, 'creator', 'Ms Rivera', 3600, now + 0.5);
  assert.deepEqual(verifyServerToken(secret, token), claims);
  assert.equal(claims.iat, now);
  assert.equal(claims.exp, now + 3600);
  assert.notEqual(mintServerToken(secret, 'creator', 'Ms Rivera', 3600).claims.id, claims.id, 'each mint is a new identity');
  assert.throws(() => signServerToken(secret, { role: 'admin', name: 'x', exp: later(), iat: Number.NaN }), /iat/);
});
