import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JamClient, type JamSocket } from './jam-client.ts';
import { initialTransport } from './timeline.ts';
import { DEFAULT_RULES, type JamPeer } from './contract.ts';

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A scripted socket: the test plays the server. */
class FakeSocket implements JamSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly url: string;
  readonly protocols: string[] | undefined;
  constructor(url: string, protocols?: string[]) {
    this.url = url;
    this.protocols = protocols;
    FakeSocket.last = this;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
}

test('the client tolerates and reports malformed server messages, and follows a scripted server', async () => {
  let local = 1000;
  const client = new JamClient({
    url: 'ws://x/r/jam?token=t',
    WebSocket: FakeSocket,
    now: () => local,
    pingIntervalMs: 10_000,
    warmupMs: 0,
    burstIntervalMs: 1,
  });
  const socket = FakeSocket.last!;
  const problems: string[] = [];
  client.onProblem((p) => problems.push(p));
  const changes: string[] = [];
  client.onChange((k) => changes.push(k));
  assert.equal(client.status, 'connecting');
  socket.open();
  assert.equal(client.status, 'syncing');

  for (const bad of [
    'not json',
    '[1]',
    '{"v":2,"type":"pong"}',
    { v: 1, type: 'pong', id: 'x' },
    { v: 1, type: 'welcome' },
    { v: 1, type: 'transport', transport: { playing: 'yes' } },
    { v: 1, type: 'peer-joined', peer: 3 },
    { v: 1, type: 'live', notes: 'x' },
  ]) {
    assert.doesNotThrow(() => socket.deliver(bad));
  }
  socket.onmessage?.({ data: new Uint8Array([1]) });
  assert.equal(problems.length, 9);
  assert.equal(client.problems, 9);
  socket.deliver({ v: 1, type: 'future-thing' });
  assert.equal(problems.length, 9, 'an unknown type from a newer server is not a problem');

  socket.deliver({
    v: 1,
    type: 'welcome',
    clientId: 'c1',
    id: 'ann-id',
    name: 'ann',
    role: 'editor',
    transport: initialTransport(),
    rules: DEFAULT_RULES,
    peers: [],
  });
  assert.deepEqual(client.me, { clientId: 'c1', id: 'ann-id', name: 'ann', role: 'editor' });
  assert.equal(client.status, 'syncing', 'not ready before the clock is');

  // Answer the pings as a server whose clock is 500 ms ahead, 2 ms each way.
  // Waits for the burst itself, not a fixed time (a busy machine can stall timers for 50 ms).
  await until(() => socket.sent.filter((m) => m.type === 'ping').length >= 8, 'a burst of 8 pings');
  const pings = socket.sent.filter((m) => m.type === 'ping');
  assert.equal(pings.length, 8, 'a burst of 8');
  for (const ping of pings) {
    const t0 = ping.t0 as number;
    local = t0 + 4;
    socket.deliver({ v: 1, type: 'pong', id: ping.id, t0, t1: t0 + 502, t2: t0 + 502 });
  }
  assert.equal(client.status, 'ready');
  assert.ok(Math.abs(client.clock.offsetMs - 500) < 1e-9);
  assert.equal(client.serverNow(), local + 500);
  assert.ok(socket.sent.some((m) => m.type === 'clock-report' && m.offsetMs === 500));
  // A stale pong (unknown id) is ignored.
  socket.deliver({ v: 1, type: 'pong', id: 9999, t0: 1, t1: 2, t2: 3 });
  assert.equal(client.clock.accepted, 8);

  assert.throws(() => client.request({ action: 'tempo', bpm: 1000 }), /bpm/);
  assert.ok(client.request({ action: 'play' }));
  assert.deepEqual(socket.sent.at(-1), { v: 1, type: 'transport', request: { action: 'play' } });
  const refused: string[] = [];
  client.onRefused((reason) => refused.push(reason));
  socket.deliver({ v: 1, type: 'refused', reason: 'nope', request: 'transport' });
  assert.deepEqual(refused, ['nope']);
  const live: number[] = [];
  client.onLive((m) => live.push(m.notes.length));
  socket.deliver({
    v: 1,
    type: 'live',
    from: 'c2',
    name: 'bob',
    notes: [{ kind: 'on', pitch: 60, velocity: 90, trackId: null, at: 1 }],
    relayedAt: 5,
  });
  assert.deepEqual(live, [1]);
  assert.ok(changes.includes('transport') && changes.includes('clock') && changes.includes('status'));

  // A listener that throws does not break the client.
  const unsubscribe = client.onChange(() => {
    throw new Error('listener bug');
  });
  socket.deliver({ v: 1, type: 'rules', rules: { ...DEFAULT_RULES, transportLocked: true } });
  assert.equal(client.rules().transportLocked, true);
  unsubscribe();

  // A drop: reconnects (a new socket) and flags a possible clock step.
  socket.readyState = 3;
  socket.onclose?.({ code: 1006, reason: '' });
  assert.equal(client.status, 'connecting');
  await until(() => FakeSocket.last !== socket, 'a new socket');
  FakeSocket.last!.open();
  assert.equal(client.status, 'syncing');
  assert.equal(client.connections, 2);
  client.close();
  assert.equal(client.status, 'closed');
  // A final close code (forbidden) stops reconnecting.
  const other = new JamClient({ url: 'ws://x/r/jam', WebSocket: FakeSocket, now: () => local });
  FakeSocket.last!.open();
  FakeSocket.last!.onclose?.({ code: 4403, reason: 'no' });
  assert.equal(other.status, 'closed');
  other.close();
  await new Promise((r) => setTimeout(r, 10));
});

