import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateOptions, HostInfo } from '../../inference/client.ts';
import { InferenceError } from '../../inference/contract.ts';
import type { GenerationRequest, GenerationResult } from '../../inference/engine/request.ts';
import { readSong } from '../../core/song/schema.ts';
import { planAction } from './build-request.ts';
import { GenerationRunner, isBusy, type GenerationClient } from './generation-run.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { band } from './song-fixture.test-support.ts';

const HOST: HostInfo = { model: { id: 'm', name: 'M', sha256: 'ab', loadMs: 5 }, provider: { name: 'wasm', tried: [] } };

/** A client the test answers by hand. */
function fakeClient(ready = true) {
  const calls: { request: GenerationRequest; options: GenerateOptions; resolve(r: GenerationResult): void; reject(e: Error): void }[] = [];
  let readyNow: ((h: HostInfo) => void) | null = null;
  let failReady: ((e: Error) => void) | null = null;
  const client: GenerationClient & { host: HostInfo | null } = {
    host: ready ? HOST : null,
    ready: () =>
      client.host
        ? Promise.resolve(client.host)
        : new Promise((resolve, reject) => {
            readyNow = resolve;
            failReady = reject;
          }),
    generate: (request, options = {}) =>
      new Promise((resolve, reject) => {
        calls.push({ request, options, resolve, reject });
        options.signal?.addEventListener('abort', () => reject(new InferenceError({ name: 'Cancelled', message: 'cancelled' })));
      }),
  };
  return {
    client,
    calls,
    becomeReady() {
      client.host = HOST;
      readyNow?.(HOST);
    },
    failToLoad(e: Error) {
      failReady?.(e);
    },
  };
}

function harness(fake: ReturnType<typeof fakeClient>) {
  const frames: (() => void)[] = [];
  const activity: (string | null)[] = [];
  let resets = 0;
  let clock = 0;
  const runner = new GenerationRunner({
    client: () => fake.client,
    resetHost: () => void resets++,
    setActivity: (a) => void activity.push(a),
    schedule: (cb) => {
      frames.push(cb);
      return () => frames.splice(frames.indexOf(cb), 1);
    },
    now: () => clock,
  });
  return {
    runner,
    frames,
    activity,
    resets: () => resets,
    tick: (ms: number) => (clock += ms),
    frame: () => frames.splice(0).forEach((f) => f()),
  };
}

const plan = () =>
  planAction('generate', {
    song: readSong(band().doc),
    settings: { ...DEFAULT_SETTINGS, bars: 2, variations: 2 },
    selectedClipId: null,
    playheadBar: 0,
    fill: { from: 0, to: 1 },
    lockedBars: [],
  });

const result = (): GenerationResult => ({
  variations: [
    { bars: 2, notes: [], chords: [], tokens: 1 },
    { bars: 2, notes: [], chords: [], tokens: 1 },
  ],
  provenance: {} as GenerationResult['provenance'],
});

test('notes stream into the preview once per frame, with progress over the bars; the result settles it', async () => {
  const fake = fakeClient();
  const h = harness(fake);
  const p = plan();
  const done = h.runner.start(p, 'generating bass…');
  assert.equal(h.runner.getState().status, 'running');
  assert.deepEqual(h.activity, ['generating bass…'], 'bandmates see it at once');
  const { options } = fake.calls[0]!;
  assert.equal(fake.calls[0]!.request, p.request);
  h.tick(40);
  options.onNote!({ variation: 0, note: { pitch: 40, tick: 0, duration: 240, velocity: 90 } });
  options.onNote!({ variation: 1, note: { pitch: 43, tick: 1920, duration: 240, velocity: 90 } });
  assert.equal(h.runner.getState().streamedCount, 0, 'not before the frame');
  assert.equal(h.frames.length, 1, 'one frame for many notes');
  h.frame();
  const s = h.runner.getState();
  assert.equal(s.streamedCount, 2);
  assert.deepEqual(
    s.streamed.map((v) => v.notes.length),
    [1, 1],
  );
  assert.equal(s.progress, (0 + 0.5) / 2);
  assert.equal(s.firstNoteMs, 40);
  options.onNote!({ variation: 0, note: { pitch: 45, tick: 480, duration: 240, velocity: 90 } });
  h.tick(60);
  fake.calls[0]!.resolve(result());
  const settled = await done;
  assert.equal(settled.status, 'done');
  assert.equal(settled.streamedCount, 3, 'notes of the last frame are in');
  assert.equal(settled.progress, 1);
  assert.equal(settled.totalMs, 100);
  assert.deepEqual(h.activity, ['generating bass…', null], 'and cleared after');
  assert.equal(isBusy(settled), false);
});

