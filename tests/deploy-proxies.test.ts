/**
 * deploy/'s proxies in front of the real server, as a band would run them: real nginx and real
 * Caddy (Debian 12's) with deploy/nginx/riffroom.conf and deploy/Caddyfile over TLS (a
 * self-signed certificate for jam.example.org made here), the server started from the systemd
 * unit's ExecStart line with the environment file's values. Through each proxy:
 * - the page with its cross-origin isolation headers, each exactly once; /healthz; plain HTTP
 *   redirected to https;
 * - /metrics closed (the proxy says X-Forwarded-For, so the server does not take it for this
 *   machine), open directly on loopback;
 * - two stock y-websocket providers (one with the token as a subprotocol, as the web client
 *   sends it; one with ?token=) editing one song, and the room's jam channel (/<room>/jam);
 * - a server restart (SIGTERM, exit 0, started again): the providers reconnect through the
 *   proxy by themselves and an edit made while it was down arrives;
 * - no token in the proxy's logs: not the subprotocol, not ?token=, not an Authorization header,
 *   also when the server is down and the proxy logs an error.
 * Behind nginx the server runs under strace: every system call it made and every socket family
 * it opened must be allowed by the unit's SystemCallFilter= and RestrictAddressFamilies=.
 * nginx's per-address upgrade limit (a first line of defence in front of the server's own) is
 * measured. Through each proxy, the server (--trusted-proxy 127.0.0.1 from the env file) counts
 * its per-address connection cap per visitor: two visitors (127.0.0.2, 127.0.0.3) separately, and
 * a visitor's forged X-Forwarded-For does not get it out of its cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addTrack, initSong } from '../core/song/edits.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { tokenProtocols, type Role } from '../sync-server/contract.ts';
import { ISOLATION_HEADERS } from '../sync-server/static.ts';
import {
  expandSyscallGroups,
  freePort,
  localUnitText,
  makeCertificate,
  PUBLIC_NAME,
  unitEntries,
  unitValue,
} from './support/deploy-files.ts';
import { headerValues, openWebSocket, pinnedWebSocket, request } from './support/pinned-clients.ts';
import { startCaddy, startNginx, type ProxyOptions, type ProxyProcess } from './support/proxy-process.ts';
import { startUnitServer, unitEnvironment, type UnitServer } from './support/unit-server.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `riffroom-deploy-${prefix}-`));

/** strace output files of the server that ran behind nginx, read by the system call test. */
const traces: string[] = [];

/** The close code of a server going down on purpose (SIGTERM drains with 1012 'server restarting'). */
const GOING_DOWN = new Set([1012]);

