import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JamPeer, JamServerMessage } from '../../core/jam/contract.ts';
import type { TokenClaims } from '../contract.ts';
import { JamRoom, newClientId, type JamMember } from './jam-room.ts';

/** A member that keeps every text the room sends it, and its peer list as a client would keep it. */
class RecordingMember implements JamMember {
  readonly clientId = newClientId();
  readonly identity: TokenClaims;
  readonly texts: string[] = [];
  list: JamPeer[] = [];
  constructor(name: string, role: TokenClaims['role'] = 'viewer') {
    this.identity = { room: 'r', role, name, id: `${name}-id`, exp: 0, iat: 0 };
  }
  send(message: JamServerMessage): void {
    this.sendText(JSON.stringify(message));
  }
  sendText(json: string): void {
    this.texts.push(json);
    const m = JSON.parse(json) as JamServerMessage;
    if (m.type === 'welcome') this.list = m.peers;
    if (m.type === 'peer-joined') this.list = [...this.list, m.peer];
    if (m.type === 'peer-left') this.list = this.list.filter((p) => p.clientId !== m.clientId);
    if (m.type === 'peer-clocks') {
      for (const c of m.clocks)
        this.list = this.list.map((p) => (p.clientId === c.clientId ? { ...p, offsetMs: c.offsetMs, rttMs: c.rttMs } : p));
    }
  }
  close(): void {}
  types(from = 0): string[] {
    return this.texts.slice(from).map((t) => (JSON.parse(t) as JamServerMessage).type);
  }
}

const sortById = (peers: JamPeer[]) => [...peers].sort((a, b) => a.clientId.localeCompare(b.clientId));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

test('joins and leaves travel as deltas: one small message each, and every list matches the room', () => {
  const room = new JamRoom();
  const members: RecordingMember[] = [];
  for (let i = 0; i < 50; i++) {
    const m = new RecordingMember(`m${i}`);
    members.push(m);
    room.join(m);
    assert.deepEqual(m.types(), ['welcome'], 'the joiner gets its welcome only (it lists the joiner itself)');
  }
  // Each earlier member got one peer-joined per later joiner, and nothing else.
  assert.deepEqual(members[0]!.types(1), Array(49).fill('peer-joined'));
  assert.ok(
    members[0]!.texts.slice(1).every((t) => t.length < 200),
    'a join costs each member one small message',
  );
  for (const m of members.filter((_, i) => i % 3 === 0)) room.leave(m);
  const left = members.filter((_, i) => i % 3 !== 0);
  assert.equal(room.connectionCount, left.length);
  for (const m of left) assert.deepEqual(sortById(m.list), sortById(room.peers()), `${m.identity.name}'s list`);
  room.close();
});

test('a broadcast is serialized once: every member gets the same string', () => {
  const room = new JamRoom();
  const [owner, a, b] = [new RecordingMember('teacher', 'owner'), new RecordingMember('a', 'editor'), new RecordingMember('b')];
  for (const m of [owner, a, b]) room.join(m);
  const marks = [owner, a, b].map((m) => m.texts.length);
  let stringified = 0;
  const stringify = JSON.stringify;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    stringified++;
    return stringify(...args);
  }) as typeof JSON.stringify;
  try {
    room.receive(owner, { v: 1, type: 'transport', request: { action: 'tempo', bpm: 99 } }, 0);
    room.receive(a, { v: 1, type: 'live', notes: [{ kind: 'on', pitch: 60, velocity: 90, trackId: null, at: 1 }] }, 0);
    room.leave(b);
  } finally {
    JSON.stringify = stringify;
  }
  assert.equal(stringified, 3, 'one JSON.stringify per broadcast, whatever the number of members');
  // The very same string object reached each member.
  assert.equal(owner.texts[marks[0]!], a.texts[marks[1]!]);
  assert.ok(Object.is(owner.texts[marks[0]!], a.texts[marks[1]!]));
  assert.deepEqual(a.types(marks[1]), ['transport', 'peer-left'], 'the live note is not echoed to its player');
  assert.deepEqual(owner.types(marks[0]), ['transport', 'live', 'peer-left']);
  room.close();
});

test('clock reports are gathered: one peer-clocks with only the changed members, their latest figures, announced to all at once', async () => {
  const room = new JamRoom({ peerClocksThrottleMs: 60_000 });
  const members = Array.from({ length: 5 }, (_, i) => new RecordingMember(`m${i}`, 'editor'));
  for (const m of members) room.join(m);
  const [m0, m1, m2, m3] = members as [RecordingMember, RecordingMember, RecordingMember, RecordingMember];
  const report = (m: RecordingMember, offsetMs: number) => room.receive(m, { v: 1, type: 'clock-report', offsetMs, rttMs: 2 }, 0);
  // The first report goes out at once (nothing sent for a throttle period).
  const mark = m3.texts.length;
  report(m0, 5);
  await until(() => m3.types(mark).includes('peer-clocks'), 'the first peer-clocks');
  // Then many reports within the throttle period: none sent yet.
  const mark2 = m2.texts.length;
  for (let i = 0; i < 20; i++) report(m1, i);
  report(m2, 7);
  report(m3, 8);
  room.leave(m3);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(m2.types(mark2), ['peer-left'], 'held back until the throttle period is over');
  // The room lists what it has announced: a newcomer's welcome matches what the others were told.
  assert.equal(room.peers().find((p) => p.clientId === m1.clientId)!.offsetMs, null);
  assert.deepEqual(sortById(m2.list), sortById(room.peers()));
  room.close();

  // Same again with a short period, to see what is sent out.
  const quick = new JamRoom({ peerClocksThrottleMs: 20 });
  const q = Array.from({ length: 4 }, (_, i) => new RecordingMember(`q${i}`, 'editor'));
  for (const m of q) quick.join(m);
  const [q0, q1, q2, q3] = q as [RecordingMember, RecordingMember, RecordingMember, RecordingMember];
  const qreport = (m: RecordingMember, offsetMs: number) => quick.receive(m, { v: 1, type: 'clock-report', offsetMs, rttMs: 3 }, 0);
  qreport(q0, 1);
  await until(() => q2.types().includes('peer-clocks'), 'the first peer-clocks');
  const at = q2.texts.length;
  for (let i = 0; i < 20; i++) qreport(q1, i);
  qreport(q3, 9);
  quick.leave(q3); // it left before the figures went out: they are not sent
  await until(() => q2.types(at).includes('peer-clocks'), 'the gathered peer-clocks');
  const sent = q2.texts
    .slice(at)
    .map((t) => JSON.parse(t) as JamServerMessage)
    .filter((m) => m.type === 'peer-clocks');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], { v: 1, type: 'peer-clocks', clocks: [{ clientId: q1.clientId, offsetMs: 19, rttMs: 3 }] });
  for (const m of [q0, q1, q2]) assert.deepEqual(sortById(m.list), sortById(quick.peers()));
  quick.close();
});
