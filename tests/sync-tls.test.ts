/**
 * The sync server over TLS (`--tls-cert`, `--tls-key`), as a real process with a certificate the
 * real openssl made for 127.0.0.1 and localhost, signed by a throwaway CA:
 * - stock y-websocket providers over wss (token as subprotocols, a `ws` class trusting the CA)
 *   converge, the jam channel works over wss, the API, /healthz and /readyz answer over https;
 * - the page's connection code (renderer/platform/websocket-connection.ts) reaches the room from
 *   an https link, never with the token in a URL;
 * - a client that does not trust the certificate is refused, and our connection code says so in
 *   words; plain http on the TLS port gets nothing;
 * - a missing file or a key of another certificate stops the server at start with a sentence,
 *   not a stack trace; SIGHUP takes a renewed pair for new connections (open ones carry on) and
 *   keeps the old one when the new pair is bad.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { get as httpGet } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { addTrack, initSong, setTitle } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { jamPath } from '../core/jam/contract.ts';
import { JamClient, type JamSocketConstructor } from '../core/jam/jam-client.ts';
import { tokenProtocols } from '../sync-server/contract.ts';
import { parseRoomLink } from '../sync-server/client/room-link.ts';
import { connectWebsocket } from '../renderer/platform/websocket-connection.ts';
import { joinProblem, joinRoom } from '../renderer/platform/token-api.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { makeTestCerts, opensslMissing, trustingWebSocket, type TestCerts } from './support/test-certs.ts';
import { startServerProcess, tempDataDir, TEST_SECRET, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';

let certs: TestCerts;
let server: ServerProcess;
const skip = opensslMissing() ?? false;

before(async () => {
  if (skip) return;
  certs = makeTestCerts();
  server = await startServerProcess({ args: ['--tls-cert', certs.certFile, '--tls-key', certs.keyFile] });
});

after(async () => {
  await server?.kill('SIGTERM');
  certs?.remove();
});

/** GET over https, trusting `ca`: status and JSON body. */
function getJson(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('https and wss: stock providers converge, the jam channel and the API answer, /readyz is ready', { skip }, async () => {
  assert.match(server.output(), /listening on https:\/\/127\.0\.0\.1:\d+/);
  assert.equal(server.wsUrl, `wss://127.0.0.1:${server.port}`);
  const room = 'tls-jam';
  const opened: string[] = [];
  const TrustingWs = trustingWebSocket(certs.ca, opened);
  const clients: Client[] = [];
  try {
    for (const name of ['ann', 'ben']) {
      clients.push(
        await connectClient(server.wsUrl, room, '', { protocols: tokenProtocols(testToken(room, 'editor', name)), WebSocket: TrustingWs }),
      );
    }
    const [a, b] = clients as [Client, Client];
    initSong(a.doc, { title: 'Over TLS' });
    const track = addTrack(b.doc, { role: 'bass' });
    await waitFor(
      () => a.doc.getMap('tracks').has(track) && readSong(b.doc).meta.title === 'Over TLS',
      5000,
      'both edits crossed over wss',
    );
    assert.deepEqual(opened, [`${server.wsUrl}/${room}`, `${server.wsUrl}/${room}`], 'no token in any URL');

    const jam = new JamClient({
      url: `${server.wsUrl}${jamPath(room)}`,
      auth: { token: testToken(room, 'editor', 'cat'), protocols: tokenProtocols },
      WebSocket: TrustingWs as unknown as JamSocketConstructor,
    });
    try {
      await waitFor(() => jam.status === 'ready', 10_000, 'the jam channel is ready over wss');
    } finally {
      jam.close();
    }

    const viewer = testToken(room, 'viewer');
    const history = await getJson(`${server.url}/api/rooms/${room}/history`, certs.ca, { authorization: `Bearer ${viewer}` });
    assert.equal(history.status, 200);
    assert.ok(history.body.lastSeq >= 2, JSON.stringify(history.body));
    assert.equal((await getJson(`${server.url}/healthz`, certs.ca)).status, 200);
    const ready = await getJson(`${server.url}/readyz`, certs.ca);
    assert.equal(ready.status, 200);
    assert.deepEqual(
      ready.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]),
      [
        ['storage', true],
        ['accepting', true],
      ],
    );
  } finally {
    for (const c of clients) disconnect(c);
  }
});