for (const kind of ['nginx', 'caddy'] as const) {
  test(`${kind} (deploy/) in front of the server: page, headers, websockets, jam, restart, logs without tokens`, async () => {
    const dir = temp(kind);
    const { cert, key, pem: ca } = await makeCertificate(dir);
    const webDir = join(dir, 'web');
    mkdirSync(webDir);
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Riffroom</title>');
    const stateRoot = join(dir, 'state');
    const port = await freePort();
    const env = { RIFFROOM_ARGS: `${unitEnvironment().RIFFROOM_ARGS} --web ${webDir}` };
    const trace = (n: number) => {
      const file = join(dir, `strace-${n}.txt`);
      traces.push(file);
      return ['strace', '-f', '-qq', '-o', file];
    };
    let server: UnitServer = await startUnitServer({ stateRoot, port, env, wrapper: kind === 'nginx' ? trace(1) : undefined });
    const options: ProxyOptions = { dir, upstreamPort: port, cert, key, ca };
    let proxy: ProxyProcess | null = null;
    const clients: Client[] = [];
    const room = `deploy-${kind}`;
    /** Tokens sent in a header or subprotocol, and tokens sent in the URL (?token=). */
    const tokens: string[] = [];
    const queryTokens: string[] = [];
    const token = (role: Role, name: string, inQuery = false) => {
      const made = signToken(server.secret, { room, role, name, exp: Math.floor(Date.now() / 1000) + 3600 });
      (inQuery ? queryTokens : tokens).push(made);
      return made;
    };
    try {
      proxy = kind === 'nginx' ? await startNginx(options) : await startCaddy(options);

      // The page: the server's isolation headers, each once (not stripped, not doubled).
      const page = await request(`${proxy.url}/`, { ca });
      assert.equal(page.status, 200, page.body);
      assert.match(page.body, /<title>Riffroom<\/title>/);
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) assert.deepEqual(headerValues(page, name), [value], name);
      const health = await request(`${proxy.url}/healthz`, { ca });
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).ok, true);
      const plain = await request(`${proxy.httpUrl}/some/page`);
      assert.ok([301, 302, 307, 308].includes(plain.status), `plain HTTP is redirected (${plain.status})`);
      assert.match(String(plain.headers.location), new RegExp(`^https://${PUBLIC_NAME.replace(/\./g, '\\.')}(:\\d+)?/some/page$`));

      // /metrics: not through the proxy (no metrics token set), yes from this machine directly.
      const viaProxy = await request(`${proxy.url}/metrics`, { ca });
      assert.equal(viaProxy.status, 403, `metrics through the proxy: ${viaProxy.body}`);
      assert.equal((await request(`http://127.0.0.1:${port}/metrics`)).status, 200);
      if (kind === 'nginx') {
        // nginx passes the browser's Host: a name the server does not have is refused by the server.
        const other = await request(`${proxy.url}/healthz`, { ca, headers: { host: 'other.example.org' } });
        assert.equal(other.status, 421, other.body);
        assert.match(other.body, /other\.example\.org/);
      }

      // Two stock providers through the proxy, the token carried two ways.
      const PinnedWebSocket = pinnedWebSocket(ca);
      const a = await connectClient(proxy.wsUrl, room, '', {
        protocols: tokenProtocols(token('editor', 'ann')),
        WebSocket: PinnedWebSocket,
      });
      clients.push(a);
      const b = await connectClient(proxy.wsUrl, room, token('editor', 'ben', true), { WebSocket: PinnedWebSocket });
      clients.push(b);
      initSong(a.doc, { title: `Through ${kind}` });
      const bass = addTrack(a.doc, { role: 'bass' });
      await waitFor(() => b.doc.getMap('tracks').has(bass), 10_000, "b has a's track");
      const drums = addTrack(b.doc, { role: 'drums' });
      await waitFor(() => a.doc.getMap('tracks').has(drums), 10_000, "a has b's track");

      // The jam channel is a websocket on /<room>/jam.
      const jam = new PinnedWebSocket(`${proxy.wsUrl}/${room}/jam`, tokenProtocols(token('editor', 'cat')));
      const jamMessages: { type: string }[] = [];
      jam.on('message', (data) => jamMessages.push(JSON.parse(String(data))));
      await waitFor(() => jamMessages.some((m) => m.type === 'welcome'), 10_000, 'the jam channel welcomed its member');
      jam.send(JSON.stringify({ v: 1, type: 'ping', id: 1, t0: 0 }));
      await waitFor(() => jamMessages.some((m) => m.type === 'pong'), 10_000, 'the jam channel answered a ping');
      jam.close();

      // The history API with an Authorization header.
      const history = await request(`${proxy.url}/api/rooms/${room}/history`, {
        ca,
        headers: { authorization: `Bearer ${token('viewer', 'dee')}` },
      });
      assert.equal(history.status, 200, history.body);

      // Restart: SIGTERM exits 0; the providers reconnect through the proxy and catch up.
      const closes: number[] = [];
      for (const c of clients) c.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
      assert.equal(await server.stop('SIGTERM'), 0, `SIGTERM exits 0:\n${server.output()}`);
      await waitFor(() => closes.length >= 2, 10_000, 'both providers saw the server go');
      assert.ok(
        closes.slice(0, 2).every((code) => GOING_DOWN.has(code)),
        `close codes ${closes.join(', ')}`,
      );
      const keys = addTrack(a.doc, { role: 'keys' }); // made while the server is down
      server = await startUnitServer({ stateRoot, port, env, wrapper: kind === 'nginx' ? trace(2) : undefined });
      await waitFor(() => b.doc.getMap('tracks').has(keys), 30_000, 'the edit made during the restart reached b');
      assert.ok(a.provider.wsconnected && b.provider.wsconnected, 'both reconnected');
    } finally {
      for (const c of clients) disconnect(c);
      assert.equal(await server.stop('SIGTERM'), 0, server.output());
    }

    try {
      // The server is down: the proxy answers 502 and logs an error about this request.
      const failedJam = await request(`${proxy.url}/${room}`, {
        ca,
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-protocol': tokenProtocols(token('editor', 'eve')).join(', '),
          authorization: `Bearer ${token('owner', 'fay')}`,
        },
      });
      assert.equal(failedJam.status, 502);
      if (kind === 'caddy') {
        // Caddy's error log replaces ?token= (nginx's would show the request line: README).
        assert.equal((await request(`${proxy.url}/${room}?token=${token('editor', 'gus', true)}`, { ca })).status, 502);
      }
    } finally {
      await proxy?.stop();
    }
    const logs = proxy.logs();
    assert.match(logs, /\/healthz/, 'the proxy logged requests (so the next checks mean something)');
    assert.match(logs, new RegExp(`/${room}\\b`));
    const inLogs = (t: string) => logs.includes(t.split('.').at(-1)!); // the signature: what makes a token
    for (const t of tokens) assert.ok(!inLogs(t), `a token sent in a header (${t.slice(0, 12)}…) is in ${kind}'s logs:\n${logs}`);
    if (kind === 'caddy') {
      for (const t of queryTokens) assert.ok(!inLogs(t), `a ?token= is in caddy's logs:\n${logs}`);
    } else {
      // nginx's access log (deploy's format) has no query string; its error log writes the whole
      // request line when the server cannot be reached, and no setting changes that (README).
      const access = proxy.accessLog();
      assert.match(access, new RegExp(`GET /${room} `), 'the access log has the websocket requests');
      for (const t of queryTokens) assert.ok(!access.includes(t.split('.').at(-1)!), `a ?token= is in nginx's access log:\n${access}`);
    }
  });
}

