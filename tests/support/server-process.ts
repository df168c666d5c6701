/**
 * Runs the real sync server CLI as a child process for cross-process tests and benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../sync-server/auth/tokens.ts';
import type { Role } from '../../sync-server/contract.ts';

const CLI = fileURLToPath(new URL('../../sync-server/cli.ts', import.meta.url));
export const TEST_SECRET = 'test-secret-not-for-production-0123456789';

export interface ServerProcess {
  readonly port: number;
  /** http://127.0.0.1:<port>, or https:// when the server was given --tls-cert */
  readonly url: string;
  /** ws://…, or wss:// */
  readonly wsUrl: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Output so far (stdout and stderr), for assertions and failure messages. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDataDir(prefix = 'riffroom-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `sync-server/cli.ts` on a free port (or `port`) and waits until it listens. */
export async function startServerProcess(
  options: {
    dataDir?: string;
    port?: number;
    env?: Record<string, string> /** More CLI options, e.g. ['--web', dir]. */;
    args?: string[];
  } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [CLI, '--port', String(options.port ?? 0), '--data', dataDir, ...(options.args ?? [])], {
    env: { ...process.env, RIFFROOM_SECRET: TEST_SECRET, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const { port, secure } = await new Promise<{ port: number; secure: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15_000);
    const check = () => {
      const m = /listening on http(s?):\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[2]), secure: m[1] === 's' });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    port,
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    dataDir,
    child,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function testToken(room: string, role: Role = 'editor', name: string = role, ttlSeconds = 3600): string {
  return signToken(TEST_SECRET, { room, role, name, exp: Math.floor(Date.now() / 1000) + ttlSeconds });
}
