/**
 * deploy/haproxy/riffroom.cfg for real: HAProxy 2.6 (Debian 12's) over TLS (a self-signed
 * certificate for jam.example.org) in front of two real server processes, each with its own SQLite
 * data dir, the same secret, and --trusted-proxy 127.0.0.1 (HAProxy's address here). Checked:
 * - one room, one node: its websocket, its jam channel and its API all reach the same node (read
 *   from HAProxy's own log lines, which name the node), and different rooms spread over both;
 * - the page with COOP/COEP exactly once each; plain HTTP redirected;
 * - two stock y-websocket providers over wss through HAProxy edit one song;
 * - the room's node is stopped (SIGTERM: /readyz says 503, then it exits): the providers are sent
 *   to the other node by themselves and go on editing (with SQLite the log does not follow the
 *   room: the other node starts from what the reconnecting pages upload);
 * - the nodes count their per-address cap per visitor through HAProxy (option forwardfor), a
 *   forged X-Forwarded-For does not escape it, and the refusals do not stop the node (HAProxy
 *   resets the node's connection right after a refusal: that once crashed the server,
 *   tests/sync-upgrade-reset.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addTrack, initSong } from '../core/song/edits.ts';
import { tokenProtocols } from '../sync-server/contract.ts';
import { ISOLATION_HEADERS } from '../sync-server/static.ts';
import { makeCertificate, PUBLIC_NAME, runTool, substitute } from './support/deploy-files.ts';
import { HAPROXY_CFG, startHaproxy, writeHaproxyConfig, type HaproxyProcess } from './support/haproxy-process.ts';
import { headerValues, openWebSocket, pinnedWebSocket, request } from './support/pinned-clients.ts';
import { startServerProcess, testToken, type ServerProcess } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `riffroom-deploy-${prefix}-`));

test('haproxy -c accepts deploy/haproxy/riffroom.cfg as it is (only the certificate file substituted) and as the test runs it', async () => {
  const dir = temp('haproxy-check');
  const { cert, key } = await makeCertificate(dir);
  const pem = join(dir, 'both.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  const asShipped = join(dir, 'shipped.cfg');
  writeFileSync(
    asShipped,
    substitute(readFileSync(HAPROXY_CFG, 'utf8'), [[`/etc/haproxy/certs/${PUBLIC_NAME}.pem`, pem]], 'deploy/haproxy/riffroom.cfg'),
  );
  const asRun = writeHaproxyConfig(dir, { httpPort: 8080, httpsPort: 8443, pem, nodePorts: [4455, 4456] });
  for (const cfg of [asShipped, asRun]) {
    const result = await runTool('haproxy', ['-c', '-f', cfg]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout + result.stderr, /Configuration file is valid/);
    assert.doesNotMatch(result.stdout + result.stderr, /\[WARNING\]|\[ALERT\]/);
  }
});

/** The node HAProxy's log says served `path` (its log line comes when the request or tunnel ends). */
function servedBy(logs: string, path: string): string[] {
  const nodes: string[] = [];
  for (const line of logs.split('\n')) {
    const m = /riffroom_nodes\/(node\d)\b.*"([^"]*)"$/.exec(line.trim());
    if (m && m[2] === path) nodes.push(m[1]!);
  }
  return nodes;
}

async function connections(node: ServerProcess): Promise<number> {
  const reply = await request(`${node.url}/healthz`, { headers: { host: PUBLIC_NAME } });
  return JSON.parse(reply.body).connections as number;
}

