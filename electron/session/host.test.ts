/**
 * The session host's message handling, in-process (the cross-process runs are in
 * tests/session-host.test.ts): bad messages get a ProtocolError reply, never a crash; one host
 * serves one project; stop closes the room and exits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProject } from '../project/project-file.ts';
import { SESSION_PROTOCOL, type HostMessage } from './contract.ts';
import { serveParent, toWireError } from './host.ts';

async function next(messages: HostMessage[], count: number): Promise<HostMessage> {
  for (let i = 0; i < 500 && messages.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(messages.length >= count, `reply ${count} arrived`);
  return messages[count - 1]!;
}

test('bad messages are answered with a ProtocolError; one project per host; stop closes and exits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-host-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const project = join(dir, 'song.riffroom');
  createProject(project);
  const messages: HostMessage[] = [];
  const exits: number[] = [];
  const receive = serveParent(
    (m) => messages.push(m),
    (code) => exits.push(code),
  );

  const bad: [unknown, RegExp][] = [
    [null, /unknown message/],
    ['start', /unknown message/],
    [{ v: 99, type: 'start' }, /unknown message/],
    [{ v: SESSION_PROTOCOL, type: 'start', projectPath: '', mode: 'solo' }, /projectPath/],
    [{ v: SESSION_PROTOCOL, type: 'start', projectPath: project, mode: 'public' }, /mode must be solo or lan/],
    [{ v: SESSION_PROTOCOL, type: 'start', projectPath: project, mode: 'solo', port: 70000 }, /port/],
    [{ v: SESSION_PROTOCOL, type: 'start', projectPath: project, mode: 'solo', secret: 'short' }, /secret/],
    [{ v: SESSION_PROTOCOL, type: 'start', projectPath: project, mode: 'solo', webDir: 5 }, /webDir/],
  ];
  for (const [message, reason] of bad) {
    receive(message);
    const reply = messages.at(-1)!;
    assert.equal(reply.type, 'error', JSON.stringify(message));
    if (reply.type === 'error') {
      assert.equal(reply.error.name, 'ProtocolError');
      assert.match(reply.error.message, reason);
    }
  }
  const count = messages.length;
  receive({ v: SESSION_PROTOCOL, type: 'start', projectPath: project, mode: 'solo', webDir: null, modelDir: null, userName: 'ann' });
  receive({ v: SESSION_PROTOCOL, type: 'start', projectPath: project, mode: 'solo' });
  const refused = await next(messages, count + 1);
  assert.equal(refused.type, 'error');
  assert.match((refused as { error: { message: string } }).error.message, /already serves a project/);
  const started = await next(messages, count + 2);
  assert.equal(started.type, 'started');
  if (started.type === 'started') {
    assert.equal(started.session.room, 'song');
    const health = await fetch(`${started.session.httpUrl}/healthz`);
    assert.deepEqual(await health.json(), { ok: true, rooms: 1, connections: 0 });
  }
  receive({ v: SESSION_PROTOCOL, type: 'stop' });
  const stopped = await next(messages, count + 3);
  assert.equal(stopped.type, 'stopped');
  assert.deepEqual(exits, [0]);
});

test('errors reach the parent by kind', () => {
  assert.deepEqual(toWireError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })), {
    name: 'ListenError',
    code: 'EADDRINUSE',
    message: 'the port is already in use by another program',
  });
  assert.deepEqual(toWireError(new Error('boom')), { name: 'SessionError', message: 'boom' });
});
