/**
 * Giving the event loop a turn between forward passes. onnxruntime-web's wasm provider computes
 * inside session.run() and resolves it with microtasks only, so a whole generation would run as
 * one task: a `cancel` message sitting in the worker's queue would be read only after the last
 * note. Yielding once before each pass lets the message in, and the engine's own abort check
 * (between decode steps) then stops the generation. The engine is unchanged; only the session it
 * is handed, in the worker, yields.
 */
import type { InferenceSession } from 'onnxruntime-common';

/**
 * Resolves on a fresh task. A MessageChannel message, not setTimeout: nested timeouts are clamped
 * to 4 ms, which would add 4 ms to every decode step.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel() as unknown as { port1: PortLike; port2: PortLike };
    port1.addEventListener('message', () => {
      port1.close();
      resolve();
    });
    port1.start();
    port2.postMessage(null);
  });
}

/** The MessagePort members used here, shared by the DOM's and Node's MessagePort. */
interface PortLike {
  addEventListener(type: 'message', listener: () => void): void;
  start(): void;
  close(): void;
  postMessage(message: unknown): void;
}

/** `session`, whose run() first lets queued messages (a cancel) be handled. */
export function yieldingSession(session: InferenceSession): InferenceSession {
  const run = (async (...args: unknown[]) => {
    await yieldToEventLoop();
    return (session.run as (...a: unknown[]) => Promise<unknown>).apply(session, args);
  }) as InferenceSession['run'];
  return new Proxy(session, {
    get: (target, property) => {
      if (property === 'run') return run;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