/** Polls an asynchronous condition (a node's /healthz) until it holds. */
async function until(condition: () => Promise<boolean>, message: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('haproxy (deploy/) in front of two nodes: one room on one node, rooms spread, wss sync, failover by /readyz,', async () => {
  const dir = temp('haproxy');
  const { cert, key, pem: ca } = await makeCertificate(dir);
  const webDir = join(dir, 'web');
  mkdirSync(webDir);
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Riffroom</title>');
  const args = ['--allowed-host', PUBLIC_NAME, '--trusted-proxy', '127.0.0.1', '--web', webDir, '--max-connections-per-address', '4'];
  const nodes: Record<string, ServerProcess> = {
    node1: await startServerProcess({ dataDir: join(dir, 'node1'), args }),
    node2: await startServerProcess({ dataDir: join(dir, 'node2'), args }),
  };
  let proxy: HaproxyProcess | null = null;
  const clients: Client[] = [];
  const sockets: { terminate(): void }[] = [];
  try {
    proxy = await startHaproxy(dir, { cert, key, ca, nodePorts: [nodes.node1!.port, nodes.node2!.port] });
    const url = proxy.url;

    // The page: isolation headers once each; plain HTTP goes to https.
    const page = await request(`${url}/`, { ca });
    assert.equal(page.status, 200, page.body);
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) assert.deepEqual(headerValues(page, name), [value], name);
    const plain = await request(`${proxy.httpUrl}/x`);
    assert.equal(plain.status, 301);
    assert.match(String(plain.headers.location), /^https:\/\/jam\.example\.org(:\d+)?\/x$/);

    // One room, one node; rooms spread. Each room: its API, its document socket, its jam channel,
    // each room from a visitor address of its own (the per-address cap is 4).
    const rooms = Array.from({ length: 12 }, (_, i) => `spread-${i}`);
    const nodeOf = new Map<string, string>();
    for (const [i, room] of rooms.entries()) {
      const api = await request(`${url}/api/rooms/${room}/history`, {
        ca,
        headers: { authorization: `Bearer ${testToken(room, 'viewer')}` },
      });
      assert.ok(api.status < 500, `${room} API: ${api.status} ${api.body}`);
      for (const path of [`/${room}`, `/${room}/jam`]) {
        const opened = await openWebSocket(`${proxy.wsUrl}${path}`, {
          ca,
          protocols: tokenProtocols(testToken(room, 'editor')),
          localAddress: `127.0.1.${i + 1}`,
        });
        assert.equal(opened.status, 101, `${path}: ${opened.reason}`);
        opened.socket.close();
        await new Promise((r) => opened.socket.once('close', r));
      }
      const paths = [`/api/rooms/${room}/history`, `/${room}`, `/${room}/jam`];
      await waitFor(() => paths.every((p) => servedBy(proxy!.logs(), p).length > 0), 10_000, `haproxy logged ${paths.join(', ')}`);
      const served = new Set(paths.flatMap((p) => servedBy(proxy!.logs(), p)));
      assert.equal(served.size, 1, `${room}: every request on one node, got ${[...served].join(', ')}\n${proxy.logs()}`);
      nodeOf.set(room, [...served][0]!);
    }
    const used = new Set(nodeOf.values());
    assert.deepEqual(
      [...used].sort(),
      ['node1', 'node2'],
      `12 rooms spread over both nodes: ${[...nodeOf].map(([r, n]) => `${r}→${n}`).join(' ')}`,
    );

    // Per-visitor caps through HAProxy: 4 from 127.0.0.2, the 5th refused also with a forged
    // X-Forwarded-For (HAProxy adds its own header after the visitor's); another visitor gets in.
    const capRoom = rooms[0]!;
    const open = async (localAddress: string, forged?: string) => {
      const opened = await openWebSocket(`${proxy!.wsUrl}/${capRoom}`, {
        ca,
        protocols: tokenProtocols(testToken(capRoom, 'editor')),
        localAddress,
        headers: forged ? { 'x-forwarded-for': forged } : {},
      });
      sockets.push(opened.socket);
      return opened;
    };
    for (let i = 0; i < 4; i++) assert.equal((await open('127.0.0.2')).status, 101);
    for (const forged of [undefined, '198.51.100.7', '127.0.0.1', '198.51.100.7, 127.0.0.1']) {
      const refused = await open('127.0.0.2', forged);
      assert.equal(refused.status, 429, `forged ${forged}: ${refused.reason}\n${proxy.logs()}`);
      assert.match(refused.reason, /from 127\.0\.0\.2/, 'the node counted the visitor, not haproxy nor the forged hop');
    }
    assert.equal((await open('127.0.0.3')).status, 101, 'another visitor is counted on its own');
    for (const node of Object.values(nodes)) assert.equal(node.child.exitCode, null, `the node still runs:\n${node.output()}`);
    for (const s of sockets.splice(0)) s.terminate();
    // The nodes have let go of them (so the connection counts below are the providers').
    for (const node of Object.values(nodes))
      await until(async () => (await connections(node)) === 0, 'the capped sockets are closed on the nodes');

    // Two stock providers over wss through HAProxy, on one node.
    const room = rooms.find((r) => nodeOf.get(r) === 'node1')!;
    const home = nodes.node1!;
    const other = nodes.node2!;
    const before = await connections(other);
    const PinnedWebSocket = pinnedWebSocket(ca);
    for (const name of ['ann', 'ben']) {
      clients.push(
        await connectClient(proxy.wsUrl, room, '', {
          protocols: tokenProtocols(testToken(room, 'editor', name)),
          WebSocket: PinnedWebSocket,
        }),
      );
    }
    const [a, b] = clients as [Client, Client];
    initSong(a.doc, { title: 'Through haproxy' });
    const bass = addTrack(a.doc, { role: 'bass' });
    await waitFor(() => b.doc.getMap('tracks').has(bass), 10_000, "b has a's track");
    assert.ok((await connections(home)) >= 2, "the room's node holds both providers");

    // The room's node goes: SIGTERM (it drains with 1012, /readyz 503) and exits. HAProxy's
    // health check takes it out; the providers reconnect by themselves and land on node2.
    const closes: number[] = [];
    for (const c of clients) c.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
    assert.equal(await home.kill('SIGTERM'), 0, home.output());
    await waitFor(() => closes.length >= 2, 10_000, 'both providers saw their node go');
    assert.deepEqual(closes.slice(0, 2), [1012, 1012], "the drain's close code came through HAProxy");
    const started = performance.now();
    await waitFor(
      () => a.provider.wsconnected && b.provider.wsconnected && a.provider.synced && b.provider.synced,
      30_000,
      'both providers reconnected through haproxy',
    );
    const moved = (performance.now() - started) / 1000;
    await until(async () => (await connections(other)) >= before + 2, "the other node now holds the room's providers");
    const drums = addTrack(b.doc, { role: 'drums' });
    await waitFor(() => a.doc.getMap('tracks').has(drums), 10_000, 'an edit after the failover reached a');
    assert.ok(a.doc.getMap('tracks').has(bass), 'the pages kept the song (they uploaded it to node2)');
    // The health check (/readyz every 2 s, down after 2 failures) takes node1 out, after which
    // node1's other rooms go straight to node2 (before it, the retry + redispatch did).
    await waitFor(() => /Server riffroom_nodes\/node1 is DOWN/.test(proxy!.logs()), 15_000, `haproxy marked node1 down:\n${proxy.logs()}`);
    const another = rooms.find((r) => nodeOf.get(r) === 'node1' && r !== room)!;
    const opened = await openWebSocket(`${proxy.wsUrl}/${another}`, {
      ca,
      protocols: tokenProtocols(testToken(another, 'editor')),
      localAddress: '127.0.0.4',
    });
    assert.equal(opened.status, 101, opened.reason);
    opened.socket.close();
    await waitFor(() => servedBy(proxy!.logs(), `/${another}`).length >= 2, 10_000, `haproxy logged /${another} again`);
    assert.equal(servedBy(proxy.logs(), `/${another}`).at(-1), 'node2', `${another} moved to node2`);
    console.log(`# failover: providers back on node2 ${moved.toFixed(1)} s after node1 exited`);
  } finally {
    for (const c of clients) disconnect(c);
    for (const s of sockets) s.terminate();
    await proxy?.stop();
    for (const node of Object.values(nodes)) await node.kill('SIGTERM');
  }
});
