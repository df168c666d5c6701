import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meter, type Measurements } from '../audio/mastering/index.ts';
import { musicLike } from '../audio/mastering/signals.ts';
import { inWorker, onThisThread, type MasteringReply, type MasteringRequest, type StartWorker } from './mastering-work.ts';

const mix = musicLike({ seconds: 3, sampleRate: 44100, gainDb: -8 });
const URL_ = new URL('http://localhost/mastering-worker.js');

/** A stand-in for the Worker constructor: answers each request with `reply`, or fires 'error'. */
function fakeWorker(behaviour: (request: MasteringRequest) => MasteringReply | 'error', log: string[]): StartWorker {
  return (url) => {
    log.push(`start ${url.pathname}`);
    const listeners: Record<string, ((event: any) => void)[]> = { message: [], error: [] };
    return {
      addEventListener: (type: string, listener: (event: any) => void) => void listeners[type]!.push(listener),
      postMessage(request: MasteringRequest) {
        log.push(`post ${request.job}`);
        queueMicrotask(() => {
          const reply = behaviour(request);
          if (reply === 'error') listeners.error!.forEach((l) => l({ message: 'failed to load' }));
          else listeners.message!.forEach((l) => l({ data: reply }));
        });
      },
      terminate: () => void log.push('terminate'),
    } as ReturnType<StartWorker>;
  };
}

test('in a worker: one worker per job, ended after its answer', async () => {
  const log: string[] = [];
  const measured = meter(mix).measurements;
  const work = inWorker(
    mix,
    URL_,
    onThisThread(mix),
    fakeWorker(() => ({ ok: true, job: 'measure', measurements: measured }), log),
  );
  assert.deepEqual(await work.measure(), measured);
  assert.deepEqual(log, ['start /mastering-worker.js', 'post measure', 'terminate']);
});

test('a worker that cannot load leaves the job to this thread; an error the job reports is passed on', async () => {
  const log: string[] = [];
  let fellBack = 0;
  const fallback = {
    measure: async () => (fellBack++, meter(mix).measurements),
    correct: async () => {
      throw new Error('not here');
    },
  };
  const broken = inWorker(
    mix,
    URL_,
    fallback,
    fakeWorker(() => 'error', log),
  );
  const m: Measurements = await broken.measure();
  assert.equal(fellBack, 1);
  assert.ok(Number.isFinite(m.integratedLufs));
  assert.deepEqual(log, ['start /mastering-worker.js', 'post measure', 'terminate']);

  const refusing = inWorker(
    mix,
    URL_,
    fallback,
    fakeWorker(() => ({ ok: false, message: 'correctLoudness: the audio is silent' }), []),
  );
  await assert.rejects(refusing.correct('streaming', m), /the audio is silent/);

  const noWorkers = inWorker(mix, URL_, fallback, () => {
    throw new Error('Worker is not defined');
  });
  await noWorkers.measure();
  assert.equal(fellBack, 2);
});
