import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INFERENCE_PROTOCOL, type HostMessage } from '../contract.ts';
import { Engine } from '../engine/engine.ts';
import type { GenerationRequest } from '../engine/request.ts';
import { loadModelFolder } from '../node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../node/shipped-model.ts';
import { InferenceService, type ServiceState } from './service.ts';

const loaded = await loadModelFolder(SHIPPED_MODEL_DIR);
const model = { id: loaded.card.id, name: loaded.card.name, sha256: loaded.card.weights.sha256 };
const ready = () =>
  new InferenceService({
    kind: 'ready',
    engine: new Engine(loaded.lm, model, 'cpu'),
    model: { ...model, loadMs: 1 },
    provider: { name: 'cpu', tried: [] },
  });
const v = INFERENCE_PROTOCOL;

const request = (overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
  task: 'generate',
  role: 'drums',
  style: 'rock',
  key: null,
  meter: { numerator: 4, denominator: 4 },
  bpm: 120,
  energy: 2,
  bars: 1,
  variations: 1,
  seed: 1,
  sampling: { temperature: 1, topK: 0, topP: 0.95 },
  ...overrides,
});

/** A connected client that records what the service sends it. */
function client(service: InferenceService, name: string, log: string[] = []) {
  const received: HostMessage[] = [];
  const waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];
  const handle = service.connect({
    send: (m) => {
      received.push(m);
      if (m.type === 'started') log.push(`${name}:${m.id}`);
      for (const w of waiters.splice(0)) {
        if (w.match(m)) w.resolve(m);
        else waiters.push(w);
      }
    },
  });
  const next = (match: (m: HostMessage) => boolean): Promise<HostMessage> => {
    const found = received.find(match);
    return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ match, resolve }));
  };
  const finished = (id: string) => next((m) => (m.type === 'done' || m.type === 'error') && m.id === id);
  return { handle, received, next, finished, send: (data: unknown) => handle.receive(data) };
}

test('a client is greeted with the model and provider; a generate streams notes, then the result', async () => {
  const service = ready();
  const a = client(service, 'a');
  assert.equal(a.received[0]?.type, 'ready');
  a.send({ v, type: 'generate', id: 'r1', request: request({ bars: 2 }), stream: true });
  const done = await a.finished('r1');
  assert.equal(done.type, 'done');
  const streamed = a.received.filter((m) => m.type === 'notes').flatMap((m) => (m.type === 'notes' ? m.events : []));
  assert.ok(streamed.length > 0);
  assert.equal(streamed.length, done.type === 'done' ? done.result.variations[0]!.notes.length : -1);
  assert.deepEqual(
    a.received.map((m) => m.type).filter((t) => t !== 'notes'),
    ['ready', 'queued', 'started', 'done'],
  );
});

test('clients take turns: one asking for three riffs does not make another wait for all three', async () => {
  const service = ready();
  const order: string[] = [];
  const a = client(service, 'a', order);
  const b = client(service, 'b', order);
  for (const id of ['1', '2', '3']) a.send({ v, type: 'generate', id, request: request({ seed: Number(id) }) });
  b.send({ v, type: 'generate', id: '1', request: request() });
  await Promise.all([a.finished('3'), b.finished('1')]);
  assert.deepEqual(order, ['a:1', 'b:1', 'a:2', 'a:3']);
});

test('cancel: a queued request is dropped, a running one stops; the queue goes on', async () => {
  const service = ready();
  const a = client(service, 'a');
  a.send({ v, type: 'generate', id: 'long', request: request({ bars: 16, energy: 4, variations: 4 }), stream: true });
  a.send({ v, type: 'generate', id: 'queued', request: request() });
  a.send({ v, type: 'generate', id: 'after', request: request() });
  a.send({ v, type: 'cancel', id: 'queued' });
  await a.next((m) => m.type === 'notes' && m.id === 'long');
  a.send({ v, type: 'cancel', id: 'long' });
  for (const id of ['long', 'queued']) {
    const m = await a.finished(id);
    assert.ok(m.type === 'error' && m.error.name === 'Cancelled', `${id}: ${JSON.stringify(m)}`);
  }
  assert.equal((await a.finished('after')).type, 'done');
  assert.ok(!a.received.some((m) => m.type === 'started' && m.id === 'queued'));
});