test('behind nginx, every system call the server made is allowed by the unit (strace against SystemCallFilter=)', async () => {
  assert.ok(traces.length === 2, 'the nginx test ran the server twice under strace');
  const unit = localUnitText();
  const filters = unitEntries(unit, 'Service')
    .filter(([key]) => key === 'SystemCallFilter')
    .flatMap(([, value]) => value.split(/\s+/));
  assert.ok(filters.length && !filters.some((f) => f.startsWith('~')), 'the unit lists allowed calls (an allow list)');
  const allowed = await expandSyscallGroups(filters);
  const families = new Set(unitValue(unit, 'Service', 'RestrictAddressFamilies').split(/\s+/));
  const made = new Map<string, number>();
  const opened = new Set<string>();
  for (const file of traces) {
    const text = readFileSync(file, 'utf8');
    rmSync(file); // megabytes each
    for (const line of text.split('\n')) {
      // "1234 name(args…) = result", or "1234 <... name resumed>…" for a call interrupted in the log.
      const call = /^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>)/.exec(line);
      if (call) made.set(call[1]!, (made.get(call[1]!) ?? 0) + 1);
      const socket = /^\d+\s+socket\((AF_[A-Z0-9]+)/.exec(line);
      if (socket) opened.add(socket[1]!);
    }
  }
  assert.ok(
    made.size > 30 && (made.has('epoll_pwait') || made.has('epoll_wait')),
    `the trace holds the server's calls: ${[...made.keys()].join(' ')}`,
  );
  // execve of the program itself happens before the filter applies (systemd installs it first),
  // so it is allowed either way; it is in @system-service too.
  const outside = [...made.keys()].filter((name) => !allowed.has(name));
  assert.deepEqual(outside, [], `system calls outside SystemCallFilter=${filters.join(' ')} (they would fail with EPERM under systemd)`);
  assert.deepEqual(
    [...opened].filter((family) => !families.has(family)),
    [],
    `socket families outside RestrictAddressFamilies: ${[...opened].join(' ')}`,
  );
});

