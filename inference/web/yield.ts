/**
 * Giving the event loop a turn between forward passes. onnxruntime-web's wasm provider computes
 * inside session.run() and resolves it with microtasks only, so a whole generation would run as
 * one task: a `cancel` message sitting in the worker's queue would be read only after the last
 * note. Yielding once before each pass lets the message in, and the engine's own abort check
 * (between decode steps) then stops the generation. The engine is unchanged; only the session it
 * is handed, in the worker, yields.
 *
 * A yield is taken only once YIELD_EVERY_MS have passed since the last one: a 4-bar riff is some
 * 350 steps of 1-3 ms, and a task hop each (a fresh MessageChannel each, at first) added ~10% to
 * it. A cancel still waits at most that long plus one step.
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

/** How long a worker computes at most before it lets queued messages (a cancel) in. */
export const YIELD_EVERY_MS = 10;

/**
 * `session`, whose run() first lets queued messages (a cancel) be handled, when YIELD_EVERY_MS
 * have passed since it last did (or `now` says so: tests pass a clock).
 */
export function yieldingSession(session: InferenceSession, now: () => number = () => performance.now()): InferenceSession {
  let lastYield = -Infinity;
  const run = (async (...args: unknown[]) => {
    if (now() - lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = now();
    }
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
