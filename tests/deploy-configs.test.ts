/**
 * deploy/: every file checked by the real tool that reads it (Debian 12's systemd, nginx, caddy;
 * scripts/setup-deploy-tools.sh installs the last two), and the unit's command line started for
 * real with the environment file's values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CADDYFILE,
  ENV_EXAMPLE,
  INSTALL_DIR,
  NGINX_CONF,
  PUBLIC_NAME,
  UNIT,
  caddyEnv,
  canListenOnIpv6,
  freePort,
  freePorts,
  localUnitText,
  makeCertificate,
  nginxArgs,
  readEnvFile,
  runTool,
  unitEntries,
  unitValue,
  writeNginxFiles,
} from './support/deploy-files.ts';
import { request } from './support/pinned-clients.ts';
import { makeTestCerts } from './support/test-certs.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { connect as tlsConnect } from 'node:tls';
import { copyFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { startUnitServer } from './support/unit-server.ts';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `riffroom-deploy-${prefix}-`));

/** The unit copy systemd-analyze reads: same text, the install dir pointed at this checkout. */
function writeLocalUnit(text = localUnitText()): string {
  const dir = temp('unit');
  const path = join(dir, 'riffroom.service');
  writeFileSync(path, text);
  return path;
}

test('systemd-analyze verify: the unit has no errors and no warnings', async () => {
  const result = await runTool('systemd-analyze', ['verify', writeLocalUnit()]);
  assert.equal(result.code, 0, result.stderr);
  // verify exits 0 even for an unknown key or a value it cannot parse: it only prints a line.
  assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'verify printed nothing');
});

test('systemd-analyze verify does complain about a misspelled option (the check above means something)', async () => {
  const broken = localUnitText()
    .replace('ProtectSystem=strict', 'ProtectSystm=strict')
    .replace('NoNewPrivileges=yes', 'NoNewPrivileges=maybe');
  const result = await runTool('systemd-analyze', ['verify', writeLocalUnit(broken)]);
  assert.match(result.stderr, /Unknown key 'ProtectSystm'/);
  assert.match(result.stderr, /Failed to parse boolean value/);
});

test('the unit: dedicated user, env file, restart, SIGTERM drain time, sandbox, and no MemoryDenyWriteExecute', () => {
  const text = readFileSync(UNIT, 'utf8');
  const value = (key: string) => unitValue(text, 'Service', key);
  assert.equal(value('User'), 'riffroom');
  assert.equal(value('StateDirectory'), 'riffroom');
  assert.equal(value('EnvironmentFile'), '/etc/riffroom/riffroom.env');
  assert.equal(value('Restart'), 'on-failure');
  assert.equal(value('KillSignal'), 'SIGTERM');
  const stopSeconds = Number(/^(\d+)s$/.exec(value('TimeoutStopSec'))?.[1]);
  assert.ok(stopSeconds >= 10, `TimeoutStopSec covers a drain (${value('TimeoutStopSec')})`);
  for (const [key, want] of Object.entries({
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6',
    CapabilityBoundingSet: '',
  })) {
    assert.equal(value(key), want, key);
  }
  assert.match(value('SystemCallFilter'), /^@system-service\b/);
  // V8's JIT writes and then runs machine code: Node aborts under MemoryDenyWriteExecute=yes.
  assert.ok(!unitEntries(text, 'Service').some(([key]) => key === 'MemoryDenyWriteExecute'), 'MemoryDenyWriteExecute is not set');
  assert.equal(value('ExecReload'), '/bin/kill -HUP $MAINPID', 'systemctl reload sends SIGHUP (the TLS certificate is read again)');
  assert.match(value('ExecStart'), new RegExp(`^/usr/bin/node ${INSTALL_DIR}/sync-server/bin/riffroom-server\\.js `));
});

test('systemd-analyze security --offline: the sandbox rates "OK" (exposure 2.0 or less of 10)', async () => {
  const result = await runTool('systemd-analyze', ['security', '--offline=yes', '--no-pager', writeLocalUnit()]);
  const level = /Overall exposure level for riffroom\.service: ([\d.]+)/.exec(result.stdout);
  assert.ok(level, `${result.stdout}\n${result.stderr}`);
  assert.ok(Number(level[1]) <= 2.0, `exposure ${level[1]}:\n${result.stdout}`);
});

