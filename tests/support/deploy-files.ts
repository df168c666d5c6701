/**
 * The files under deploy/ made runnable on a test machine: the same text, with only what must
 * differ here substituted (paths, ports, certificate files), each substitution checked to have
 * happened, so a change to a deploy file that a test depends on fails loudly instead of testing
 * something else.
 */
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
export const DEPLOY = join(ROOT, 'deploy');
export const UNIT = join(DEPLOY, 'riffroom.service');
export const ENV_EXAMPLE = join(DEPLOY, 'riffroom.env.example');
export const CADDYFILE = join(DEPLOY, 'Caddyfile');
export const NGINX_CONF = join(DEPLOY, 'nginx', 'riffroom.conf');

/** Where the unit and the README install the app, and the name the examples use. */
export const INSTALL_DIR = '/opt/riffroom';
export const PUBLIC_NAME = 'jam.example.org';
export const UPSTREAM = '127.0.0.1:4455';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; never throws for a non-zero exit (the caller asserts on it). */
export function runTool(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code === 'ENOENT')
          return reject(new Error(`${file} is not installed: bash scripts/setup-deploy-tools.sh installs it (as root, from apt)`));
        if (typeof code === 'string') return reject(err!); // not executable, killed by the timeout
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Replaces every `from` by `to`, throwing when one of them is not in the text at all. */
export function substitute(text: string, pairs: readonly (readonly [string, string])[], what: string): string {
  for (const [from, to] of pairs) {
    if (!text.includes(from)) throw new Error(`${what} no longer contains ${JSON.stringify(from)}: update the test's substitutions`);
    text = text.split(from).join(to);
  }
  return text;
}

/**
 * Ports nobody listens on right now, all different (each is held until all are found), for
 * programs that need a number up front: nginx, caddy, a server restarted on the same port.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Whether this machine can listen on IPv6 (containers often cannot). */
export function canListenOnIpv6(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}

