import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserInference } from './inference-source.ts';

/** A stand-in Worker that records how it was started and what it was sent. */
function fakeWorker() {
  const started: URL[] = [];
  const posted: unknown[] = [];
  let terminated = 0;
  const start = (url: URL) => {
    started.push(url);
    return {
      postMessage: (m: unknown) => void posted.push(m),
      addEventListener: () => {},
      removeEventListener: () => {},
      terminate: () => void terminated++,
    };
  };
  return { start, started, posted, terminated: () => terminated };
}

test('the browser host starts one worker, on first use, configured by its URL', () => {
  const worker = fakeWorker();
  const source = browserInference({
    appUrl: 'http://192.168.1.5:4455/',
    modelUrl: 'http://192.168.1.5:4455/models/riffroom-bandmate-v2/',
    startWorker: worker.start,
  });
  assert.equal(worker.started.length, 0, 'nothing loads until a panel asks');
  const client = source.client();
  assert.equal(source.client(), client, 'one client per window');
  assert.equal(worker.started.length, 1);
  const url = worker.started[0]!;
  assert.equal(url.origin + url.pathname, 'http://192.168.1.5:4455/inference-worker.js');
  assert.equal(url.searchParams.get('model'), 'http://192.168.1.5:4455/models/riffroom-bandmate-v2/');
  assert.equal(url.searchParams.get('wasm'), 'http://192.168.1.5:4455/');
  assert.equal((worker.posted[0] as { type: string }).type, 'hello', 'the client greets the host');
  source.dispose();
  assert.equal(worker.terminated(), 1);
  assert.notEqual(source.client(), client, 'a new host after dispose');
});

test('a worker that crashes fails what waits on it with HostCrashed, and the next call starts a fresh one', async () => {
  const errorListeners: ((event: { message?: string }) => void)[] = [];
  let terminated = 0;
  let started = 0;
  const source = browserInference({
    appUrl: 'http://127.0.0.1:4455/',
    modelUrl: 'http://127.0.0.1:4455/models/m/',
    startWorker: () => {
      started++;
      return {
        postMessage: () => {},
        addEventListener: ((type: string, listener: (event: { message?: string }) => void) => {
          if (type === 'error') errorListeners.push(listener);
        }) as never,
        removeEventListener: () => {},
        terminate: () => void terminated++,
      };
    },
  });
  const client = source.client();
  // Asked before the host was ready: nothing was sent yet, and it must not wait forever.
  const ready = client.ready();
  const request = client.generate({} as never);
  errorListeners[0]!({ message: 'Uncaught RangeError: out of memory' });
  await assert.rejects(request, (e: Error) => e.name === 'HostCrashed' && /out of memory/.test(e.message));
  await assert.rejects(ready, (e: Error) => e.name === 'HostCrashed');
  assert.equal(terminated, 1);
  assert.notEqual(source.client(), client, 'a new worker for the next request');
  assert.equal(started, 2);
});