test("the peer list: the welcome's list, then the server's deltas applied in order", () => {
  const client = new JamClient({ url: 'ws://x/r/jam?token=t', WebSocket: FakeSocket, pingIntervalMs: 10_000, warmupMs: 0 });
  const socket = FakeSocket.last!;
  socket.open();
  const problems: string[] = [];
  client.onProblem((p) => problems.push(p));
  let peerChanges = 0;
  client.onChange((k) => k === 'peers' && peerChanges++);
  const peer = (clientId: string, name: string, role: JamPeer['role'] = 'editor'): JamPeer => ({
    clientId,
    id: `${name}-id`,
    name,
    role,
    offsetMs: null,
    rttMs: null,
  });
  const ann = peer('c1', 'ann');
  const bob = { ...peer('c2', 'bob'), offsetMs: 3, rttMs: 1 };
  socket.deliver({
    v: 1,
    type: 'welcome',
    clientId: 'c1',
    id: 'ann-id',
    name: 'ann',
    role: 'editor',
    transport: initialTransport(),
    rules: DEFAULT_RULES,
    peers: [ann, bob],
  });
  assert.deepEqual(client.peers(), [ann, bob]);

  const before = client.peers();
  socket.deliver({ v: 1, type: 'peer-joined', peer: peer('c3', 'cat', 'viewer') });
  assert.notEqual(client.peers(), before, 'a new array for every change (the UI compares by identity)');
  assert.deepEqual(
    client.peers().map((p) => p.clientId),
    ['c1', 'c2', 'c3'],
  );
  // The same member again (never sent by the server, but harmless): replaced, not doubled.
  socket.deliver({ v: 1, type: 'peer-joined', peer: { ...peer('c3', 'cat', 'viewer'), name: 'cat2' } });
  assert.deepEqual(
    client.peers().map((p) => `${p.clientId}:${p.name}`),
    ['c1:ann', 'c2:bob', 'c3:cat2'],
  );

  socket.deliver({
    v: 1,
    type: 'peer-clocks',
    clocks: [
      { clientId: 'c3', offsetMs: -7.5, rttMs: 2 },
      { clientId: 'gone', offsetMs: 1, rttMs: 1 },
    ],
  });
  assert.deepEqual(
    client.peers().find((p) => p.clientId === 'c3'),
    { ...peer('c3', 'cat', 'viewer'), name: 'cat2', offsetMs: -7.5, rttMs: 2 },
  );
  assert.equal(
    client.peers().find((p) => p.clientId === 'c2'),
    client.peers()[1],
    'peers without news are kept as they were',
  );
  assert.deepEqual(client.peers()[1], bob);

  socket.deliver({ v: 1, type: 'peer-left', clientId: 'c2' });
  assert.deepEqual(
    client.peers().map((p) => p.clientId),
    ['c1', 'c3'],
  );
  const changes = peerChanges;
  socket.deliver({ v: 1, type: 'peer-left', clientId: 'nobody' });
  socket.deliver({ v: 1, type: 'peer-clocks', clocks: [{ clientId: 'nobody', offsetMs: 1, rttMs: 1 }] });
  assert.equal(peerChanges, changes, 'news about unknown members changes nothing');

  for (const bad of [
    { v: 1, type: 'peer-joined', peer: { clientId: 'c9' } },
    { v: 1, type: 'peer-left', clientId: 9 },
    { v: 1, type: 'peer-clocks', clocks: {} },
    { v: 1, type: 'peer-clocks', clocks: [{ clientId: 'c1', offsetMs: 'x', rttMs: 1 }] },
  ])
    socket.deliver(bad);
  assert.equal(problems.length, 4);
  assert.deepEqual(
    client.peers().map((p) => p.clientId),
    ['c1', 'c3'],
    'malformed deltas change nothing',
  );

  // A reconnection's welcome replaces the list.
  socket.deliver({
    v: 1,
    type: 'welcome',
    clientId: 'c7',
    id: 'ann-id',
    name: 'ann',
    role: 'editor',
    transport: initialTransport(),
    rules: DEFAULT_RULES,
    peers: [peer('c7', 'ann')],
  });
  assert.deepEqual(
    client.peers().map((p) => p.clientId),
    ['c7'],
  );
  client.close();
});

