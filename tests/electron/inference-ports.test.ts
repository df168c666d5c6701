/**
 * The inference wiring of the desktop app, under Node: the real host (inference/node/host.ts)
 * in a worker thread that looks like Electron's utility process, the main process's port
 * handoff (electron/main/inference-ports.ts) with worker_threads message channels standing in
 * for MessageChannelMain, and the window's InferenceSource (renderer/platform/
 * electron-inference.ts) generating over its port. A host killed mid-request fails that request
 * with HostCrashed, restarts, hands the window a new port, and serves again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { InferenceStatus } from '../../electron/contract.ts';
import { InferencePorts, type InferenceWindow, type PortHost } from '../../electron/main/inference-ports.ts';
import type { GenerationRequest } from '../../inference/engine/request.ts';
import { funkBass } from '../support/funk-bass.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { electronInference, type InferencePort, type InferencePortChannel } from '../../renderer/platform/electron-inference.ts';

const HOST = new URL('./support/utility-host.ts', import.meta.url);
const STUB_HOST = new URL('./support/stub-host.ts', import.meta.url);

/** A short one: 2 bars over Em7, one variation. */
const request = (overrides: Partial<GenerationRequest> = {}): GenerationRequest =>
  funkBass({ bars: 2, chords: [{ tick: 0, root: 4, quality: 'm7' }], variations: 1, seed: 7, ...overrides });

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Launches the host in a worker thread, as utilityProcess.fork would. */
function launchWorker(args: string[], entry = HOST): PortHost<MessagePort> & { worker: Worker } {
  const worker = new Worker(entry, { argv: args, stdout: false, stderr: true });
  // A host that throws at start exits with an error: an exit like a utility process's.
  worker.on('error', () => {});
  return {
    worker,
    get pid() {
      return worker.threadId;
    },
    post: (message) => worker.postMessage({ data: message }),
    connect: (message, port) => worker.postMessage({ data: message, ports: [port] }, [port]),
    onMessage: (handler) => {
      const listener = (data: unknown): void => handler(data);
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
    onExit: (handler) => void worker.once('exit', (code) => handler(code, null)),
    kill: () => void worker.terminate(),
  };
}

/** A window: its ports and statuses go to the page-side channel, as the preload forwards them. */
function fakeWindow(id: number) {
  const portListeners = new Set<(port: InferencePort) => void>();
  const statusListeners = new Set<(status: InferenceStatus) => void>();
  const statuses: InferenceStatus[] = [];
  let ports = 0;
  let gone = false;
  const window: InferenceWindow<MessagePort> = {
    id,
    sendPort: (port) => {
      ports++;
      for (const l of portListeners) l(port as unknown as InferencePort);
    },
    sendStatus: (status) => {
      statuses.push(status);
      for (const l of statusListeners) l(status);
    },
    isGone: () => gone,
  };
  return { window, statuses, ports: () => ports, close: () => void (gone = true), portListeners, statusListeners };
}

test('a window generates over its own port; a crashed host restarts and hands it a new one', async (t) => {
  const hosts: ReturnType<typeof launchWorker>[] = [];
  const ports = new InferencePorts<MessagePort>({
    launch: (args) => {
      const host = launchWorker(args);
      hosts.push(host);
      return host;
    },
    channel: () => {
      const { port1, port2 } = new MessageChannel();
      return { host: port1, window: port2 };
    },
    args: ['--model', SHIPPED_MODEL_DIR, '--providers', 'cpu'],
    supervisor: { restartDelayMs: 50, quickCrashMs: 120_000 },
  });
  t.after(() => ports.stop());
  const win = fakeWindow(1);
  const channel: InferencePortChannel = {
    connect: () => ports.connect(win.window),
    release: () => ports.release(1),
    onPort: (l) => (win.portListeners.add(l), () => win.portListeners.delete(l)),
    onStatus: (l) => (win.statusListeners.add(l), () => win.statusListeners.delete(l)),
  };
  const source = electronInference(channel);
  assert.equal(hosts.length, 0, 'nothing starts until the page asks');
  const client = source.client();
  assert.equal(source.client(), client);
  assert.equal(hosts.length, 1);
  assert.equal(win.ports(), 1, 'the window got its port at once');

  const info = await client.ready();
  assert.equal(info.provider.name, 'cpu');
  let streamed = 0;
  const result = await client.generate(request(), { onNote: () => streamed++ });
  assert.equal(result.variations.length, 1);
  assert.ok(streamed > 0, 'notes streamed over the port');

  // The host goes away (killed while idle): the window is told, a new host starts, a new port arrives.
  hosts[0]!.kill();
  await until('the crash is reported', () => win.statuses.length === 1);
  assert.equal(win.statuses[0]?.state, 'crashed');
  const again = await client.generate(request({ seed: 9 }));
  assert.equal(again.variations.length, 1);
  assert.equal(hosts.length, 2, 'restarted once');
  assert.equal(win.ports(), 2, 'a new port after the restart');
  // Same seed, same notes, across the restart.
  assert.deepEqual((await client.generate(request())).variations, result.variations);
  source.dispose();
});

test('a request in flight when the host dies fails with HostCrashed; the next one goes to the restarted host', async (t) => {
  const hosts: ReturnType<typeof launchWorker>[] = [];
  const ports = new InferencePorts<MessagePort>({
    launch: (args) => {
      const host = launchWorker(args, STUB_HOST);
      hosts.push(host);
      return host;
    },
    channel: () => {
      const { port1, port2 } = new MessageChannel();
      return { host: port1, window: port2 };
    },
    args: [],
    supervisor: { restartDelayMs: 20, quickCrashMs: 120_000 },
  });
  t.after(() => ports.stop());
  const win = fakeWindow(3);
  const source = electronInference({
    connect: () => ports.connect(win.window),
    release: () => ports.release(3),
    onPort: (l) => (win.portListeners.add(l), () => win.portListeners.delete(l)),
    onStatus: (l) => (win.statusListeners.add(l), () => win.statusListeners.delete(l)),
  });
  const client = source.client();
  await client.ready();
  let started = false;
  const pending = client.generate(request(), { onStarted: () => void (started = true) });
  await until('the host started the request', () => started);
  hosts[0]!.kill();
  await assert.rejects(pending, (e: Error) => e.name === 'HostCrashed' && /restarts in/.test(e.message));
  // Asked while the host restarts: waits for the new port, then reaches the new host.
  let startedAgain = false;
  void client.generate(request(), { onStarted: () => void (startedAgain = true) }).catch(() => {});
  await until('the restarted host started the next request', () => startedAgain);
  assert.equal(hosts.length, 2);
  assert.equal(win.ports(), 2);
  // A second window gets a port of its own to the same host.
  const other = fakeWindow(4);
  ports.connect(other.window);
  assert.equal(other.ports(), 1);
  assert.equal(hosts.length, 2, 'one host for every window');
  source.dispose();
});

test('a host that cannot start is given up on, and the window is told', async (t) => {
  const ports = new InferencePorts<MessagePort>({
    launch: (args) => launchWorker(args),
    channel: () => {
      const { port1, port2 } = new MessageChannel();
      return { host: port1, window: port2 };
    },
    args: ['--threads', 'not-a-number'],
    supervisor: { restartDelayMs: 10, maxQuickCrashes: 2, quickCrashMs: 120_000 },
  });
  t.after(() => ports.stop());
  const win = fakeWindow(2);
  const source = electronInference({
    connect: () => ports.connect(win.window),
    release: () => ports.release(2),
    onPort: (l) => (win.portListeners.add(l), () => win.portListeners.delete(l)),
    onStatus: (l) => (win.statusListeners.add(l), () => win.statusListeners.delete(l)),
  });
  const client = source.client();
  await assert.rejects(client.ready(), (e: Error) => e.name === 'HostCrashed' && /not restarted/.test(e.message));
  assert.deepEqual(
    win.statuses.map((s) => s.state),
    ['crashed', 'crashed', 'gave-up'],
  );
  assert.notEqual(source.client(), client, 'the next call asks again');
});
