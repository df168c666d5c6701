/**
 * Starts the sync server the way deploy/riffroom.service does: the unit's ExecStart line with
 * deploy/riffroom.env.example's values (a few overridden by the test: port, extra flags),
 * %S/riffroom a temp state dir, and only the environment systemd would give it (no RIFFROOM_SECRET
 * from the test: the server makes its own secret in the data dir, as on a real machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSecret } from '../../sync-server/auth/tokens.ts';
import { ENV_EXAMPLE, execStartArgv, localUnitText, readEnvFile, runTool, unitValue } from './deploy-files.ts';

export interface UnitServer {
  readonly port: number;
  readonly dataDir: string;
  /** The argv the unit's ExecStart expanded to here (without any wrapper). */
  readonly argv: string[];
  /** The secret the server made for itself in its data dir. */
  readonly secret: string;
  output(): string;
  /** Runs the unit's ExecReload= line ($MAINPID: the main process), as `systemctl reload` does. */
  reload(): Promise<void>;
  /** Sends `signal` to the main process (what KillMode=mixed does) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface UnitServerOptions {
  /** The directory %S stands for (systemd's /var/lib): the data lands in <stateRoot>/riffroom. */
  stateRoot: string;
  port: number;
  /** Values that replace the environment file's (e.g. RIFFROOM_ARGS with --web added). */
  env?: Record<string, string>;
  /** A program the server runs under, e.g. ['strace', '-f', '-o', file]: its child is the main process. */
  wrapper?: string[];
}

/** The environment file's values with the test's overrides. */
export function unitEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...readEnvFile(readFileSync(ENV_EXAMPLE, 'utf8')), ...overrides };
}

export async function startUnitServer(options: UnitServerOptions): Promise<UnitServer> {
  const env = unitEnvironment({ RIFFROOM_PORT: String(options.port), ...options.env });
  const argv = execStartArgv(localUnitText(), env, options.stateRoot);
  const dataDir = join(options.stateRoot, 'riffroom');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // StateDirectory=: systemd makes it
  const command = [...(options.wrapper ?? []), ...argv];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    // What systemd passes a service: a fixed PATH, the environment file, STATE_DIRECTORY.
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...env, STATE_DIRECTORY: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the unit's server did not start:\n${output}`)), 30_000);
    const check = () => {
      if (/listening on https?:\/\//.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new Error(`${command[0]} is not installed: bash scripts/setup-deploy-tools.sh installs it (as root, from apt)`)
          : err,
      );
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the unit's server exited with ${code}:\n${output}`));
    });
  });
  const mainPid = options.wrapper ? wrappedChild(child.pid!) : child.pid!;
  return {
    port: options.port,
    dataDir,
    argv,
    secret: loadSecret(dataDir, {}),
    output: () => output,
    async reload() {
      const line = unitValue(localUnitText(), 'Service', 'ExecReload').replace(/\$MAINPID\b/g, String(mainPid));
      const [file, ...args] = line.split(/\s+/);
      const result = await runTool(file!, args);
      if (result.code !== 0) throw new Error(`ExecReload (${line}) failed: ${result.stderr}`);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) process.kill(mainPid, signal);
      return exited;
    },
  };
}

/** The one child of a wrapper process (e.g. strace's tracee). */
function wrappedChild(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (children.length !== 1) throw new Error(`expected one child of ${pid}, found: ${children.join(' ') || 'none'}`);
  return Number(children[0]);
}
