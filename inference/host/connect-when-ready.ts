/**
 * A client connection a host can hand out before its model has loaded: messages that arrive
 * meanwhile are kept and fed to the service, in order, once it exists. Both hosts (node/host.ts,
 * web/worker.ts) start listening at once and load the model after.
 */
import type { HostMessage } from '../contract.ts';
import type { ClientHandle, InferenceService } from './service.ts';

export function connectWhenReady(service: Promise<InferenceService>, send: (m: HostMessage) => void): ClientHandle {
  let handle: ClientHandle | null = null;
  const early: unknown[] = [];
  let closed = false;
  void service.then((s) => {
    if (closed) return;
    handle = s.connect({ send });
    for (const data of early.splice(0)) handle.receive(data);
  });
  return {
    receive: (data) => (handle ? handle.receive(data) : void early.push(data)),
    close: () => {
      closed = true;
      handle?.close();
    },
  };
}
