/**
 * Real HAProxy running deploy/haproxy/riffroom.cfg in the foreground (-db), unprivileged-style:
 * the same text with only what must differ on a test machine substituted (each substitution
 * checked to have happened, deploy-files.ts substitute): no chroot, user, stats socket or daemon,
 * logs to its stderr, 127.0.0.1 ports, the test certificate, and the nodes' addresses.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY, freePorts, PUBLIC_NAME, substitute } from './deploy-files.ts';
import { request } from './pinned-clients.ts';

export const HAPROXY_CFG = join(DEPLOY, 'haproxy', 'riffroom.cfg');
const CERT_PATH = `/etc/haproxy/certs/${PUBLIC_NAME}.pem`;

export interface HaproxyProcess {
  /** https://jam.example.org:<port> (reach it with pinned-clients.ts). */
  readonly url: string;
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** HAProxy's output so far: its log lines (one per request, at its end). */
  logs(): string;
  stop(): Promise<void>;
}

/** The configuration for this machine; `pem` is one file with the certificate and its key. */
export function writeHaproxyConfig(
  dir: string,
  options: { httpPort: number; httpsPort: number; pem: string; nodePorts: [number, number] },
): string {
  const text = substitute(
    readFileSync(HAPROXY_CFG, 'utf8'),
    [
      ['    log /dev/log local0\n', '    log stderr format raw local0\n'],
      ['    chroot /var/lib/haproxy\n', ''],
      ['    stats socket /run/haproxy/admin.sock mode 660 level admin\n', ''],
      ['    user haproxy\n    group haproxy\n    daemon\n', ''],
      ['    bind :80\n', `    bind 127.0.0.1:${options.httpPort}\n`],
      ['    bind :::80 v6only\n', ''],
      [`    bind :443 ssl crt ${CERT_PATH}`, `    bind 127.0.0.1:${options.httpsPort} ssl crt ${options.pem}`],
      [`    bind :::443 v6only ssl crt ${CERT_PATH} alpn http/1.1\n`, ''],
      ['server node1 10.0.0.11:4455', `server node1 127.0.0.1:${options.nodePorts[0]}`],
      ['server node2 10.0.0.12:4455', `server node2 127.0.0.1:${options.nodePorts[1]}`],
    ],
    'deploy/haproxy/riffroom.cfg',
  );
  const path = join(dir, 'haproxy.cfg');
  writeFileSync(path, text);
  return path;
}

/** Starts HAProxy and waits until /healthz answers through it. */
export async function startHaproxy(
  dir: string,
  options: { cert: string; key: string; ca: string; nodePorts: [number, number] },
): Promise<HaproxyProcess> {
  const [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  const pem = join(dir, 'haproxy.pem');
  writeFileSync(pem, readFileSync(options.cert, 'utf8') + readFileSync(options.key, 'utf8'), { mode: 0o600 });
  const cfg = writeHaproxyConfig(dir, { httpPort, httpsPort, pem, nodePorts: options.nodePorts });
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let failed: Error | null = null;
  child.once('error', (err: NodeJS.ErrnoException) => {
    failed =
      err.code === 'ENOENT'
        ? new Error('haproxy is not installed: bash scripts/setup-deploy-tools.sh installs it (as root, from apt)')
        : err;
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `https://${PUBLIC_NAME}:${httpsPort}`;
  const proxy: HaproxyProcess = {
    url,
    wsUrl: `wss://${PUBLIC_NAME}:${httpsPort}`,
    httpUrl: `http://${PUBLIC_NAME}:${httpPort}`,
    logs: () => output,
    async stop() {
      if (failed) return;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (failed) throw failed;
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await request(`${url}/healthz`, { ca: options.ca, timeoutMs: 2000 })).status === 200) return proxy;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proxy.stop();
      throw new Error(`haproxy did not answer /healthz in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
