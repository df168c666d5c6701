/**
 * The session manager's lifecycle logic against fake host processes (fast, deterministic). The
 * real host under child_process.fork is exercised in tests/session-host.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_PROTOCOL, type HostedSession, type ParentMessage, type StartRequest, type WireSessionError } from './contract.ts';
import { SessionManager, SessionStartError, type SessionEvent, type SessionHostProcess } from './manager.ts';

type Behaviour = 'serve' | 'never-ready' | { error: WireSessionError } | 'exit-at-start';

class FakeHost implements SessionHostProcess {
  static nextPid = 100;
  readonly pid = FakeHost.nextPid++;
  readonly received: ParentMessage[] = [];
  private messageHandlers = new Set<(data: unknown) => void>();
  private exitHandlers: ((code: number | null, signal: string | null) => void)[] = [];
  exited = false;
  private readonly behaviour: Behaviour;
  private readonly ports: { taken: Set<number> };
  constructor(behaviour: Behaviour, ports: { taken: Set<number> }) {
    this.behaviour = behaviour;
    this.ports = ports;
    if (behaviour !== 'never-ready') setTimeout(() => this.say({ v: SESSION_PROTOCOL, type: 'ready', pid: this.pid }), 1);
  }
  post(message: ParentMessage): void {
    this.received.push(message);
    setTimeout(() => this.handle(message), 1);
  }
  private handle(message: ParentMessage): void {
    if (this.exited) return;
    if (message.type === 'stop') {
      this.say({ v: SESSION_PROTOCOL, type: 'stopped' });
      return this.exit(0, null);
    }
    const b = this.behaviour;
    if (b === 'exit-at-start') return this.exit(1, null);
    if (typeof b === 'object') return this.say({ v: SESSION_PROTOCOL, type: 'error', error: b.error });
    if (message.port && this.ports.taken.has(message.port)) {
      return this.say({ v: SESSION_PROTOCOL, type: 'error', error: { name: 'ListenError', code: 'EADDRINUSE', message: 'in use' } });
    }
    this.say({ v: SESSION_PROTOCOL, type: 'started', session: sessionFor(message, message.port || 5000 + this.pid) });
  }
  say(data: unknown): void {
    for (const h of this.messageHandlers) h(data);
  }
  onMessage(handler: (data: unknown) => void): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }
  onExit(handler: (code: number | null, signal: string | null) => void): void {
    this.exitHandlers.push(handler);
  }
  exit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const h of this.exitHandlers.splice(0)) h(code, signal);
  }
  kill(): void {
    setTimeout(() => this.exit(null, 'SIGKILL'), 1);
  }
}

function sessionFor(request: StartRequest, port: number): HostedSession {
  return {
    projectPath: request.projectPath,
    room: 'r',
    mode: request.mode,
    port,
    wsUrl: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    ownerToken: 't',
    inviteLink: 'l',
    browserLink: null,
    lanAddress: null,
    inviteExpires: 0,
  };
}

function setup(behaviours: Behaviour[] = [], options: Partial<ConstructorParameters<typeof SessionManager>[0]> = {}) {
  const hosts: FakeHost[] = [];
  const ports = { taken: new Set<number>() };
  const events: SessionEvent[] = [];
  const manager = new SessionManager({
    launch: () => {
      const host = new FakeHost(behaviours.shift() ?? 'serve', ports);
      hosts.push(host);
      return host;
    },
    restartDelayMs: 5,
    maxRestartDelayMs: 20,
    startTimeoutMs: 200,
    stopTimeoutMs: 100,
    ...options,
  });
  manager.onEvent((e) => events.push(e));
  return { manager, hosts, events, ports };
}

const until = async (condition: () => boolean, message: string) => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), message);
};

test('start waits for ready, sends the start request with the manager’s secret, and stop asks the host to close', async () => {
  const { manager, hosts, events } = setup([], { secret: 'a-secret-of-thirty-two-characters!', userName: 'ann' });
  const session = await manager.start('/p/a.riffroom', 'solo');
  assert.equal(manager.state, 'running');
  assert.equal(manager.session, session);
  const start = hosts[0]!.received[0] as StartRequest;
  assert.deepEqual(start, {
    v: 1,
    type: 'start',
    projectPath: '/p/a.riffroom',
    mode: 'solo',
    port: 0,
    secret: 'a-secret-of-thirty-two-characters!',
    userName: 'ann',
  });
  await manager.stop();
  assert.equal(hosts[0]!.received[1]!.type, 'stop');
  assert.ok(hosts[0]!.exited);
  assert.equal(manager.state, 'stopped');
  assert.deepEqual(
    events.map((e) => e.type),
    ['started', 'stopped'],
  );
});

test('switching projects stops the old host first and keeps the port', async () => {
  const { manager, hosts } = setup();
  const a = await manager.start('/p/a.riffroom', 'lan');
  const b = await manager.switchProject('/p/b.riffroom');
  assert.ok(hosts[0]!.exited, 'the first host was stopped');
  assert.equal(b.projectPath, '/p/b.riffroom');
  assert.equal(b.mode, 'lan');
  assert.equal(b.port, a.port, 'same port: the LAN address stays');
  const solo = await manager.setMode('solo');
  assert.equal(solo.mode, 'solo');
  assert.equal(solo.projectPath, '/p/b.riffroom');
  await manager.stop();
});

test('a taken port falls back to any free one', async () => {
  const { manager, ports } = setup();
  const a = await manager.start('/p/a.riffroom', 'solo');
  ports.taken.add(a.port);
  const b = await manager.switchProject('/p/b.riffroom');
  assert.notEqual(b.port, a.port);
  await manager.stop();
});

test('start errors reject with what the host said, and nothing is left running', async () => {
  const { manager, hosts } = setup([
    { error: { name: 'ProjectFileError', problem: 'newer-version', message: 'Cannot open "x": newer' } },
    'never-ready',
    'exit-at-start',
  ]);
  await assert.rejects(
    manager.start('/p/x.riffroom'),
    (err: unknown) => err instanceof SessionStartError && err.error.problem === 'newer-version',
  );
  await until(() => hosts[0]!.exited, 'the refusing host is gone');
  await assert.rejects(manager.start('/p/x.riffroom'), /did not start within/);
  await assert.rejects(manager.start('/p/x.riffroom'), /exited \(code 1\) before it was serving/);
  assert.equal(manager.state, 'stopped');
  assert.equal(manager.session, null);
});

test('a crash restarts the host on the same port and project', async () => {
  const { manager, hosts, events } = setup();
  const first = await manager.start('/p/a.riffroom', 'lan');
  hosts[0]!.exit(null, 'SIGKILL');
  await until(() => events.some((e) => e.type === 'restarted'), 'restarted');
  const restarted = events.find((e) => e.type === 'restarted') as Extract<SessionEvent, { type: 'restarted' }>;
  assert.equal(restarted.session.port, first.port);
  assert.equal((hosts[1]!.received[0] as StartRequest).port, first.port);
  assert.equal((hosts[1]!.received[0] as StartRequest).projectPath, '/p/a.riffroom');
  assert.equal(manager.state, 'running');
  assert.deepEqual(
    events.map((e) => e.type),
    ['started', 'crashed', 'restarted'],
  );
  await manager.stop();
});

test('repeated quick crashes are given up on', async () => {
  const { manager, hosts, events } = setup([], { maxQuickCrashes: 3 });
  await manager.start('/p/a.riffroom');
  for (let i = 0; i < 4; i++) {
    await until(() => hosts.length === i + 1 && manager.state === 'running', `host ${i + 1} running`);
    hosts[i]!.exit(1, null);
  }
  await until(() => manager.state === 'failed', 'given up');
  const gaveUp = events.find((e) => e.type === 'gave-up') as Extract<SessionEvent, { type: 'gave-up' }>;
  assert.equal(gaveUp.crashes, 4);
  assert.match(gaveUp.message, /4 times in a row/);
  const delays = events.filter((e) => e.type === 'crashed').map((e) => (e as { restartInMs: number }).restartInMs);
  assert.deepEqual(delays, [5, 10, 20], 'growing pauses, capped');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(hosts.length, 4, 'no further restart');
});

test('a restart that finds the project gone gives up at once', async () => {
  const { manager, hosts, events } = setup([
    'serve',
    { error: { name: 'ProjectFileError', problem: 'missing', message: 'Cannot open "a": the file does not exist' } },
  ]);
  await manager.start('/p/a.riffroom');
  hosts[0]!.exit(1, null);
  await until(() => manager.state === 'failed', 'given up');
  assert.match((events.at(-1) as { message: string }).message, /does not exist/);
});

test('stop during a pending restart cancels it', async () => {
  const { manager, hosts } = setup([], { restartDelayMs: 50 });
  await manager.start('/p/a.riffroom');
  hosts[0]!.exit(1, null);
  await until(() => manager.state === 'restarting', 'restarting');
  await manager.stop();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(hosts.length, 1);
  assert.equal(manager.state, 'stopped');
});

test('a host that ignores stop is killed after the stop timeout', async () => {
  const { manager, hosts } = setup();
  await manager.start('/p/a.riffroom');
  hosts[0]!.post = () => {}; // deaf
  const started = Date.now();
  await manager.stop();
  assert.ok(hosts[0]!.exited);
  assert.ok(Date.now() - started >= 90);
});
