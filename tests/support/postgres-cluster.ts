/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temp dir, a free port on
 * 127.0.0.1, the unix socket in the temp dir too (nothing of the machine's own PostgreSQL is
 * touched), trust authentication (it listens on 127.0.0.1 only, and lives for one test file).
 * Ready means pg_isready says so (polled to a deadline, never a fixed sleep). stop() removes
 * everything; a process that exits without calling it still stops the server (an exit hook).
 *
 * PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` OS user (Debian's
 * package makes it), which owns the temp dir. The binaries are found on PATH, else in Debian's
 * /usr/lib/postgresql/<version>/bin (newest first); scripts/setup-postgres.sh installs them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresBinaries {
  /** The folder holding initdb, pg_ctl and pg_isready of one PostgreSQL version. */
  binDir: string;
  initdb: string;
  pgCtl: string;
  pgIsReady: string;
}

export interface ClusterOptions {
  /** fsync each commit, as a production server does (default false: tests need no safety against the machine crashing). */
  durable?: boolean;
}

export interface PostgresCluster {
  readonly port: number;
  /** The temp dir: data/, the socket, the server's log. */
  readonly dir: string;
  /** postgres://… for a database of this cluster (default: postgres). */
  url(database?: string): string;
  /** Creates a database (a fresh one per test keeps tests apart); returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m immediate` (a crash and recovery, as after a power cut of the server process); resolves once ready again. */
  restart(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server at once and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** The binaries, or null with the reason in `why` when this machine has none. */
export function findPostgresBinaries(): PostgresBinaries | { why: string } {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, 'initdb'))
    .find((p) => existsSync(p));
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin/initdb`)
        .find((p) => existsSync(p))
    : undefined;
  const initdb = onPath ?? debian;
  if (!initdb)
    return {
      why: 'PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin; scripts/setup-postgres.sh installs it)',
    };
  // pg_ctl and pg_isready of the same version: beside the real initdb (PATH may hold a link to it).
  const binDir = dirname(realpathSync(initdb));
  const binaries = { binDir, initdb: join(binDir, 'initdb'), pgCtl: join(binDir, 'pg_ctl'), pgIsReady: join(binDir, 'pg_isready') };
  const missing = [binaries.pgCtl, binaries.pgIsReady].filter((p) => !existsSync(p));
  return missing.length ? { why: `PostgreSQL is incomplete: ${missing.join(', ')} missing` } : binaries;
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const binaries = findPostgresBinaries();
  if ('why' in binaries) throw new Error(binaries.why);
  const owner = clusterOwner();
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const as = { cwd: dir, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) };
  let port = 0;
  let running = false;

  const stopNow = () => {
    if (running) {
      running = false;
      try {
        execFileSync(binaries.pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w'], { ...as, stdio: 'ignore', timeout: 30_000 });
      } catch {
        // Already gone; the folder goes anyway.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Killed by a signal (a test runner's timeout, ^C), 'exit' never comes: stop, then die of it.
  const onSignal = (signal: NodeJS.Signals) => {
    stopNow();
    process.kill(process.pid, signal);
  };
  const forget = () => {
    process.off('exit', stopNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('exit', stopNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    await run(binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'], {
      ...as,
      timeout: 120_000,
    });
    // A port that was free a moment ago may be taken before the server binds it: try again.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = [
        `-p ${port}`,
        `-k ${dir}`,
        '-c listen_addresses=127.0.0.1',
        '-c max_connections=100',
        // fsync=off only: a commit is still written to the OS before it is acknowledged
        // (synchronous_commit stays on), so a crash of the server process (restart -m immediate)
        // loses nothing acknowledged; only a crash of the whole machine could.
        ...(options.durable ? [] : ['-c fsync=off']),
      ];
      try {
        await run(binaries.pgCtl, ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', settings.join(' ')], {
          ...as,
          timeout: 90_000,
        });
        running = true;
        break;
      } catch (err) {
        if (attempt >= 3) throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${readLog(logFile)}`);
      }
    }
    await waitReady(binaries, port, 60_000);
  } catch (err) {
    stopNow();
    forget();
    throw err;
  }

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    url,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart(): Promise<void> {
      // -l again: without it the new server would write to our pipe and keep it open.
      await run(binaries.pgCtl, ['restart', '-D', data, '-l', logFile, '-m', 'immediate', '-w', '-t', '60'], { ...as, timeout: 90_000 });
      await waitReady(binaries, port, 60_000);
    },
    log: () => readLog(logFile),
    async stop(): Promise<void> {
      forget();
      stopNow();
    },
  };
}

/** As root, the postgres OS user; otherwise null (the cluster runs as the current user). */
function clusterOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, and there is no `postgres` OS user to run PostgreSQL as (scripts/setup-postgres.sh installs it)');
  }
}

/** Polls pg_isready until the server accepts connections, or fails at the deadline. */
async function waitReady(binaries: PostgresBinaries, port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    try {
      await run(binaries.pgIsReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '2'], { timeout: 10_000 });
      return;
    } catch (err) {
      last = String((err as { stdout?: string }).stdout ?? (err as Error).message).trim();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PostgreSQL on port ${port} was not ready within ${timeoutMs} ms (${last})`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no server log)';
  }
}
