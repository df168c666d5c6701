/**
 * The Node generation host as a real child process under its supervisor: it loads the shipped
 * model, streams notes, survives hostile messages, reports broken model files instead of crashing,
 * and is restarted after a crash with the requests it had failing clearly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFERENCE_PROTOCOL, type HostMessage } from '../inference/contract.ts';
import { funkBass } from './support/funk-bass.ts';
import { SHIPPED_MODEL_DIR } from '../inference/node/shipped-model.ts';
import { HostSupervisor, childProcessLauncher, type HostProcess, type SupervisorEvent } from '../inference/node/supervisor.ts';

const request = funkBass;

/** A crash this soon after its start counts as quick in the give-up tests (the default is 10 s). */
const QUICK_ON_A_BUSY_MACHINE = 120_000;

function supervise(t: { after: (fn: () => Promise<void>) => void }, args: string[] = ['--providers', 'cpu'], options = {}) {
  const supervisor = new HostSupervisor({ args, ...options });
  const events: SupervisorEvent[] = [];
  supervisor.onEvent((e) => events.push(e));
  t.after(() => supervisor.stop());
  return { supervisor: supervisor.start(), events };
}

function brokenModel(t: { after: (fn: () => void) => void }, breakIt: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-host-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(SHIPPED_MODEL_DIR, dir, { recursive: true, dereference: true });
  breakIt(dir);
  return dir;
}

test('the host loads the shipped model, reports its provider, and streams a riff', async (t) => {
  const { supervisor } = supervise(t, ['--providers', 'auto']);
  const info = await supervisor.client.ready();
  assert.match(info.model.sha256, /^[0-9a-f]{64}$/);
  assert.ok(info.model.loadMs > 0);
  assert.equal(info.provider.tried.at(-1)?.name, info.provider.name, 'the provider in use is the last one tried');
  assert.ok(
    info.provider.tried.slice(0, -1).every((p) => !p.ok && p.reason),
    'every provider passed over says why',
  );
  let streamed = 0;
  const result = await supervisor.client.generate(request(), { onNote: () => streamed++ });
  assert.equal(result.variations.length, 2);
  assert.equal(
    streamed,
    result.variations.reduce((n, v) => n + v.notes.length, 0),
  );
  assert.equal(result.provenance.provider, info.provider.name);
  // Same seed, same notes, across the process boundary.
  assert.deepEqual((await supervisor.client.generate(request())).variations, result.variations);
});

test('a crashed host fails the requests it had, restarts, and serves again', async (t) => {
  const { supervisor, events } = supervise(t);
  await supervisor.client.ready();
  const firstPid = supervisor.pid;
  const running = supervisor.client.generate(request({ role: 'drums', bars: 16, energy: 4, variations: 4 }), {
    onNote: () => process.kill(firstPid!, 'SIGKILL'),
  });
  await assert.rejects(running, (e: Error) => e.name === 'HostCrashed' && /signal SIGKILL/.test(e.message));
  // Asked while the host restarts: waits for the new one.
  const result = await supervisor.client.generate(request());
  assert.equal(result.variations.length, 2);
  assert.notEqual(supervisor.pid, firstPid);
  assert.deepEqual(
    events.map((e) => e.type),
    ['started', 'crashed', 'started'],
  );
});

test('a corrupt or replaced model file is reported by name, and the host stays up', async (t) => {
  const corrupt = brokenModel(t, (dir) => {
    const weights = readFileSync(join(dir, 'model.onnx'));
    weights[weights.length >> 1] ^= 0xff;
    writeFileSync(join(dir, 'model.onnx'), weights);
  });
  const { supervisor, events } = supervise(t, ['--providers', 'cpu', '--model', corrupt]);
  await assert.rejects(
    supervisor.client.ready(),
    (e: Error) => e.name === 'ModelLoadError' && e.message.includes(join(corrupt, 'model.onnx')) && /sha256/.test(e.message),
  );
  await assert.rejects(supervisor.client.generate(request()), (e: Error) => e.name === 'ModelLoadError');

  const wrongVocab = brokenModel(t, (dir) => {
    const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'));
    vocab.tokens.reverse();
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  });
  const other = supervise(t, ['--providers', 'cpu', '--model', wrongVocab]);
  await assert.rejects(
    other.supervisor.client.ready(),
    (e: Error) => e.name === 'ModelLoadError' && e.message.includes(join(wrongVocab, 'vocab.json')),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(
    [...events, ...other.events].map((e) => e.type),
    ['started', 'started'],
    'no crash, no restart loop',
  );
});

test('hostile messages over the IPC channel are answered with errors; the host keeps serving', async (t) => {
  let raw: HostProcess | null = null;
  const { supervisor } = supervise(t, ['--providers', 'cpu'], {
    launcher: (args: string[]) => (raw = childProcessLauncher(args)),
  });
  await supervisor.client.ready();
  const replies: HostMessage[] = [];
  raw!.onMessage((m) => replies.push(m as HostMessage));
  const hostile: unknown[] = [
    { v: 99 },
    { v: INFERENCE_PROTOCOL, type: 'generate', id: '../../etc', request: 5 },
    'x'.repeat(100_000),
    { v: INFERENCE_PROTOCOL, type: 'generate', id: 'z', request: { task: 'generate', bars: -1 } },
  ];
  for (const m of hostile) raw!.post(m as never);
  const result = await supervisor.client.generate(request({ variations: 1 }));
  assert.equal(result.variations.length, 1);
  const errors = replies.filter((m) => m.type === 'error');
  assert.equal(errors.length, 4, JSON.stringify(replies));
  assert.deepEqual(
    errors.map((m) => m.type === 'error' && m.error.name),
    ['ProtocolError', 'ProtocolError', 'ProtocolError', 'RequestError'],
  );
});

test('a host that dies right after every start is given up on, and says so', async (t) => {
  // --threads 0 is refused by the host at start: it exits at once, every time. "At once" is the
  // time a busy machine takes to start Node and onnxruntime (about 8 s a start, measured with two
  // busy loops and a training job on 2 cores; the default window is 10 s), so every crash here
  // counts as quick however long that is.
  const { supervisor, events } = supervise(t, ['--threads', '0'], {
    restartDelayMs: 10,
    maxQuickCrashes: 3,
    quickCrashMs: QUICK_ON_A_BUSY_MACHINE,
  });
  const gaveUp = new Promise<void>((resolve) => supervisor.onEvent((e) => e.type === 'gave-up' && resolve()));
  await gaveUp;
  assert.deepEqual(
    events.map((e) => e.type),
    ['started', 'crashed', 'started', 'crashed', 'started', 'crashed', 'started', 'gave-up'],
  );
});

test('once the host is given up on, waiting and later requests fail at once instead of hanging', async (t) => {
  const { supervisor } = supervise(t, ['--threads', '0'], {
    restartDelayMs: 10,
    maxQuickCrashes: 1,
    quickCrashMs: QUICK_ON_A_BUSY_MACHINE,
  });
  const waiting = supervisor.client.ready();
  await assert.rejects(waiting, (e: Error) => e.name === 'HostCrashed' && /not restarted/.test(e.message));
  await assert.rejects(supervisor.client.generate(request()), (e: Error) => e.name === 'HostCrashed');
});
