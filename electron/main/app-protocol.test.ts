import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { appPageUrl, contentTypeFor, forwardedHeaders, resolveAppRequest, resolveStaticPath } from './app-protocol.ts';

const ROOT = resolve('/opt/riffroom/renderer/dist');
const SESSION = 'http://127.0.0.1:4455';

test('the app serves its own files, index.html at /', () => {
  assert.deepEqual(resolveAppRequest('riffroom://app/', 'GET', ROOT, SESSION), {
    kind: 'file',
    path: join(ROOT, 'index.html'),
    contentType: 'text/html; charset=utf-8',
  });
  assert.deepEqual(resolveAppRequest('riffroom://app/index.html?room=a&token=b', 'GET', ROOT, SESSION), {
    kind: 'file',
    path: join(ROOT, 'index.html'),
    contentType: 'text/html; charset=utf-8',
  });
  const js = resolveAppRequest('riffroom://app/assets/main-ABC.js', 'GET', ROOT, SESSION);
  assert.deepEqual(js, { kind: 'file', path: join(ROOT, 'assets/main-ABC.js'), contentType: 'text/javascript; charset=utf-8' });
  assert.equal(contentTypeFor('x.wasm'), 'application/wasm');
  assert.equal(contentTypeFor('x.unknown'), 'application/octet-stream');
});

test('no path leaves the renderer folder', () => {
  for (const path of [
    '/../secret',
    '/assets/../../etc/passwd',
    '/%2e%2e/secret',
    '/assets/%2E%2E/%2e%2e/x',
    '/..%2fsecret',
    '/a%5c..%5c..%5cx',
    '/a%00.js',
    '/%E0%A4%A',
  ]) {
    assert.equal(resolveStaticPath(ROOT, path), null, path);
  }
  for (const url of ['riffroom://app/../../etc/passwd', 'riffroom://app/%2e%2e/%2e%2e/etc/passwd']) {
    const r = resolveAppRequest(url, 'GET', ROOT, SESSION);
    assert.ok(r.kind === 'refuse' || (r.kind === 'file' && r.path.startsWith(`${ROOT}/`)), url);
  }
  assert.equal(resolveAppRequest('riffroom://other/index.html', 'GET', ROOT, SESSION).kind, 'refuse');
  assert.equal(resolveAppRequest('https://example.com/', 'GET', ROOT, SESSION).kind, 'refuse');
  assert.equal(resolveAppRequest('riffroom://app/index.html', 'POST', ROOT, SESSION).kind, 'refuse');
});

test('the history API is forwarded to the session server, and only it', () => {
  assert.deepEqual(resolveAppRequest('riffroom://app/api/rooms/my-song/history?after=3&limit=50', 'GET', ROOT, SESSION), {
    kind: 'proxy',
    url: 'http://127.0.0.1:4455/api/rooms/my-song/history?after=3&limit=50',
  });
  assert.deepEqual(resolveAppRequest('riffroom://app/api/rooms/my-song/restore', 'POST', ROOT, 'https://jam.example.org'), {
    kind: 'proxy',
    url: 'https://jam.example.org/api/rooms/my-song/restore',
  });
  assert.deepEqual(
    resolveAppRequest('riffroom://app/api/rooms/my-song/renew', 'POST', ROOT, SESSION),
    {
      kind: 'proxy',
      url: 'http://127.0.0.1:4455/api/rooms/my-song/renew',
    },
    'the page renews its token through the proxy too',
  );
  assert.equal(resolveAppRequest('riffroom://app/api/rooms/my-song/join', 'POST', ROOT, SESSION).kind, 'proxy');
  // Keep a local copy and the owner's invites (the server refuses anyone but the owner).
  assert.deepEqual(resolveAppRequest('riffroom://app/api/rooms/my-song/export', 'GET', ROOT, 'https://jam.example.org'), {
    kind: 'proxy',
    url: 'https://jam.example.org/api/rooms/my-song/export',
  });
  assert.equal(resolveAppRequest('riffroom://app/api/rooms/my-song/invites', 'POST', ROOT, SESSION).kind, 'proxy');
  assert.equal(
    resolveAppRequest('riffroom://app/api/rooms/my-song/import', 'POST', ROOT, SESSION).kind,
    'refuse',
    'the page never imports through the proxy',
  );
  for (const url of [
    'riffroom://app/api/rooms/../secret/history',
    'riffroom://app/api/rooms/a%2F..%2Fb/history',
    'riffroom://app/api/metrics',
    'riffroom://app/api/rooms/x/delete',
  ]) {
    assert.equal(resolveAppRequest(url, 'GET', ROOT, SESSION).kind, 'refuse', url);
  }
  assert.equal(resolveAppRequest('riffroom://app/api/rooms/x/history', 'DELETE', ROOT, SESSION).kind, 'refuse');
  assert.equal(resolveAppRequest('riffroom://app/api/rooms/x/history', 'GET', ROOT, null).kind, 'refuse');
});

test('only the token and content type are forwarded', () => {
  assert.deepEqual(
    forwardedHeaders({ Authorization: 'Bearer t', 'Content-Type': 'application/json', Cookie: 'x', Origin: 'riffroom://app' }),
    {
      authorization: 'Bearer t',
      'content-type': 'application/json',
    },
  );
  assert.deepEqual(forwardedHeaders(new Headers({ authorization: 'x'.repeat(9000) })), {});
});

test("the window's page names its room, token and server the way an invite link does", () => {
  const url = new URL(appPageUrl({ wsUrl: 'ws://127.0.0.1:51234', room: 'My-Song', token: 'a.b' }));
  assert.equal(url.href.split('?')[0], 'riffroom://app/index.html');
  assert.equal(url.searchParams.get('room'), 'My-Song');
  assert.equal(url.searchParams.get('token'), null, 'the token is not in the query');
  assert.equal(url.hash, '#token=a.b');
  assert.equal(url.searchParams.get('server'), 'ws://127.0.0.1:51234');
  assert.equal(
    new URL(appPageUrl({ wsUrl: 'wss://jam.example.org/', room: 'r', token: 't' })).searchParams.get('server'),
    'wss://jam.example.org',
  );
  assert.throws(() => appPageUrl({ wsUrl: 'http://x', room: 'r', token: 't' }), /websocket/);
  assert.throws(() => appPageUrl({ wsUrl: 'ws://x', room: '../r', token: 't' }), /room name/);
});