test('the token goes in the subprotocols and is renewed in place; after a 4401 it waits for a newer one', async () => {
  const protocols = (token: string) => ['riffroom', `riffroom-token.${token}`];
  const client = new JamClient({
    url: 'ws://x/r/jam',
    auth: { token: 'one', protocols },
    WebSocket: FakeSocket,
    pingIntervalMs: 10_000,
    warmupMs: 0,
    reconnectMinMs: 1,
  });
  const first = FakeSocket.last!;
  assert.equal(first.url, 'ws://x/r/jam', 'no token in the URL');
  assert.deepEqual(first.protocols, ['riffroom', 'riffroom-token.one']);
  first.open();
  client.setToken('two');
  assert.deepEqual(
    first.sent.filter((m) => m.type === 'token'),
    [{ v: 1, type: 'token', token: 'two' }],
    'sent in place on the open socket',
  );
  const changes: string[] = [];
  client.onChange((k) => changes.push(k));
  first.deliver({ v: 1, type: 'token', exp: 1_800_000_000 });
  assert.equal(client.tokenExp, 1_800_000_000);
  assert.ok(changes.includes('token'));
  const refused: [string, string | undefined][] = [];
  client.onRefused((reason, request) => refused.push([reason, request]));
  first.deliver({ v: 1, type: 'refused', reason: 'renewal refused: the new token is for another identity', request: 'token' });
  assert.deepEqual(refused, [['renewal refused: the new token is for another identity', 'token']]);

  // A dropped connection reconnects with the newest token.
  first.onclose?.({ code: 1006, reason: '' });
  await until(() => FakeSocket.last !== first, 'a new socket');
  const second = FakeSocket.last!;
  assert.deepEqual(second.protocols, ['riffroom', 'riffroom-token.two']);
  // A token given while it connects goes out once it is open.
  client.setToken('three');
  assert.equal(second.sent.length, 0);
  second.open();
  assert.deepEqual(
    second.sent.filter((m) => m.type === 'token'),
    [{ v: 1, type: 'token', token: 'three' }],
  );

  // The token ran out: closed, no reconnect, until a newer token comes.
  second.onclose?.({ code: 4401, reason: 'token expired' });
  assert.equal(client.status, 'closed');
  assert.equal(client.expired, 'token expired');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(FakeSocket.last, second, 'no reconnect with a token that ran out');
  client.setToken('four');
  assert.equal(client.expired, null);
  assert.notEqual(FakeSocket.last, second, 'a newer token: reconnected at once');
  assert.deepEqual(FakeSocket.last!.protocols, ['riffroom', 'riffroom-token.four']);
  assert.equal(client.status, 'connecting');
  client.close();
});

test('pings: a burst, then every ~250 ms for the first 15 s of a connection, then every ~1.5 s', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let local = 5000;
  const client = new JamClient({ url: 'ws://x/r/jam?token=t', WebSocket: FakeSocket, now: () => local });
  const socket = FakeSocket.last!;
  socket.open();
  for (let step = 0; step < 3000; step++) {
    local += 10;
    t.mock.timers.tick(10);
  }
  const sentAt = socket.sent.filter((m) => m.type === 'ping').map((m) => (m.t0 as number) - 5000);
  const gaps = sentAt.slice(1).map((at, i) => ({ at, gap: at - sentAt[i]! }));
  assert.equal(sentAt.slice(0, 8).at(-1), 7 * 50, 'a burst of 8, 50 ms apart');
  const warm = gaps.slice(7).filter((g) => g.at <= 15_000);
  const settled = gaps.filter((g) => g.at > 15_000 + 300);
  assert.ok(warm.length >= 50, `${warm.length} pings in the warm-up`);
  assert.ok(
    warm.every((g) => g.gap >= 200 && g.gap <= 300),
    `warm-up gaps ${warm.map((g) => g.gap)}`,
  );
  assert.ok(settled.length >= 8, `${settled.length} pings after it`);
  assert.ok(
    settled.every((g) => g.gap >= 1200 && g.gap <= 1800),
    `settled gaps ${settled.map((g) => g.gap)}`,
  );
  client.close();
});