test('hostile or broken messages get a ProtocolError or RequestError reply and touch nothing', async () => {
  const service = ready();
  const a = client(service, 'a');
  const bad: unknown[] = [
    null,
    42,
    'generate',
    [],
    { v: 2, type: 'generate', id: 'x', request: request() },
    { v, type: 'explode' },
    { v, type: 'generate', id: 'x'.repeat(500), request: request() },
    { v, type: 'generate', id: 'no-request' },
    { v, type: 'cancel' },
    { v, type: 'generate', id: 'proto', request: { __proto__: { task: 'generate' } } },
  ];
  for (const data of bad) a.send(data);
  const errors = a.received.filter((m) => m.type === 'error');
  assert.equal(errors.length, bad.length - 1, JSON.stringify(a.received)); // 'proto' is a well-formed message with a bad request
  assert.ok(errors.every((m) => m.type === 'error' && m.error.name === 'ProtocolError'));
  const proto = await a.finished('proto');
  assert.ok(proto.type === 'error' && proto.error.name === 'RequestError', JSON.stringify(proto));
  a.send({ v, type: 'generate', id: 'bad-bars', request: request({ bars: 99 }) });
  const refused = await a.finished('bad-bars');
  assert.ok(refused.type === 'error' && refused.error.name === 'RequestError' && /bars must be/.test(refused.error.message));
  a.send({ v, type: 'generate', id: 'ok', request: request() });
  a.send({ v, type: 'generate', id: 'ok', request: request() });
  const dup = await a.next((m) => m.type === 'error' && m.id === 'ok');
  assert.ok(dup.type === 'error' && /already queued or running/.test(dup.error.message));
  assert.equal((await a.next((m) => m.type === 'done' && m.id === 'ok')).type, 'done');
});

test('a client that goes away takes its requests with it; others are served', async () => {
  // The service's engine, with every forward pass and every request's end recorded: what the
  // service did after the client went away is read from there, not from a stopwatch around it.
  const passes: number[] = [];
  const ended = new Map<number, { at: number; outcome: string }>();
  const lm = Object.create(loaded.lm) as typeof loaded.lm;
  lm.forward = (ids, cache) => {
    passes.push(performance.now());
    return loaded.lm.forward(ids, cache);
  };
  const engine = new Engine(lm, model, 'cpu');
  const generate = engine.generate.bind(engine);
  engine.generate = (request, hooks) =>
    generate(request, hooks).then(
      (result) => (ended.set(request.bars, { at: performance.now(), outcome: 'done' }), result),
      (error: Error) => {
        ended.set(request.bars, { at: performance.now(), outcome: error.name });
        throw error;
      },
    );
  const service = new InferenceService({ kind: 'ready', engine, model: { ...model, loadMs: 1 }, provider: { name: 'cpu', tried: [] } });
  const a = client(service, 'a');
  const b = client(service, 'b');
  a.send({ v, type: 'generate', id: 'gone', request: request({ bars: 16, energy: 4, variations: 4 }), stream: true });
  a.send({ v, type: 'generate', id: 'never', request: request({ bars: 2 }) });
  b.send({ v, type: 'generate', id: 'mine', request: request() });
  await a.next((m) => m.type === 'notes');
  const closedAt = performance.now();
  a.handle.close();
  assert.equal((await b.finished('mine')).type, 'done');
  // The abandoned request stopped instead of finishing its 16 bars: aborted, with no forward pass
  // begun after the client left (the one already running finishes), ended within a step or two.
  const gone = ended.get(16);
  assert.equal(gone?.outcome, 'AbortError', 'the abandoned request was aborted');
  const passesAfterClose = passes.filter((p) => p > closedAt && p < gone!.at).length;
  assert.equal(passesAfterClose, 0, `${passesAfterClose} forward passes for the abandoned request after its client left`);
  assert.ok(gone!.at - closedAt < 500, `the abandoned request ended ${Math.round(gone!.at - closedAt)} ms after its client left`);
  assert.equal(ended.has(2), false, 'its queued request never ran');
  await new Promise((resolve) => setImmediate(resolve)); // the service clears its slot after the reply
  assert.equal(service.pending, 0);
});

