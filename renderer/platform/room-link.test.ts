import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { decodeTokenClaims, inviteLink, parseRoomLink } from './room-link.ts';

const NOW = 1_800_000_000;
const token = (room: string, exp = NOW + 3600, name = 'alice') => signToken('room-link-test-secret-0123456789-abcdef', { room, role: 'editor', name, exp });

test('an invite link gives the websocket and HTTP addresses of the server that served it', () => {
  const t = token('my-song');
  const result = parseRoomLink(`http://192.168.1.5:4455/?room=my-song&token=${t}`, NOW);
  assert.ok(result.ok);
  assert.deepEqual(result.link, {
    serverUrl: 'ws://192.168.1.5:4455', httpUrl: 'http://192.168.1.5:4455', room: 'my-song', token: t,
    claims: { room: 'my-song', role: 'editor', name: 'alice', id: result.link.claims.id, exp: NOW + 3600 },
  });
  const secure = parseRoomLink(`https://jam.example/?room=my-song&token=${t}`, NOW);
  assert.ok(secure.ok && secure.link.serverUrl === 'wss://jam.example' && secure.link.httpUrl === 'https://jam.example');
  const elsewhere = parseRoomLink(`file:///app/index.html?room=my-song&token=${t}&server=ws://10.0.0.2:4455/`, NOW);
  assert.ok(elsewhere.ok && elsewhere.link.serverUrl === 'ws://10.0.0.2:4455' && elsewhere.link.httpUrl === 'http://10.0.0.2:4455');
});

test('a malformed link says what is wrong with it', () => {
  const problem = (href: string) => {
    const r = parseRoomLink(href, NOW);
    assert.equal(r.ok, false, href);
    return r.ok ? '' : r.problem;
  };
  assert.match(problem('http://h:1/'), /names no room/);
  assert.match(problem('http://h:1/?room=a%20b&token=x.y'), /not a room name/);
  assert.match(problem('http://h:1/?room=song'), /has no token/);
  assert.match(problem('http://h:1/?room=song&token=garbage'), /damaged/);
  assert.match(problem(`http://h:1/?room=song&token=${token('song').slice(0, 20)}`), /damaged/);
  assert.match(problem(`http://h:1/?room=song&token=${token('other')}`), /for room "other", not "song"/);
  assert.match(problem(`http://h:1/?room=song&token=${token('song', NOW - 1)}`), /expired/);
  assert.match(problem(`file:///x.html?room=song&token=${token('song')}`), /names no server/);
  assert.match(problem(`http://h:1/?room=song&token=${token('song')}&server=http://h:1`), /not a ws:\/\//);
  assert.match(problem('not a url'), /not a link/);
});

test('token claims decode in the page, unicode names included', () => {
  assert.equal(decodeTokenClaims(token('song', NOW, 'Zoë 🎸'))?.name, 'Zoë 🎸');
  assert.equal(decodeTokenClaims('x'), null);
  assert.equal(decodeTokenClaims(`${btoa('{"room":1}')}.sig`), null);
});

test('invite links round-trip', () => {
  const t = token('song');
  const href = inviteLink('http://127.0.0.1:4455', 'song', t);
  assert.equal(href, `http://127.0.0.1:4455/?room=song&token=${t}`);
  assert.ok(parseRoomLink(href, NOW).ok);
});
