import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedHostSet, hostNameOf, hostProblem } from './host-check.ts';

test('IP literals and localhost are always answered, other names only when allowed', () => {
  const none = allowedHostSet();
  for (const host of [
    '127.0.0.1',
    '127.0.0.1:4455',
    '192.168.1.20:4455',
    '[::1]:4455',
    '[fe80::1]',
    'localhost',
    'LOCALHOST:80',
    'localhost.:4455',
  ]) {
    assert.equal(hostProblem(host, none), null, host);
  }
  for (const host of ['evil.example', 'evil.example:4455', 'localhost.evil.example', '127.0.0.1.evil.example', 'riffroom.example.org']) {
    assert.match(hostProblem(host, none)!, /does not answer to the name/, host);
  }
  const allowed = allowedHostSet(['Riffroom.Example.org', 'jam.local']);
  assert.equal(hostProblem('riffroom.example.org', allowed), null);
  assert.equal(hostProblem('riffroom.example.org.:443', allowed), null);
  assert.equal(hostProblem('jam.local:4455', allowed), null);
  assert.match(hostProblem('other.example.org', allowed)!, /--allowed-host other\.example\.org/);
});

test('a missing or unreadable Host header is refused', () => {
  const none = allowedHostSet();
  assert.match(hostProblem(undefined, none)!, /required/);
  assert.match(hostProblem('', none)!, /required/);
  for (const host of ['[::1', '[evil]:80', 'a b', 'host:port', 'user@host', '127.0.0.1:99999999']) {
    assert.match(hostProblem(host, none)!, /not a host name/, host);
  }
  assert.equal(hostNameOf('[::1]:80'), '::1');
});

test('configured names must be names alone', () => {
  for (const bad of ['http://x.org', 'x.org:443', 'x.org/', '']) assert.throws(() => allowedHostSet([bad]), /not a host name/, bad);
});
