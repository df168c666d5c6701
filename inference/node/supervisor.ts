/**
 * Keeps a generation host process running and gives its owner a client for it. When the host
 * dies, every request it had fails with HostCrashed (the caller can ask again), and a new host is
 * started after a short, growing pause; a host that keeps crashing right after start is given up
 * on (reported, not restarted forever). The process itself comes from a launcher: a Node child
 * process here, Electron's utilityProcess in the desktop app (electron/ supplies that launcher).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InferenceClient } from '../client.ts';
import type { ClientMessage } from '../contract.ts';

/** A running host process as the supervisor sees it. */
export interface HostProcess {
  readonly pid: number | undefined;
  post(message: ClientMessage): void;
  onMessage(handler: (data: unknown) => void): () => void;
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type Launcher = (args: string[]) => HostProcess;

export const HOST_ENTRY = fileURLToPath(new URL('./host.ts', import.meta.url));

/** Starts the host as a Node child process with an IPC channel. */
export const childProcessLauncher: Launcher = (args) => {
  const child = fork(HOST_ENTRY, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    get pid() {
      return child.pid;
    },
    post: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (handler) => {
      child.on('message', handler);
      return () => child.off('message', handler);
    },
    onExit: (handler) => {
      child.once('exit', (code, signal) => handler(code, signal));
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
};

export type SupervisorEvent =
  | { type: 'started'; pid: number | undefined }
  | { type: 'crashed'; code: number | null; signal: string | null; restartInMs: number }
  | { type: 'gave-up'; crashes: number };

export interface SupervisorOptions {
  /** Host arguments (see host.ts): --model, --providers, --threads. */
  args?: string[];
  launcher?: Launcher;
  /** First pause before a restart; doubles per quick crash up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Give up after this many crashes, each within `quickCrashMs` of its start. */
  maxQuickCrashes?: number;
  quickCrashMs?: number;
}

export class HostSupervisor {
  readonly client = new InferenceClient();
  private readonly options: Required<SupervisorOptions>;
  private host: HostProcess | null = null;
  private listeners = new Set<(event: SupervisorEvent) => void>();
  private quickCrashes = 0;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: SupervisorOptions = {}) {
    this.options = {
      args: options.args ?? [],
      launcher: options.launcher ?? childProcessLauncher,
      restartDelayMs: options.restartDelayMs ?? 200,
      maxRestartDelayMs: options.maxRestartDelayMs ?? 5000,
      maxQuickCrashes: options.maxQuickCrashes ?? 5,
      quickCrashMs: options.quickCrashMs ?? 10_000,
    };
  }

  onEvent(listener: (event: SupervisorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get pid(): number | undefined {
    return this.host?.pid;
  }

  start(): this {
    if (this.host || this.stopped) return this;
    const host = this.options.launcher(this.options.args);
    const startedAt = Date.now();
    this.host = host;
    this.client.attach({ post: (m) => host.post(m), listen: (h) => host.onMessage(h) });
    host.onExit((code, signal) => this.onExit(host, startedAt, code, signal));
    this.emit({ type: 'started', pid: host.pid });
    return this;
  }

  /** Stops the host for good; pending requests fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const host = this.host;
    this.host = null;
    this.client.hostLost({ name: 'HostCrashed', message: 'the inference host was stopped' }, { final: true });
    if (!host) return;
    await new Promise<void>((resolve) => {
      host.onExit(() => resolve());
      host.kill();
    });
  }

  private onExit(host: HostProcess, startedAt: number, code: number | null, signal: string | null): void {
    if (this.host !== host) return;
    this.host = null;
    if (this.stopped) return;
    const quick = Date.now() - startedAt < this.options.quickCrashMs;
    this.quickCrashes = quick ? this.quickCrashes + 1 : 1;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.quickCrashes > this.options.maxQuickCrashes) {
      this.client.hostLost(
        {
          name: 'HostCrashed',
          message: `the inference host exited (${how}) ${this.quickCrashes} times in a row right after starting; it is not restarted`,
        },
        { final: true },
      );
      this.emit({ type: 'gave-up', crashes: this.quickCrashes });
      return;
    }
    const delay = Math.min(this.options.maxRestartDelayMs, this.options.restartDelayMs * 2 ** (this.quickCrashes - 1));
    this.client.hostLost({ name: 'HostCrashed', message: `the inference host exited (${how}); it restarts in ${delay} ms` });
    this.emit({ type: 'crashed', code, signal, restartInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }

  private emit(event: SupervisorEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