test('a service without a model says why to every client and every request', async () => {
  const service = new InferenceService({
    kind: 'unavailable',
    error: { name: 'ModelLoadError', message: '/m/model.onnx: sha256 is 00 but the model card records 11' },
  });
  const a = client(service, 'a');
  assert.deepEqual(a.received[0], {
    v,
    type: 'unavailable',
    error: { name: 'ModelLoadError', message: '/m/model.onnx: sha256 is 00 but the model card records 11' },
  });
  a.send({ v, type: 'generate', id: 'r', request: request() });
  const reply = await a.finished('r');
  assert.ok(reply.type === 'error' && reply.error.name === 'ModelLoadError');
});

/** Idle work that records what it was asked and told; `logged(entry)` resolves once that entry is in. */
function recordedIdleWork(requests: GenerationRequest[]) {
  const log: string[] = [];
  const waiters: { entry: string; resolve: () => void }[] = [];
  const add = (entry: string) => {
    log.push(entry);
    for (const w of waiters.filter((w) => w.entry === entry)) w.resolve();
  };
  const work = {
    next: () => {
      const r = requests.shift() ?? null;
      add(r ? `next:${r.seed}` : 'next:none');
      return r;
    },
    ran: (ms: number, finished: boolean) => add(ms >= 0 && finished ? 'ran:finished' : 'ran:stopped'),
  };
  const logged = (entry: string) =>
    log.includes(entry) ? Promise.resolve() : new Promise<void>((resolve) => void waiters.push({ entry, resolve }));
  return { work, log, logged };
}

const readyState = (): ServiceState => ({
  kind: 'ready',
  engine: new Engine(loaded.lm, model, 'cpu'),
  model: { ...model, loadMs: 1 },
  provider: { name: 'cpu', tried: [] },
});

test('idle work runs once a request was served and nothing waits, stops for a client at once, and goes on after it', async () => {
  const { work, log, logged } = recordedIdleWork([request({ bars: 16, energy: 4, variations: 4, seed: 101 }), request({ seed: 102 })]);
  const service = new InferenceService(readyState(), { idleWork: work, idleAfterMs: 1 });
  const a = client(service, 'a');
  a.send({ v, type: 'generate', id: 'first', request: request({ seed: 4 }) });
  assert.equal((await a.finished('first')).type, 'done');
  await logged('next:101');
  a.send({ v, type: 'generate', id: 'mine', request: request({ seed: 5 }) });
  // The long idle riff (16 bars, 4 variations) is stopped and the client's request served.
  assert.equal((await a.finished('mine')).type, 'done');
  assert.deepEqual(log, ['next:101', 'ran:stopped']);
  // Idle again: the next idle request, then none left, and the service stays idle.
  await logged('next:none');
  assert.deepEqual(log, ['next:101', 'ran:stopped', 'next:102', 'ran:finished', 'next:none']);
  a.send({ v, type: 'generate', id: 'later', request: request({ seed: 6 }) });
  assert.equal((await a.finished('later')).type, 'done');
  assert.equal(log.length, 5, 'idle work that has none left is not asked again');
  service.dispose();
});

test('no idle work before a first request, nor before the quiet period; dispose ends it', async () => {
  const { work, log } = recordedIdleWork([request({ seed: 201 })]);
  const loadedOnly = new InferenceService(readyState(), { idleWork: work, idleAfterMs: 0 });
  client(loadedOnly, 'hovered');
  // A page that loaded the model and asked nothing. Idle work would be due at once (idleAfterMs 0),
  // on a timer set before this one: timers of one delay fire in the order they were set.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(log, [], 'no idle work for a service that has served nothing');
  loadedOnly.dispose();

  const service = new InferenceService(readyState(), { idleWork: work, idleAfterMs: 60_000 });
  const a = client(service, 'a');
  a.send({ v, type: 'generate', id: 'r', request: request() });
  assert.equal((await a.finished('r')).type, 'done');
  assert.deepEqual(log, [], 'no idle work before the quiet period');
  service.dispose(); // clears the quiet-period timer: the test process exits without waiting for it
});
