import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { inviteLinkFor, lanAddress } from './links.ts';
import { parseJoinLink } from '../../sync-server/client/room-link.ts';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal }) as NetworkInterfaceInfo;

test('the LAN address is the first non-internal IPv4, preferring a routable one', () => {
  assert.equal(
    lanAddress({ lo: [iface('127.0.0.1', 'IPv4', true)], eth0: [iface('fe80::1', 'IPv6'), iface('192.168.1.20', 'IPv4')] }),
    '192.168.1.20',
  );
  assert.equal(lanAddress({ a: [iface('169.254.3.4', 'IPv4')], b: [iface('10.0.0.7', 'IPv4')] }), '10.0.0.7');
  assert.equal(lanAddress({ a: [iface('169.254.3.4', 'IPv4')] }), '169.254.3.4');
  assert.equal(lanAddress({ lo: [iface('127.0.0.1', 'IPv4', true)], v6: [iface('2001:db8::1', 'IPv6')] }), null);
  assert.equal(lanAddress({}), null);
  const real = lanAddress();
  assert.ok(real === null || /^\d+\.\d+\.\d+\.\d+$/.test(real), `this machine: ${real}`);
});

const SECRET = 'links-test-secret-xxxxxxxx-0123456789';
const exp = () => Math.floor(Date.now() / 1000) + 3600;
const token = (room: string, role: 'owner' | 'editor' | 'viewer' = 'editor', e = exp()) =>
  signToken(SECRET, { room, role, name: 'editor', exp: e });

test('an invite link made by the host parses back to the same server, room and token', () => {
  const t = token('my-song');
  const link = inviteLinkFor('192.168.1.20', 4455, 'my-song', t);
  assert.equal(link, `http://192.168.1.20:4455/?room=my-song#token=${t}`, 'the token in the fragment: never sent to a server');
  const parsed = parseJoinLink(`  ${link}\n`);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(parsed.link, {
    serverUrl: 'ws://192.168.1.20:4455',
    httpUrl: 'http://192.168.1.20:4455',
    room: 'my-song',
    token: t,
    claims: {
      room: 'my-song',
      role: 'editor',
      name: 'editor',
      id: parsed.link.claims.id,
      exp: parsed.link.claims.exp,
      iat: parsed.link.claims.iat,
    },
  });
});

test('every accepted link form', () => {
  const t = token('jam_1');
  const cases: [string, string, string][] = [
    [`https://riffroom.example.org/?room=jam_1#token=${t}`, 'wss://riffroom.example.org', 'https://riffroom.example.org'],
    [`https://riffroom.example.org/?room=jam_1&token=${t}`, 'wss://riffroom.example.org', 'https://riffroom.example.org'],
    [
      `https://pages.example.org/app/?room=jam_1&server=wss://sync.example.org#token=${t}`,
      'wss://sync.example.org',
      'https://sync.example.org',
    ],
    [`ws://10.0.0.2:4455/jam_1?token=${t}`, 'ws://10.0.0.2:4455', 'http://10.0.0.2:4455'],
    [`wss://sync.example.org:8443/jam_1?token=${t}`, 'wss://sync.example.org:8443', 'https://sync.example.org:8443'],
    [`ws://10.0.0.2:4455/?room=jam_1&token=${t}`, 'ws://10.0.0.2:4455', 'http://10.0.0.2:4455'],
    [
      `https://pages.example.org/app/?room=jam_1&token=${t}&server=wss://sync.example.org`,
      'wss://sync.example.org',
      'https://sync.example.org',
    ],
    [`http://[::1]:4455/?room=jam_1&token=${t}`, 'ws://[::1]:4455', 'http://[::1]:4455'],
  ];
  for (const [link, serverUrl, httpUrl] of cases) {
    const parsed = parseJoinLink(link);
    assert.ok(parsed.ok, `${link}: ${JSON.stringify(parsed)}`);
    assert.equal(parsed.link.serverUrl, serverUrl, link);
    assert.equal(parsed.link.httpUrl, httpUrl, link);
    assert.equal(parsed.link.room, 'jam_1');
    assert.equal(parsed.link.token, t);
  }
});

test('bad links are refused with a reason in words', () => {
  const t = token('my-song');
  const bad: [string, RegExp][] = [
    ['', /Paste an invite link/],
    ['my-song', /not a link Riffroom can read/],
    [`ftp://host/?room=my-song&token=${t}`, /starts with http/],
    [`file:///tmp/x?room=my-song&token=${t}`, /starts with http/],
    ['http://host:4455/', /names no room/],
    [`ws://host:4455/?token=${t}`, /names no room/],
    [`http://host:4455/?room=../etc&token=${t}`, /not a room name/],
    ['http://host:4455/?room=my-song', /has no token/],
    ['http://host:4455/?room=my-song#token=', /has no token/],
    ['http://host:4455/?room=my-song#token=abc', /damaged/],
    ['http://host:4455/?room=my-song&token=abc', /damaged/],
    [`http://host:4455/?room=my-song&token=${t.slice(0, 20)}`, /damaged/],
    [`http://host:4455/?room=other&token=${t}`, /for room "my-song", not "other"/],
    [`http://host:4455/?room=my-song&token=${token('my-song', 'editor', 1000)}`, /expired/],
    [`http://host:4455/?room=my-song&token=${t}&server=http://x`, /not a ws:\/\/ or wss:\/\//],
    [`http://host:4455/?room=my-song&token=${t}&server=nonsense`, /not a ws:\/\/ or wss:\/\//],
    [`ws://host:4455/other?room=my-song&token=${t}`, /two rooms/],
    [`http://ann:pw@host:4455/?room=my-song&token=${t}`, /password/],
    [`http://host/?room=my-song&token=${'a'.repeat(5000)}`, /too long/],
  ];
  for (const [link, problem] of bad) {
    const parsed = parseJoinLink(link);
    assert.equal(parsed.ok, false, link);
    if (!parsed.ok) assert.match(parsed.problem, problem, link);
  }
});

test('an invite read from a pasted link says it is one', () => {
  const invite = signToken(SECRET, { room: 'my-song', role: 'editor', name: 'editor', exp: exp(), invite: true });
  const parsed = parseJoinLink(inviteLinkFor('10.0.0.2', 4455, 'my-song', invite));
  assert.ok(parsed.ok);
  assert.equal(parsed.link.token, invite);
  assert.equal(parsed.link.claims.invite, true);
});