test("the page's connection code over wss from an https link: connected, the token never in a URL", { skip }, async () => {
  const room = 'tls-page';
  const parsed = parseRoomLink(`https://127.0.0.1:${server.port}/?room=${room}#token=${testToken(room, 'editor', 'pia')}`);
  assert.ok(parsed.ok);
  assert.equal(parsed.link.serverUrl, `wss://127.0.0.1:${server.port}`);
  assert.equal(parsed.link.httpUrl, `https://127.0.0.1:${server.port}`);
  const opened: string[] = [];
  const page = connectWebsocket(parsed.link, new Y.Doc(), {
    WebSocketImpl: trustingWebSocket(certs.ca, opened) as unknown as typeof globalThis.WebSocket,
    maxBackoffMs: 200,
  });
  const bandmate = await connectClient(server.wsUrl, room, '', {
    protocols: tokenProtocols(testToken(room, 'editor', 'bo')),
    WebSocket: trustingWebSocket(certs.ca),
  });
  try {
    await waitFor(() => page.getState().status === 'connected', 10_000, 'the page connected over wss');
    setTitle(page.doc, 'From the page');
    await waitFor(() => readSong(bandmate.doc).meta.title === 'From the page', 5000, "the page's edit reached the bandmate");
    assert.ok(opened.length >= 1);
    for (const url of opened) assert.doesNotMatch(url, /token/, url);
  } finally {
    page.destroy();
    disconnect(bandmate);
  }
});

test('a client that does not trust the certificate is refused; our connection code says why', { skip }, async () => {
  const room = 'tls-untrusted';
  const token = testToken(room, 'editor', 'mallory');
  const refusal = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/${room}`, tokenProtocols(token));
    ws.once('open', () => reject(new Error('connected without trusting the certificate')));
    ws.once('error', resolve);
  });
  assert.equal(refusal.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', refusal.message);

  const parsed = parseRoomLink(`https://127.0.0.1:${server.port}/?room=${room}#token=${token}`);
  assert.ok(parsed.ok);
  // Node's own fetch and `ws`, neither given the CA: as a client on a machine that does not trust it.
  const page = connectWebsocket(parsed.link, new Y.Doc(), {
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    maxBackoffMs: 200,
  });
  try {
    await waitFor(() => /certificate/.test(page.getState().problem ?? ''), 10_000, 'the page explains the refusal');
    assert.equal(
      page.getState().problem,
      "The server's certificate is not trusted: its issuer is not known to this computer (UNABLE_TO_VERIFY_LEAF_SIGNATURE). Ask the host to fix it, or to give you their certificate authority; retrying.",
    );
    assert.equal(page.getState().status, 'offline');
  } finally {
    page.destroy();
  }

  // Joining from an invite (POST /join) with the same fetch: the same words, and what to do.
  const invite = signToken(TEST_SECRET, { room, role: 'editor', name: 'editor', exp: Math.floor(Date.now() / 1000) + 600, invite: true });
  const joined = await joinRoom(parsed.link.httpUrl, room, invite, 'Mo');
  assert.ok(!joined.ok);
  assert.equal(
    joinProblem(joined, parsed.link.claims, parsed.link.httpUrl),
    "The server's certificate is not trusted: its issuer is not known to this computer (UNABLE_TO_VERIFY_LEAF_SIGNATURE). Ask the host to fix it (or to give you their certificate authority), then try again.",
  );

  // Plain http on the TLS port: no answer in clear text.
  const plain = await new Promise<string>((resolve) => {
    const req = httpGet(`http://127.0.0.1:${server.port}/healthz`, (res) => resolve(`HTTP ${res.statusCode}`));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  assert.doesNotMatch(plain, /HTTP 200/);
  assert.equal(server.child.exitCode, null, 'the server is still running');
});

test('a missing certificate, a key of another certificate, a flag alone: the server stops at start with a sentence', { skip }, async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--tls-cert', `${certs.dir}/nope.pem`, '--tls-key', certs.keyFile],
      /riffroom-server: --tls-cert \S+nope\.pem: no such file \(the certificate, PEM\)/,
    ],
    [
      ['--tls-cert', certs.certFile, '--tls-key', certs.otherKeyFile],
      /riffroom-server: --tls-key \S+other\.key does not belong to the certificate in --tls-cert \S+server\.pem/,
    ],
    [['--tls-cert', certs.selfSignedCertFile, '--tls-key', certs.keyFile], /does not belong to the certificate/],
    [['--tls-cert', certs.certFile], /--tls-cert needs --tls-key/],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(startServerProcess({ dataDir: tempDataDir(), args }), (err: Error) => {
      assert.match(err.message, /server exited with 1:/, err.message);
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace');
      return true;
    });
  }
});

