/**
 * Keeps the session host (host.ts) running for the open project, in main-process terms but with no
 * Electron import: the process comes from a launcher — Electron's utilityProcess.fork in the app
 * (utilityProcessLauncher), child_process.fork under Node (childProcessLauncher).
 *
 * - start(project, mode): a host serving that project ('solo' or 'lan'); resolves with its links.
 * - switchProject / setMode / saveAs: stop the host, then start one for the new project or mode
 *   (keeping the port when it can, so a LAN invite's address stays the same).
 * - A host that dies on its own is started again after a short, growing pause, on the same port
 *   with the same signing secret, so every client (stock y-websocket providers reconnect by
 *   themselves) and every invite keeps working. One that keeps dying right after starting is
 *   given up on (reported, not restarted forever); so is a project that can no longer be opened.
 * - stop(): the host closes the room (the log is folded into the project file) and exits.
 */
import type { ChildProcess, ForkOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { copyProject } from '../project/project-file.ts';
import { utilityChild, type UtilityProcessLike } from '../utility-child.ts';
import {
  isHostMessage,
  SESSION_PROTOCOL,
  type HostedSession,
  type HostMessage,
  type HostMode,
  type ParentMessage,
  type StartRequest,
  type WireSessionError,
} from './contract.ts';

/** A running session host as the manager sees it. */
export interface SessionHostProcess {
  readonly pid: number | undefined;
  post(message: ParentMessage): void;
  onMessage(handler: (data: unknown) => void): () => void;
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type SessionLauncher = () => SessionHostProcess;

/** The host's entry file (the app bundles it; see electron-builder.yml). */
export const SESSION_HOST_ENTRY = fileURLToPath(new URL('./host.ts', import.meta.url));

type ForkFn = (modulePath: string, args?: readonly string[], options?: ForkOptions) => ChildProcess;

/** Starts the host as a Node child process with an IPC channel (tests, headless use). */
export function childProcessLauncher(fork: ForkFn, entry = SESSION_HOST_ENTRY, options: ForkOptions = {}): SessionLauncher {
  return () => {
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', ...options });
    return {
      get pid() {
        return child.pid;
      },
      post(message) {
        if (child.connected) child.send(message);
      },
      onMessage(handler) {
        child.on('message', handler);
        return () => void child.off('message', handler);
      },
      onExit(handler) {
        if (child.exitCode !== null || child.signalCode !== null) queueMicrotask(() => handler(child.exitCode, child.signalCode));
        else child.once('exit', (code, signal) => handler(code, signal));
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
  };
}

/** Starts the host with Electron's utilityProcess.fork (pass `utilityProcess.fork.bind(utilityProcess)`). */
export function utilityProcessLauncher(
  fork: (
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' },
  ) => UtilityProcessLike,
  entry: string,
): SessionLauncher {
  return () => utilityChild<ParentMessage>(fork(entry, [], { serviceName: 'Riffroom session host', stdio: 'inherit' }));
}

export class SessionStartError extends Error {
  override name = 'SessionStartError';
  readonly error: WireSessionError;
  constructor(error: WireSessionError) {
    super(error.message);
    this.error = error;
  }
}

export type SessionState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed';

export type SessionEvent =
  | { type: 'started'; session: HostedSession; pid: number | undefined }
  | { type: 'crashed'; code: number | null; signal: string | null; restartInMs: number }
  | { type: 'restarted'; session: HostedSession; pid: number | undefined }
  | { type: 'gave-up'; crashes: number; message: string }
  | { type: 'stopped' };

export interface SessionManagerOptions {
  launch: SessionLauncher;
  /** Token signing secret for the app's lifetime; absent: a random one. */
  secret?: string;
  /** Passed to each host (see StartRequest). */
  dataDir?: string;
  webDir?: string | null;
  modelDir?: string | null;
  userName?: string;
  /** How long a host may take to be ready and serving. */
  startTimeoutMs?: number;
  /** How long a host may take to close before it is killed. */
  stopTimeoutMs?: number;
  /** First pause before a restart; doubles per quick crash up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Give up after this many crashes in a row, each within quickCrashMs of its start. */
  maxQuickCrashes?: number;
  quickCrashMs?: number;
}

interface Running {
  process: SessionHostProcess;
  session: HostedSession;
  startedAt: number;
  exited: Promise<void>;
}

export class SessionManager {
  private readonly options: Required<Omit<SessionManagerOptions, 'dataDir' | 'webDir' | 'modelDir' | 'userName'>> &
    Pick<SessionManagerOptions, 'dataDir' | 'webDir' | 'modelDir' | 'userName'>;
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private running: Running | null = null;
  /** What should be running (null: nothing); a restart only proceeds while it is still wanted. */
  private wanted: StartRequest | null = null;
  private stateValue: SessionState = 'stopped';
  private quickCrashes = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SessionManagerOptions) {
    this.options = {
      secret: options.secret ?? randomBytes(32).toString('base64url'),
      startTimeoutMs: 20_000,
      stopTimeoutMs: 5_000,
      restartDelayMs: 200,
      maxRestartDelayMs: 5_000,
      maxQuickCrashes: 5,
      quickCrashMs: 10_000,
      ...options,
    };
  }

  get session(): HostedSession | null {
    return this.running?.session ?? null;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get pid(): number | undefined {
    return this.running?.process.pid;
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Serves `projectPath` (stopping whatever ran before). Rejects with SessionStartError saying why not. */
  start(projectPath: string, mode: HostMode = 'solo', options: { port?: number } = {}): Promise<HostedSession> {
    return this.enqueue(async () => {
      const keepPort = this.running && this.running.session.mode === mode ? this.running.session.port : undefined;
      await this.stopRunning();
      const request = this.request(projectPath, mode, options.port);
      this.wanted = request;
      this.quickCrashes = 0;
      this.stateValue = 'starting';
      try {
        const running = await this.launchWithPortFallback(request, options.port === undefined ? keepPort : undefined);
        this.emit({ type: 'started', session: running.session, pid: running.process.pid });
        return running.session;
      } catch (err) {
        this.wanted = null;
        this.stateValue = 'stopped';
        throw err;
      }
    });
  }

  /** Opens another project in the same mode. */
  switchProject(projectPath: string): Promise<HostedSession> {
    return this.start(projectPath, this.wanted?.mode ?? 'solo');
  }

  /** 'lan' = Host a jam; 'solo' = stop hosting. Same project. */
  setMode(mode: HostMode): Promise<HostedSession> {
    const current = this.wanted;
    if (!current) return Promise.reject(new Error('no project is open'));
    return this.start(current.projectPath, mode);
  }

  /**
   * Save As: stops the host (every edit is in the file then), copies the project with its whole
   * history to `to`, and serves the copy. If the copy fails, the original is served again.
   */
  saveAs(to: string, options: { overwrite?: boolean } = {}): Promise<HostedSession> {
    const current = this.wanted;
    if (!current) return Promise.reject(new Error('no project is open'));
    return this.enqueue(async () => {
      const port = this.running?.session.port;
      await this.stopRunning();
      let target = to;
      try {
        target = copyProject(current.projectPath, to, options).path;
      } catch (err) {
        target = current.projectPath;
        await this.launchWanted(this.request(current.projectPath, current.mode), port);
        throw err;
      }
      return (await this.launchWanted(this.request(target, current.mode), port)).session;
    });
  }

  /** Stops the host for good (until the next start). */
  stop(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopRunning();
      this.stateValue = 'stopped';
      this.emit({ type: 'stopped' });
    });
  }

  private async launchWanted(request: StartRequest, port: number | undefined): Promise<Running> {
    this.wanted = request;
    this.quickCrashes = 0;
    this.stateValue = 'starting';
    const running = await this.launchWithPortFallback(request, port);
    this.emit({ type: 'started', session: running.session, pid: running.process.pid });
    return running;
  }

  private request(projectPath: string, mode: HostMode, port?: number): StartRequest {
    const { secret, dataDir, webDir, modelDir, userName } = this.options;
    const request: StartRequest = { v: SESSION_PROTOCOL, type: 'start', projectPath, mode, port: port ?? 0, secret };
    if (dataDir !== undefined) request.dataDir = dataDir;
    if (webDir !== undefined) request.webDir = webDir;
    if (modelDir !== undefined) request.modelDir = modelDir;
    if (userName !== undefined) request.userName = userName;
    return request;
  }

  /** Tries `preferredPort` first (when the request has none), then any free port. */
  private async launchWithPortFallback(request: StartRequest, preferredPort: number | undefined): Promise<Running> {
    if (preferredPort && !request.port) {
      try {
        return await this.launch({ ...request, port: preferredPort }, true);
      } catch (err) {
        if (!(err instanceof SessionStartError && err.error.name === 'ListenError')) throw err;
      }
    }
    return this.launch(request, true);
  }

  /** Launches one host, waits for it to serve, and watches it for a crash. */
  private launch(request: StartRequest, remember: boolean): Promise<Running> {
    const process = this.options.launch();
    const startedAt = Date.now();
    let exitInfo: { code: number | null; signal: string | null } | null = null;
    let onExitNow: (() => void) | null = null;
    const exited = new Promise<void>((resolve) => {
      process.onExit((code, signal) => {
        exitInfo = { code, signal };
        resolve();
        onExitNow?.();
      });
    });
    return new Promise<Running>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, session?: HostedSession) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        off();
        onExitNow = null;
        if (err) {
          process.kill();
          return reject(err);
        }
        const running: Running = { process, session: session!, startedAt, exited };
        if (remember) {
          this.running = running;
          this.wanted = { ...request, port: session!.port };
          this.stateValue = 'running';
          void exited.then(() => this.onExit(running, exitInfo!));
        }
        resolve(running);
      };
      const timer = setTimeout(
        () =>
          finish(
            new SessionStartError({
              name: 'SessionError',
              message: `the session host did not start within ${this.options.startTimeoutMs} ms`,
            }),
          ),
        this.options.startTimeoutMs,
      );
      onExitNow = () => {
        const how = exitInfo!.signal ? `signal ${exitInfo!.signal}` : `code ${exitInfo!.code}`;
        finish(new SessionStartError({ name: 'SessionError', message: `the session host exited (${how}) before it was serving` }));
      };
      const off = process.onMessage((data) => {
        if (!isHostMessage(data)) return;
        const message = data as HostMessage;
        if (message.type === 'ready') process.post(request);
        else if (message.type === 'started') finish(null, message.session);
        else if (message.type === 'error') finish(new SessionStartError(message.error));
      });
    });
  }

  private onExit(running: Running, how: { code: number | null; signal: string | null }): void {
    if (this.running !== running) return; // stopped on purpose, or replaced
    this.running = null;
    const request = this.wanted;
    if (!request) return;
    const quick = Date.now() - running.startedAt < this.options.quickCrashMs;
    this.quickCrashes = quick ? this.quickCrashes + 1 : 1;
    this.scheduleRestart(request, how);
  }

  private scheduleRestart(request: StartRequest, how: { code: number | null; signal: string | null }): void {
    const what = how.signal ? `signal ${how.signal}` : `code ${how.code}`;
    if (this.quickCrashes > this.options.maxQuickCrashes) {
      this.giveUp(`the session host exited (${what}) ${this.quickCrashes} times in a row right after starting; it is not restarted`);
      return;
    }
    const delay = Math.min(this.options.maxRestartDelayMs, this.options.restartDelayMs * 2 ** (this.quickCrashes - 1));
    this.stateValue = 'restarting';
    this.emit({ type: 'crashed', code: how.code, signal: how.signal, restartInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.enqueue(async () => {
        if (this.wanted !== request || this.running) return; // stopped or replaced meanwhile
        try {
          const running = await this.launch(request, true);
          this.emit({ type: 'restarted', session: running.session, pid: running.process.pid });
        } catch (err) {
          if (this.wanted !== request) return;
          const error = err instanceof SessionStartError ? err.error : { name: 'SessionError' as const, message: (err as Error).message };
          // A project that can no longer be opened will not open on the next try either.
          if (error.name === 'ProjectFileError') return this.giveUp(error.message);
          this.quickCrashes++;
          this.scheduleRestart(request, { code: null, signal: null });
        }
      });
    }, delay);
  }

  private giveUp(message: string): void {
    this.wanted = null;
    this.stateValue = 'failed';
    this.emit({ type: 'gave-up', crashes: this.quickCrashes, message });
  }

  /** Asks the running host to stop (it folds the log into the file), killing it if it takes too long. */
  private async stopRunning(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.wanted = null;
    const running = this.running;
    this.running = null;
    if (!running) return;
    running.process.post({ v: SESSION_PROTOCOL, type: 'stop' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.options.stopTimeoutMs)));
    if (await Promise.race([running.exited.then(() => false), timedOut])) {
      running.process.kill();
      await running.exited;
    }
    clearTimeout(timer);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
