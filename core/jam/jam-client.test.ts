import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JamClient, type JamSocket } from './jam-client.ts';
import { initialTransport } from './timeline.ts';
import { DEFAULT_RULES } from './contract.ts';

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
  constructor(url: string) {
    this.url = url;
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
  const client = new JamClient({ url: 'ws://x/r/jam?token=t', WebSocket: FakeSocket, now: () => local, pingIntervalMs: 10_000, burstIntervalMs: 1 });
  const socket = FakeSocket.last!;
  const problems: string[] = [];
  client.onProblem((p) => problems.push(p));
  const changes: string[] = [];
  client.onChange((k) => changes.push(k));
  assert.equal(client.status, 'connecting');
  socket.open();
  assert.equal(client.status, 'syncing');

  for (const bad of ['not json', '[1]', '{"v":2,"type":"pong"}', { v: 1, type: 'pong', id: 'x' }, { v: 1, type: 'welcome' }, { v: 1, type: 'transport', transport: { playing: 'yes' } }, { v: 1, type: 'peers', peers: 3 }, { v: 1, type: 'live', notes: 'x' }]) {
    assert.doesNotThrow(() => socket.deliver(bad));
  }
  socket.onmessage?.({ data: new Uint8Array([1]) });
  assert.equal(problems.length, 9);
  assert.equal(client.problems, 9);
  socket.deliver({ v: 1, type: 'future-thing' });
  assert.equal(problems.length, 9, 'an unknown type from a newer server is not a problem');

  socket.deliver({ v: 1, type: 'welcome', clientId: 'c1', id: 'ann-id', name: 'ann', role: 'editor', transport: initialTransport(), rules: DEFAULT_RULES, peers: [] });
  assert.deepEqual(client.me, { clientId: 'c1', id: 'ann-id', name: 'ann', role: 'editor' });
  assert.equal(client.status, 'syncing', 'not ready before the clock is');

  // Answer the pings as a server whose clock is 500 ms ahead, 2 ms each way.
  await new Promise((r) => setTimeout(r, 50));
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
  socket.deliver({ v: 1, type: 'live', from: 'c2', name: 'bob', notes: [{ kind: 'on', pitch: 60, velocity: 90, trackId: null, at: 1 }], relayedAt: 5 });
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
  await new Promise((r) => setTimeout(r, 400));
  assert.notEqual(FakeSocket.last, socket);
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
