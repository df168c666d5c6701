import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { addressWithoutToken, decodeTokenClaims, inviteLink, parseRoomAddress, parseRoomLink } from './room-link.ts';

const NOW = 1_800_000_000;
const SECRET = 'room-link-test-secret-0123456789-abcdef';
const token = (room: string, exp = NOW + 3600, name = 'alice') => signToken(SECRET, { room, role: 'editor', name, exp, iat: NOW });

test('an invite link gives the websocket and HTTP addresses of the server that served it', () => {
  const t = token('my-song');
  const result = parseRoomLink(`http://192.168.1.5:4455/?room=my-song#token=${t}`, NOW);
  assert.ok(result.ok);
  assert.deepEqual(result.link, {
    serverUrl: 'ws://192.168.1.5:4455',
    httpUrl: 'http://192.168.1.5:4455',
    room: 'my-song',
    token: t,
    claims: { room: 'my-song', role: 'editor', name: 'alice', id: result.link.claims.id, exp: NOW + 3600, iat: NOW },
  });
  const secure = parseRoomLink(`https://jam.example/?room=my-song#token=${t}`, NOW);
  assert.ok(secure.ok && secure.link.serverUrl === 'wss://jam.example' && secure.link.httpUrl === 'https://jam.example');
  const elsewhere = parseRoomLink(`file:///app/index.html?room=my-song&server=ws://10.0.0.2:4455/#token=${t}`, NOW);
  assert.ok(elsewhere.ok && elsewhere.link.serverUrl === 'ws://10.0.0.2:4455' && elsewhere.link.httpUrl === 'http://10.0.0.2:4455');
});

test('the token is read from the fragment; old links with ?token= still work', () => {
  const t = token('song');
  for (const href of [
    `http://h:1/?room=song#token=${t}`,
    `http://h:1/?room=song&token=${t}`,
    `http://h:1/?token=${t}&room=song`,
    // The fragment wins over a stale query token.
    `http://h:1/?room=song&token=${token('other')}#token=${t}`,
  ]) {
    const r = parseRoomLink(href, NOW);
    assert.ok(r.ok, href);
    assert.equal(r.link.token, t, href);
  }
  const address = parseRoomAddress('http://h:1/?room=song');
  assert.ok(address.ok);
  assert.equal(address.token, null, 'an address without a token (a reload) is still an address');
  assert.deepEqual(address.address, { serverUrl: 'ws://h:1', httpUrl: 'http://h:1', room: 'song' });
});

test('the token is taken out of the address, the room and the rest kept', () => {
  const t = token('song');
  assert.equal(addressWithoutToken(`http://h:1/?room=song#token=${t}`), 'http://h:1/?room=song');
  assert.equal(addressWithoutToken(`http://h:1/?room=song&token=${t}`), 'http://h:1/?room=song');
  assert.equal(
    addressWithoutToken(`http://h:1/?token=${t}&room=song&server=ws%3A%2F%2Fx%3A2`),
    'http://h:1/?room=song&server=ws%3A%2F%2Fx%3A2',
  );
  assert.equal(addressWithoutToken(`http://h:1/app/?room=song#token=${t}&view=jam`), 'http://h:1/app/?room=song#view=jam');
  assert.equal(addressWithoutToken('http://h:1/?room=song'), 'http://h:1/?room=song', 'nothing to take out');
  assert.equal(addressWithoutToken('not a url'), 'not a url');
});

test('a malformed link says what is wrong with it', () => {
  const problem = (href: string) => {
    const r = parseRoomLink(href, NOW);
    assert.equal(r.ok, false, href);
    return r.ok ? '' : r.problem;
  };
  assert.match(problem('http://h:1/'), /names no room/);
  assert.match(problem('http://h:1/?room=a%20b#token=x.y'), /not a room name/);
  assert.match(problem('http://h:1/?room=song'), /has no token/);
  assert.match(problem('http://h:1/?room=song#token='), /has no token/);
  assert.match(problem('http://h:1/?room=song#token=garbage'), /damaged/);
  assert.match(problem(`http://h:1/?room=song#token=${token('song').slice(0, 20)}`), /damaged/);
  assert.match(problem(`http://h:1/?room=song#token=${token('other')}`), /for room "other", not "song"/);
  assert.match(problem(`http://h:1/?room=song#token=${token('song', NOW - 1)}`), /link expired/);
  assert.match(
    problem(
      `http://h:1/?room=song#token=${signToken(SECRET, { room: 'song', role: 'editor', name: 'editor', exp: NOW - 1, invite: true })}`,
    ),
    /invite expired/,
  );
  assert.match(problem(`file:///x.html?room=song#token=${token('song')}`), /names no server/);
  assert.match(problem(`http://h:1/?room=song&server=http://h:1#token=${token('song')}`), /not a ws:\/\//);
  assert.match(problem('not a url'), /not a link/);
});

test('token claims decode in the page, unicode names, invites and renewal included', () => {
  assert.equal(decodeTokenClaims(token('song', NOW, 'Zoë 🎸'))?.name, 'Zoë 🎸');
  assert.equal(decodeTokenClaims('x'), null);
  assert.equal(decodeTokenClaims(`${btoa('{"room":1}')}.sig`), null);
  const invite = decodeTokenClaims(signToken(SECRET, { room: 'song', role: 'viewer', name: 'editor', exp: NOW + 60, invite: true }));
  assert.equal(invite?.invite, true);
  const renewable = decodeTokenClaims(
    signToken(SECRET, { room: 'song', role: 'editor', name: 'Ann', exp: NOW + 60, iat: NOW, renewUntil: NOW + 600 }),
  );
  assert.deepEqual([renewable?.iat, renewable?.renewUntil, renewable?.invite], [NOW, NOW + 600, undefined]);
});

test('invite links carry the token in the fragment and round-trip', () => {
  const t = token('song');
  const href = inviteLink('http://127.0.0.1:4455', 'song', t);
  assert.equal(href, `http://127.0.0.1:4455/?room=song#token=${t}`);
  const parsed = parseRoomLink(href, NOW);
  assert.ok(parsed.ok && parsed.link.token === t);
});