test('the environment file sets every variable ExecStart uses, and the unit command line starts the real server', async () => {
  const env = readEnvFile(readFileSync(ENV_EXAMPLE, 'utf8'));
  const execStart = unitValue(readFileSync(UNIT, 'utf8'), 'Service', 'ExecStart');
  for (const [, name] of execStart.matchAll(/\$\{?([A-Z_]+)\}?/g)) assert.ok(name! in env, `${name} is in riffroom.env.example`);
  assert.equal(env.RIFFROOM_PUBLIC_HOST, PUBLIC_NAME);
  assert.equal(env.RIFFROOM_LISTEN_HOST, '127.0.0.1');

  const port = await freePort();
  const server = await startUnitServer({ stateRoot: temp('state'), port });
  try {
    const trusted = server.argv.indexOf('--trusted-proxy');
    assert.equal(
      server.argv[trusted + 1],
      '127.0.0.1',
      `the env file's RIFFROOM_ARGS (--trusted-proxy 127.0.0.1) reached the server: ${server.argv.join(' ')}`,
    );
    // fetch() would send its own Host: a plain request sends the one given.
    const get = (host: string) => request(`http://127.0.0.1:${port}/healthz`, { headers: { host } });
    assert.equal((await get(PUBLIC_NAME)).status, 200, 'the public name is allowed (--allowed-host)');
    assert.equal((await get('other.example.org')).status, 421, 'another name is refused');
    assert.equal(readFileSync(join(server.dataDir, 'secret'), 'utf8').trim(), server.secret, 'the secret was made in the state dir');
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0, `SIGTERM (KillSignal) exits 0:\n${server.output()}`);
  }
});

test('nginx -t accepts deploy/nginx/riffroom.conf (certificate, log paths and ports substituted)', async () => {
  const dir = temp('nginx');
  const { cert, key } = await makeCertificate(dir);
  mkdirSync(join(dir, 'www'));
  const [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  const files = writeNginxFiles(dir, { httpPort, httpsPort, upstreamPort: 4455, cert, key, ipv6: await canListenOnIpv6() });
  const result = await runTool('nginx', nginxArgs(files, '-t'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /syntax is ok/);
  assert.match(result.stderr, /test is successful/);
  assert.doesNotMatch(result.stderr, /\[(warn|emerg|alert)\]/);
});

test('caddy validate accepts deploy/Caddyfile as it is, and it is formatted as caddy fmt writes it', async () => {
  const dir = temp('caddy');
  const result = await runTool('caddy', ['validate', '--config', CADDYFILE, '--adapter', 'caddyfile'], { env: caddyEnv(dir) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout + result.stderr, /Valid configuration/);
  // Caddy warns (and names the line) when the file is not in `caddy fmt` form.
  assert.doesNotMatch(result.stderr, /"level":"(warn|error)"/);
});

/** The certificate a TLS server at 127.0.0.1:port presents (its SHA-256 fingerprint), trusting `ca`. */
function presentedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

test('without a proxy: the unit with --tls-cert/--tls-key in RIFFROOM_ARGS serves https, and ExecReload (systemctl reload) takes a renewed certificate', async () => {
  const certs = makeTestCerts();
  const dir = temp('tls');
  // Where the README's deploy hook copies certbot's files.
  const cert = join(dir, 'fullchain.pem');
  const key = join(dir, 'privkey.pem');
  copyFileSync(certs.certFile, cert);
  copyFileSync(certs.keyFile, key);
  const port = await freePort();
  const server = await startUnitServer({
    stateRoot: join(dir, 'state'),
    port,
    env: { RIFFROOM_ARGS: `--tls-cert ${cert} --tls-key ${key}` },
  });
  try {
    assert.match(server.output(), /listening on https:\/\//, server.output());
    const reply = await request(`https://localhost:${port}/readyz`, { ca: certs.ca, headers: { host: PUBLIC_NAME } });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(JSON.parse(reply.body).ready, true);
    const before = await presentedFingerprint(port, certs.ca);
    // certbot renewed: the deploy hook copies the new files and runs `systemctl reload riffroom`.
    copyFileSync(certs.selfSignedCertFile, cert);
    copyFileSync(certs.selfSignedKeyFile, key);
    await server.reload();
    const renewed = new X509Certificate(readFileSync(cert)).fingerprint256;
    const deadline = Date.now() + 15_000;
    while ((await presentedFingerprint(port, certs.ca)) !== renewed) {
      assert.ok(Date.now() < deadline, `the server still presents the old certificate after ExecReload:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.notEqual(before, renewed);
    assert.match(server.output(), /SIGHUP: certificate reloaded/);
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0, server.output());
    certs.remove();
  }
});

test("nginx's client_max_body_size is the server's import cap (LIMITS.http.maxImportBytes)", () => {
  const size = /client_max_body_size (\d+)m;/.exec(readFileSync(NGINX_CONF, 'utf8'));
  assert.ok(size, 'client_max_body_size is set in megabytes');
  assert.equal(Number(size[1]) * 1024 * 1024, LIMITS.http.maxImportBytes);
});
