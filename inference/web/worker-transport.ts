/**
 * The page side of the worker host: an InferenceClient Transport over the inference Worker itself
 * or over a MessagePort connected to it (worker.ts serves both).
 */
import type { Transport } from '../client.ts';
import type { ClientMessage } from '../contract.ts';

/**
 * What this needs of a Worker or a MessagePort, structurally (the root tsconfig has no DOM types;
 * a DOM Worker or MessagePort fits).
 */
export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** MessagePort only: addEventListener does not start its message queue, start() does. */
  start?(): void;
}

export function workerTransport(target: WorkerLike): Transport {
  return {
    post: (message: ClientMessage) => target.postMessage(message),
    listen: (handler) => {
      const listener = (event: { data: unknown }): void => handler(event.data);
      target.addEventListener('message', listener);
      target.start?.();
      return () => target.removeEventListener('message', listener);
    },
  };
}