test('--refuse-query-token: ?token= in a websocket URL is refused in words; subprotocols still open the room', { skip }, async () => {
  const strict = await startServerProcess({ args: ['--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--refuse-query-token'] });
  try {
    const room = 'no-query';
    const token = testToken(room, 'editor', 'quinn');
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${strict.wsUrl}/${room}?token=${token}`, { ca: certs.ca });
      ws.once('open', () => reject(new Error('a token in the URL opened the room')));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('error', reject);
    });
    assert.equal(refused.status, 400);
    assert.match(JSON.parse(refused.body).error, /only as websocket subprotocols .*never in the URL/);
    const client = await connectClient(strict.wsUrl, room, '', {
      protocols: tokenProtocols(token),
      WebSocket: trustingWebSocket(certs.ca),
    });
    disconnect(client);
  } finally {
    await strict.kill('SIGTERM');
  }
});

/** The SHA-256 fingerprint of the certificate the server at `port` presents to a new connection. */
function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

test('SIGHUP: a renewed certificate for new connections, open ones carry on; a bad pair keeps the one in use', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-tls-reload-'));
  const cert = join(dir, 'fullchain.pem');
  const key = join(dir, 'privkey.pem');
  copyFileSync(certs.certFile, cert);
  copyFileSync(certs.keyFile, key);
  const fingerprintOf = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
  const reloading = await startServerProcess({ args: ['--tls-cert', cert, '--tls-key', key] });
  const opened: string[] = [];
  const room = 'renewal';
  const client = await connectClient(reloading.wsUrl, room, '', {
    protocols: tokenProtocols(testToken(room)),
    WebSocket: trustingWebSocket(certs.ca, opened),
  });
  try {
    assert.equal(await presented(reloading.port), fingerprintOf(certs.certFile));
    copyFileSync(certs.selfSignedCertFile, cert);
    copyFileSync(certs.selfSignedKeyFile, key);
    reloading.child.kill('SIGHUP');
    await waitFor(() => /SIGHUP: certificate reloaded \(CN=127\.0\.0\.1, valid to /.test(reloading.output()), 5000, 'the reload is logged');
    assert.equal(await presented(reloading.port), fingerprintOf(certs.selfSignedCertFile), 'new connections get the renewed certificate');
    assert.equal(client.provider.wsconnected, true, 'the open connection carries on');
    assert.equal(opened.length, 1, 'without reconnecting');

    copyFileSync(certs.otherKeyFile, key);
    reloading.child.kill('SIGHUP');
    await waitFor(
      () => /SIGHUP: kept the certificate in use: --tls-key \S+privkey\.pem does not belong to the certificate/.test(reloading.output()),
      5000,
      'the refusal is logged',
    );
    assert.equal(await presented(reloading.port), fingerprintOf(certs.selfSignedCertFile), 'the certificate in use is kept');
  } finally {
    disconnect(client);
    assert.equal(await reloading.kill('SIGTERM'), 0, reloading.output());
    rmSync(dir, { recursive: true, force: true });
  }
});