/** A self-signed certificate for `name` (P-256, two days), made by the real openssl. */
export async function makeCertificate(dir: string, name = PUBLIC_NAME): Promise<{ cert: string; key: string; pem: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = await runTool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${name}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  if (made.code !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

// ---- systemd ----

/** `KEY=value` lines of an EnvironmentFile (comments and blank lines skipped, as systemd does). */
export function readEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a KEY=value line: ${line}`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Every `Key=value` of one section of a unit file, in order (a key may repeat). */
export function unitEntries(text: string, section: string): [string, string][] {
  const entries: [string, string][] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    if (current !== section) continue;
    const eq = line.indexOf('=');
    entries.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return entries;
}

export function unitValue(text: string, section: string, key: string): string {
  const values = unitEntries(text, section).filter(([k]) => k === key);
  if (values.length !== 1) throw new Error(`${key}= appears ${values.length} times in [${section}]`);
  return values[0]![1];
}

/**
 * The argv systemd runs for ExecStart: words split on spaces (the line uses no quotes), `${X}`
 * one word with X's value, `$X` X's value split on spaces (nothing when empty), %S the state root.
 */
export function execStartArgv(unitText: string, env: Record<string, string>, stateRoot: string): string[] {
  const line = unitValue(unitText, 'Service', 'ExecStart');
  if (/["'\\]/.test(line)) throw new Error('ExecStart uses quoting or escapes, which this expansion does not handle');
  const argv: string[] = [];
  for (const word of line.split(/\s+/).filter(Boolean)) {
    const split = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (split) {
      argv.push(...(env[split[1]!] ?? '').split(/\s+/).filter(Boolean));
      continue;
    }
    argv.push(
      word
        .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
          if (!(name in env)) throw new Error(`ExecStart uses \${${name}}, which the environment file does not set`);
          return env[name]!;
        })
        .replace(/%S/g, stateRoot),
    );
  }
  return argv;
}

/**
 * A copy of the unit that systemd-analyze can check on this machine: the install dir is this
 * checkout, /usr/bin/node the node running the tests when this machine has none there.
 */
export function localUnitText(): string {
  const pairs: [string, string][] = [[INSTALL_DIR, ROOT]];
  if (!existsSync('/usr/bin/node')) pairs.push(['/usr/bin/node', process.execPath]);
  return substitute(readFileSync(UNIT, 'utf8'), pairs, 'deploy/riffroom.service');
}

/** Expands syscall groups (@name) with the real systemd-analyze into plain system call names. */
export async function expandSyscallGroups(items: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = async (item: string): Promise<void> => {
    if (!item.startsWith('@')) return void names.add(item);
    if (seen.has(item)) return;
    seen.add(item);
    const listed = await runTool('systemd-analyze', ['syscall-filter', item]);
    if (listed.code !== 0) throw new Error(`systemd-analyze syscall-filter ${item}: ${listed.stderr}`);
    for (const line of listed.stdout.split('\n').slice(1)) {
      const name = line.replace(/#.*/, '').trim();
      if (name) await visit(name);
    }
  };
  for (const item of items) await visit(item);
  return names;
}

// ---- nginx ----

export interface NginxFiles {
  /** The main configuration to pass with -c (it includes the substituted deploy file). */
  conf: string;
  prefix: string;
  accessLog: string;
  errorLog: string;
}

/**
 * deploy/nginx/riffroom.conf inside a minimal main configuration with every path in `dir`: the
 * certificate files, log files and ports substituted; nothing else changed.
 */
export function writeNginxFiles(
  dir: string,
  options: { httpPort: number; httpsPort: number; upstreamPort: number; cert: string; key: string; ipv6: boolean },
): NginxFiles {
  const accessLog = join(dir, 'access.log');
  const errorLog = join(dir, 'error.log');
  const pairs: [string, string][] = [
    [`/etc/letsencrypt/live/${PUBLIC_NAME}/fullchain.pem`, options.cert],
    [`/etc/letsencrypt/live/${PUBLIC_NAME}/privkey.pem`, options.key],
    ['/var/log/nginx/riffroom.access.log', accessLog],
    ['/var/www/html', join(dir, 'www')],
    ['listen 80;', `listen 127.0.0.1:${options.httpPort};`],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${options.httpsPort} ssl http2;`],
    [`server ${UPSTREAM};`, `server 127.0.0.1:${options.upstreamPort};`],
  ];
  // Without IPv6 here the [::] listeners could not bind; with it they get ports of their own.
  pairs.push(
    ['listen [::]:80;', options.ipv6 ? `listen [::1]:${options.httpPort};` : ''],
    ['listen [::]:443 ssl http2;', options.ipv6 ? `listen [::1]:${options.httpsPort} ssl http2;` : ''],
  );
  const site = substitute(readFileSync(NGINX_CONF, 'utf8'), pairs, 'deploy/nginx/riffroom.conf');
  writeFileSync(join(dir, 'riffroom.conf'), site);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${join(dir, `tmp-${kind}`)};`)
    .join('\n  ');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      // As root, nginx's workers would switch to nobody, who cannot enter this private temp dir.
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} info;`,
      'events { worker_connections 512; }',
      'http {',
      `  access_log ${accessLog};`,
      `  ${temp}`,
      `  include ${join(dir, 'riffroom.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  return { conf, prefix: dir, accessLog, errorLog };
}

/** nginx's own arguments for these files: -e so that even the first log line goes to `dir`. */
export function nginxArgs(files: NginxFiles, ...more: string[]): string[] {
  return ['-e', files.errorLog, '-p', files.prefix, '-c', files.conf, ...more];
}

// ---- caddy ----

/**
 * deploy/Caddyfile for a machine without internet: the site gets this port and the test's
 * certificate files (`tls <cert> <key>`: Caddy then asks no CA for one), and the global options
 * (kept as they are) gain: no admin endpoint, an HTTP port of its own, no OCSP lookups.
 */
export function writeCaddyfile(
  dir: string,
  options: { httpPort: number; httpsPort: number; upstreamPort: number; cert: string; key: string },
): string {
  const text = substitute(
    readFileSync(CADDYFILE, 'utf8'),
    [
      [
        '\n{\n',
        `\n{\n\tadmin off\n\thttp_port ${options.httpPort}\n\thttps_port ${options.httpsPort}\n\tocsp_stapling off\n\tstorage file_system ${join(dir, 'storage')}\n`,
      ],
      [`\n${PUBLIC_NAME} {\n`, `\n${PUBLIC_NAME}:${options.httpsPort} {\n\ttls ${options.cert} ${options.key}\n`],
      [`reverse_proxy ${UPSTREAM}`, `reverse_proxy 127.0.0.1:${options.upstreamPort}`],
    ],
    'deploy/Caddyfile',
  );
  const path = join(dir, 'Caddyfile');
  writeFileSync(path, text);
  return path;
}

/** Caddy's environment for a test: its home, config and data in `dir`, nothing of the machine's. */
export function caddyEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
}