test('nginx limits websocket upgrades per client address (20/s, burst 60) and leaves plain requests alone', async () => {
  const dir = temp('nginx-limits');
  const { cert, key, pem: ca } = await makeCertificate(dir);
  const server = await startUnitServer({ stateRoot: join(dir, 'state'), port: await freePort() });
  let proxy: ProxyProcess | null = null;
  try {
    proxy = await startNginx({ dir, upstreamPort: server.port, cert, key, ca });
    const url = proxy.url;
    // Plain requests (no Upgrade header) have an empty limit key: nginx does not count them.
    const plain = await Promise.all(Array.from({ length: 100 }, () => request(`${url}/healthz`, { ca })));
    assert.deepEqual([...new Set(plain.map((r) => r.status))], [200]);
    // Upgrades without a token: the server answers 401 to those nginx lets through.
    const upgrade = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    // In rounds of 40 at once (well under limit_conn's 128) until nginx refuses some: however
    // slow this machine, the rounds outrun a refill of 20 a second.
    const started = performance.now();
    const statuses: number[] = [];
    while (!statuses.includes(429) && statuses.length < 1000) {
      const round = await Promise.all(Array.from({ length: 40 }, () => request(`${url}/some-room`, { ca, headers: upgrade })));
      statuses.push(...round.map((r) => r.status));
    }
    const seconds = (performance.now() - started) / 1000;
    const passed = statuses.filter((s) => s === 401).length;
    assert.ok(statuses.includes(429), `nginx refused none of ${statuses.length} upgrades in ${seconds.toFixed(2)} s`);
    assert.equal(
      passed + statuses.filter((s) => s === 429).length,
      statuses.length,
      `only 401 (the server) and 429 (nginx): ${[...new Set(statuses)].join(', ')}`,
    );
    // The burst, plus the rate over the time it took (+1 for the one refilling).
    assert.ok(passed >= 60 && passed <= 60 + Math.ceil(20 * seconds) + 1, `${passed} upgrades passed in ${seconds.toFixed(2)} s`);
  } finally {
    await proxy?.stop();
    assert.equal(await server.stop(), 0, server.output());
  }
});

for (const kind of ['nginx', 'caddy'] as const) {
  test(`${kind}: the server counts its per-address cap per visitor through the proxy, and a forged X-Forwarded-For does not escape it`, async () => {
    const dir = temp(`${kind}-visitors`);
    const { cert, key, pem: ca } = await makeCertificate(dir);
    const env = { RIFFROOM_ARGS: `${unitEnvironment().RIFFROOM_ARGS} --max-connections-per-address 2` };
    assert.match(env.RIFFROOM_ARGS, /--trusted-proxy 127\.0\.0\.1\b/, 'the env file trusts the proxy on this machine');
    const server = await startUnitServer({ stateRoot: join(dir, 'state'), port: await freePort(), env });
    let proxy: ProxyProcess | null = null;
    const sockets: { terminate(): void }[] = [];
    try {
      proxy =
        kind === 'nginx'
          ? await startNginx({ dir, upstreamPort: server.port, cert, key, ca })
          : await startCaddy({ dir, upstreamPort: server.port, cert, key, ca });
      const room = `visitors-${kind}`;
      const protocols = tokenProtocols(
        signToken(server.secret, { room, role: 'editor', name: 'v', exp: Math.floor(Date.now() / 1000) + 3600 }),
      );
      const open = async (localAddress: string, forged?: string) => {
        const opened = await openWebSocket(`${proxy!.wsUrl}/${room}`, {
          ca,
          protocols,
          localAddress,
          headers: forged ? { 'x-forwarded-for': forged } : {},
        });
        sockets.push(opened.socket);
        return opened;
      };
      assert.equal((await open('127.0.0.2')).status, 101);
      assert.equal((await open('127.0.0.2')).status, 101);
      const third = await open('127.0.0.2');
      assert.equal(third.status, 429, third.reason);
      assert.match(third.reason, /too many open connections from 127\.0\.0\.2/, 'the server counted the visitor, not the proxy');
      // Another visitor behind the same proxy is counted on its own.
      assert.equal((await open('127.0.0.3')).status, 101, 'a second visitor gets in');
      // A visitor at its cap cannot claim to be someone else, nor the trusted proxy itself
      // (nginx appends its hop at the right of the forged header; Caddy replaces the header).
      for (const forged of ['198.51.100.7', '127.0.0.1', '198.51.100.7, 127.0.0.1']) {
        const refused = await open('127.0.0.2', forged);
        assert.equal(refused.status, 429, `forged X-Forwarded-For: ${forged}: ${refused.reason}`);
        assert.match(refused.reason, /from 127\.0\.0\.2/);
      }
    } finally {
      for (const socket of sockets) socket.terminate();
      await proxy?.stop();
      assert.equal(await server.stop(), 0, server.output());
    }
  });
}
