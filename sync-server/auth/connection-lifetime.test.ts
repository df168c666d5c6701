import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenClaims } from '../contract.ts';
import { signToken } from './tokens.ts';
import { ConnectionLifetime, RenewalRefused } from './connection-lifetime.ts';
import { readRenewalToken, readRenewed, renewalMessage, renewedMessage } from './auth-message.ts';

const SECRET = 'unit-test-secret-of-at-least-32-bytes';
const now = () => Math.floor(Date.now() / 1000);

test('a connection ends at its token’s exp; a token for the same room, identity and role moves the end', (t) => {
  const claims: TokenClaims = { room: 'r', role: 'editor', name: 'Ann', id: 'ann', exp: now() + 10, iat: now() };
  const lifetime = new ConnectionLifetime(SECRET, claims);
  let ended = 0;
  lifetime.start(() => ended++);
  t.after(() => lifetime.stop());
  assert.equal(lifetime.expired(), false);
  const later = now() + 3600;
  assert.equal(lifetime.renew(signToken(SECRET, { room: 'r', role: 'editor', name: 'Ann', id: 'ann', exp: later })), later);
  assert.equal(lifetime.exp, later);
  const refused = (token: unknown) => assert.throws(() => lifetime.renew(token), RenewalRefused);
  refused(undefined);
  refused('');
  refused('garbage');
  refused(signToken(SECRET, { room: 'r', role: 'editor', name: 'Ann', id: 'bob', exp: later + 1 }));
  refused(signToken(SECRET, { room: 'r', role: 'owner', name: 'Ann', id: 'ann', exp: later + 1 }));
  refused(signToken(SECRET, { room: 'r2', role: 'editor', name: 'Ann', id: 'ann', exp: later + 1 }));
  refused(signToken(SECRET, { room: 'r', role: 'editor', name: 'Ann', id: 'ann', exp: later + 1, invite: true }));
  refused(signToken(SECRET, { room: 'r', role: 'editor', name: 'Ann', id: 'ann', exp: now() - 1 }));
  assert.equal(lifetime.exp, later, 'a refused renewal changes nothing');
  assert.equal(ended, 0);
});

test('an expired token says so before its timer runs', () => {
  const lifetime = new ConnectionLifetime(SECRET, { room: 'r', role: 'viewer', name: 'V', id: 'v', exp: now() - 1 });
  assert.equal(lifetime.expired(), true);
});

test('the document socket’s auth messages round-trip; anything else is not one', () => {
  assert.equal(readRenewalToken(renewalMessage('a.b')), 'a.b');
  assert.equal(readRenewed(renewedMessage(1_900_000_000.7)), 1_900_000_000);
  for (const bad of [
    Uint8Array.of(),
    Uint8Array.of(2),
    Uint8Array.of(2, 9, 65),
    Uint8Array.of(0, 1, 65),
    renewalMessage('x'.repeat(5000)),
  ]) {
    assert.equal(readRenewalToken(bad), null);
  }
  assert.equal(readRenewed(renewalMessage('a.b')), null, 'a client message is no answer');
});