test('cancel settles at once; the late rejection changes nothing', async () => {
  const fake = fakeClient();
  const h = harness(fake);
  const done = h.runner.start(plan(), 'generating bass…');
  h.runner.cancel();
  assert.equal(h.runner.getState().status, 'cancelled');
  assert.deepEqual(h.activity, ['generating bass…', null]);
  assert.equal(fake.calls[0]!.options.signal!.aborted, true, 'the host is told to stop');
  assert.equal((await done).status, 'cancelled');
  assert.deepEqual(h.activity, ['generating bass…', null]);
});

test('a host that is still loading shows as starting, then running', async () => {
  const fake = fakeClient(false);
  const h = harness(fake);
  const done = h.runner.start(plan(), 'generating bass…');
  assert.equal(h.runner.getState().status, 'starting');
  assert.equal(h.runner.getState().hostStarting, true);
  fake.becomeReady();
  await Promise.resolve();
  assert.equal(h.runner.getState().status, 'running');
  assert.equal(h.runner.getState().host, HOST);
  fake.calls[0]!.resolve(result());
  await done;
});

test('errors are shown in words; a host that never became ready is replaced on the next try', async () => {
  const fake = fakeClient();
  const h = harness(fake);
  let done = h.runner.start(plan(), 'x');
  fake.calls[0]!.reject(new InferenceError({ name: 'RequestError', message: 'bars must be 1..16' }));
  let s = await done;
  assert.equal(s.status, 'failed');
  assert.equal(s.error, 'The AI bandmate cannot do that: bars must be 1..16');
  assert.equal(h.resets(), 0, 'a refused request leaves the host alone');

  const loading = fakeClient(false);
  const h2 = harness(loading);
  done = h2.runner.start(plan(), 'x');
  const unavailable = new InferenceError({ name: 'ModelLoadError', message: 'models/m/model.onnx: sha256 mismatch' });
  loading.failToLoad(unavailable);
  loading.calls[0]!.reject(unavailable);
  s = await done;
  assert.match(s.error!, /unavailable: its model could not be loaded \(models\/m\/model\.onnx: sha256 mismatch\)/);
  assert.equal(h2.resets(), 1, 'dropped once');
  assert.deepEqual(h2.activity, ['x', null]);

  const crashing = fakeClient();
  const h3 = harness(crashing);
  done = h3.runner.start(plan(), 'x');
  crashing.calls[0]!.reject(new InferenceError({ name: 'HostCrashed', message: 'the inference worker stopped: boom' }));
  s = await done;
  assert.match(s.error!, /stopped unexpectedly \(the inference worker stopped: boom\)/);
  assert.equal(h3.resets(), 1);
  assert.equal(s.host, null);
});

test('a new start cancels the one running', async () => {
  const fake = fakeClient();
  const h = harness(fake);
  const first = h.runner.start(plan(), 'a');
  const second = h.runner.start(plan(), 'b');
  assert.equal(fake.calls[0]!.options.signal!.aborted, true);
  assert.equal((await first).status, 'running', "the first run's promise reports the state it left");
  fake.calls[1]!.resolve(result());
  assert.equal((await second).status, 'done');
  assert.deepEqual(h.activity, ['a', null, 'b', null]);
});

test('warm-up starts the host once, showing it starting; a failed warm-up leaves the next start to a request', async () => {
  const loading = fakeClient(false);
  let asked = 0;
  let resets = 0;
  const runner = new GenerationRunner({
    client: () => (asked++, loading.client),
    resetHost: () => void resets++,
    setActivity: () => {},
    schedule: (cb) => {
      cb();
      return () => {};
    },
    now: () => 0,
  });
  runner.warmUp();
  runner.warmUp();
  assert.equal(asked, 1);
  assert.equal(runner.getState().hostStarting, true);
  loading.failToLoad(new InferenceError({ name: 'ModelLoadError', message: 'x' }));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(resets, 1, 'the broken host is dropped');
  assert.equal(runner.getState().hostStarting, false);
  runner.warmUp();
  assert.equal(asked, 1, 'not again from the pointer');
});
