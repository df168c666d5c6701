/**
 * Real nginx and Caddy running deploy/'s configuration in the foreground, on free ports of
 * 127.0.0.1, with a self-signed certificate for jam.example.org (deploy-files.ts says what is
 * substituted). Caddy gets no internet and needs none: its certificate is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { caddyEnv, canListenOnIpv6, freePorts, nginxArgs, PUBLIC_NAME, writeCaddyfile, writeNginxFiles } from './deploy-files.ts';
import { request } from './pinned-clients.ts';

export interface ProxyProcess {
  readonly name: 'nginx' | 'caddy';
  /** https://jam.example.org:<port> (reach it with pinned-clients.ts). */
  readonly url: string;
  readonly wsUrl: string;
  /** http://jam.example.org:<port>: the plain-HTTP side, which redirects to https. */
  readonly httpUrl: string;
  /** Everything the proxy logged so far: its output and its log files. */
  logs(): string;
  /** nginx's access log file alone (Caddy writes every log to its output: logs()). */
  accessLog(): string;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  dir: string;
  upstreamPort: number;
  cert: string;
  key: string;
  /** The certificate's PEM, to trust when waiting for the proxy. */
  ca: string;
}

export async function startNginx(options: ProxyOptions): Promise<ProxyProcess> {
  const [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  mkdirSync(join(options.dir, 'www'), { recursive: true });
  const files = writeNginxFiles(options.dir, {
    httpPort,
    httpsPort,
    upstreamPort: options.upstreamPort,
    cert: options.cert,
    key: options.key,
    ipv6: await canListenOnIpv6(),
  });
  const child = spawn('nginx', nginxArgs(files, '-g', 'daemon off;'), { stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  // SIGTERM: nginx's fast shutdown (SIGQUIT would wait for every websocket to end).
  return running(
    'nginx',
    child,
    httpPort,
    httpsPort,
    options.ca,
    { all: () => `${read(files.accessLog)}\n${read(files.errorLog)}`, access: () => read(files.accessLog) },
    'SIGTERM',
  );
}

export async function startCaddy(options: ProxyOptions): Promise<ProxyProcess> {
  const [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  const caddyfile = writeCaddyfile(options.dir, {
    httpPort,
    httpsPort,
    upstreamPort: options.upstreamPort,
    cert: options.cert,
    key: options.key,
  });
  const child = spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    env: caddyEnv(options.dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return running('caddy', child, httpPort, httpsPort, options.ca, { all: () => '', access: () => '' }, 'SIGTERM');
}

async function running(
  name: 'nginx' | 'caddy',
  child: ChildProcess,
  httpPort: number,
  port: number,
  ca: string,
  logFiles: { all: () => string; access: () => string },
  stopSignal: NodeJS.Signals,
): Promise<ProxyProcess> {
  let output = '';
  let failed: Error | null = null;
  child.once('error', (err: NodeJS.ErrnoException) => {
    failed =
      err.code === 'ENOENT'
        ? new Error(`${name} is not installed: bash scripts/setup-deploy-tools.sh installs it (as root, from apt)`)
        : err;
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `https://${PUBLIC_NAME}:${port}`;
  const proxy: ProxyProcess = {
    name,
    url,
    wsUrl: `wss://${PUBLIC_NAME}:${port}`,
    httpUrl: `http://${PUBLIC_NAME}:${httpPort}`,
    logs: () => `${output}\n${logFiles.all()}`,
    accessLog: logFiles.access,
    async stop() {
      if (failed) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(stopSignal);
      await exited;
    },
  };
  // Ready when a request through it reaches the server (which the caller started first).
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (failed) throw failed;
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${proxy.logs()}`);
    try {
      const reply = await request(`${url}/healthz`, { ca, timeoutMs: 2000 });
      if (reply.status === 200) return proxy;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proxy.stop();
      throw new Error(`${name} did not answer /healthz through the proxy in time:\n${proxy.logs()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
