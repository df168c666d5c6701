/**
 * A child process started with Electron's utilityProcess.fork, as the session manager and the
 * inference host's ports see any host process: pid, post, message and exit handlers (an exit
 * handler added after the exit still hears of it), kill. Structural, with no Electron import, so
 * it is tested under Node; electron/main passes `utilityProcess.fork`'s children in.
 */

/** The parts of Electron's UtilityProcess used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  kill(): boolean;
}

export interface UtilityChild<M> {
  readonly pid: number | undefined;
  post(message: M): void;
  /** Posts with MessagePorts handed over (the inference host's clients). */
  postWithPorts(message: M, ports: unknown[]): void;
  onMessage(handler: (data: unknown) => void): () => void;
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export function utilityChild<M>(child: UtilityProcessLike): UtilityChild<M> {
  let exited: number | undefined;
  const exitHandlers: ((code: number | null, signal: string | null) => void)[] = [];
  child.on('exit', (code) => {
    exited = code;
    for (const handler of exitHandlers.splice(0)) handler(code, null);
  });
  return {
    get pid() {
      return child.pid;
    },
    post: (message) => child.postMessage(message),
    postWithPorts: (message, ports) => child.postMessage(message, ports),
    onMessage(handler) {
      const listener = (message: unknown): void => handler(message);
      child.on('message', listener);
      return () => void child.off('message', listener);
    },
    onExit(handler) {
      if (exited !== undefined) queueMicrotask(() => handler(exited!, null));
      else exitHandlers.push(handler);
    },
    kill: () => void child.kill(),
  };
}
