/**
 * The inference utility process and the windows that talk to it. The host process is kept
 * running by inference/node/supervisor.ts (crash → HostCrashed for what it had, restart after a
 * growing pause, give up after repeated quick crashes). Each window that asks gets one end of a
 * fresh message channel, the host the other (a `connect` message, inference/node/host.ts), so
 * requests and streamed notes never pass through the main process. After a restart every window
 * is told (InferenceStatus) and handed a new port.
 *
 * Generic over the port type: Electron's MessagePortMain in the app (main/index.ts), Node's
 * worker_threads MessagePort in tests/electron/inference-ports.test.ts. No Electron import.
 */
import { INFERENCE_PROTOCOL, type ConnectMessage } from '../../inference/contract.ts';
import { HostSupervisor, type HostProcess, type SupervisorEvent, type SupervisorOptions } from '../../inference/node/supervisor.ts';
import type { InferenceStatus } from '../contract.ts';

/** A host process that can also be handed a port (utilityProcess.postMessage with a transfer). */
export interface PortHost<P> extends HostProcess {
  connect(message: ConnectMessage, port: P): void;
}

export interface PortPair<P> {
  /** The end for the host. */
  host: P;
  /** The end for the window. */
  window: P;
}

/** A window as this module sees it (a BrowserWindow's webContents in the app). */
export interface InferenceWindow<P> {
  readonly id: number;
  sendPort(port: P): void;
  sendStatus(status: InferenceStatus): void;
  isGone(): boolean;
}

export interface InferencePortsOptions<P> {
  /** Starts a host process with these arguments (utilityProcess.fork in the app). */
  launch(args: string[]): PortHost<P>;
  /** A new message channel (new MessageChannelMain() in the app). */
  channel(): PortPair<P>;
  /** Host arguments: --model, --providers, --threads (inference/node/host.ts). */
  args: string[];
  supervisor?: Omit<SupervisorOptions, 'launcher' | 'args'>;
  log?(line: string): void;
}

export class InferencePorts<P> {
  private supervisor: HostSupervisor | null = null;
  private host: PortHost<P> | null = null;
  private readonly windows = new Map<number, InferenceWindow<P>>();
  private readonly options: InferencePortsOptions<P>;
  private stopped = false;

  constructor(options: InferencePortsOptions<P>) {
    this.options = options;
  }

  /** The host's process id, while one runs. */
  get pid(): number | undefined {
    return this.supervisor?.pid;
  }

  /**
   * A window asks for the host: it is started on first use (the model is megabytes, and most
   * sessions open no generator); the window gets its port as soon as a host process runs.
   */
  connect(window: InferenceWindow<P>): void {
    if (this.stopped) {
      window.sendStatus({ state: 'gave-up', message: 'the app is closing' });
      return;
    }
    this.windows.set(window.id, window);
    if (!this.supervisor) {
      this.startSupervisor();
      return;
    }
    // Running: a port now. Restarting: the 'started' event hands it one.
    if (this.host) this.handPort(window, this.host);
  }

  /** The window no longer needs the host (its port closing tells the host to drop its requests). */
  release(windowId: number): void {
    this.windows.delete(windowId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.windows.clear();
    await this.supervisor?.stop();
    this.supervisor = null;
    this.host = null;
  }

  private startSupervisor(): void {
    const supervisor = new HostSupervisor({
      ...this.options.supervisor,
      args: this.options.args,
      launcher: (args) => {
        const host = this.options.launch(args);
        this.host = host;
        host.onExit(() => {
          if (this.host === host) this.host = null;
        });
        return host;
      },
    });
    this.supervisor = supervisor;
    supervisor.onEvent((event) => this.onEvent(supervisor, event));
    supervisor.start();
  }

  private onEvent(supervisor: HostSupervisor, event: SupervisorEvent): void {
    if (supervisor !== this.supervisor) return;
    switch (event.type) {
      case 'started':
        this.options.log?.(`inference host started (pid ${event.pid})`);
        if (this.host) for (const window of this.liveWindows()) this.handPort(window, this.host);
        return;
      case 'crashed': {
        const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
        const message = `the inference host stopped (${how}); it restarts in ${event.restartInMs} ms`;
        this.options.log?.(message);
        for (const window of this.liveWindows()) window.sendStatus({ state: 'crashed', message, restartInMs: event.restartInMs });
        return;
      }
      case 'gave-up': {
        const message = `the inference host crashed ${event.crashes} times right after starting; it is not restarted (ask again to retry)`;
        this.options.log?.(message);
        for (const window of this.liveWindows()) window.sendStatus({ state: 'gave-up', message });
        // The next window that asks starts a fresh supervisor: a user's new request is a retry.
        this.supervisor = null;
        this.host = null;
        void supervisor.stop();
      }
    }
  }

  private liveWindows(): InferenceWindow<P>[] {
    for (const [id, window] of this.windows) if (window.isGone()) this.windows.delete(id);
    return [...this.windows.values()];
  }

  private handPort(window: InferenceWindow<P>, host: PortHost<P>): void {
    const pair = this.options.channel();
    host.connect({ v: INFERENCE_PROTOCOL, type: 'connect' }, pair.host);
    window.sendPort(pair.window);
  }
}
