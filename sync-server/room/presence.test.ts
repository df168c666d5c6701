import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as decoding from 'lib0/decoding';
import { CLOSE, MESSAGE_AWARENESS } from '../contract.ts';
import { encodePresenceEntries } from './presence-message.ts';
import { PresenceRefused, RoomPresence, type PresenceLimits } from './presence.ts';

const LIMITS: PresenceLimits = {
  maxStateBytes: 200,
  maxClientsPerConnection: 2,
  maxClientsPerRoom: 6,
  maxEntriesPerMessage: 12,
  maxRoomBytes: 400,
  smallStateBytes: 40,
  bytesPerSecond: 1000,
  byteBurst: 2000,
  fanOutMs: 50,
  outdatedMs: 30_000,
};

type Entry = [clientId: number, clock: number, state: object | null | string];
type Sent = [clientId: number, clock: number, state: unknown][];

/** An awareness update; a string state is sent as raw JSON text. */
function update(...entries: Entry[]): Uint8Array {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  return encodePresenceEntries(
    entries.map(([clientId, clock, state]) => ({
      clientId,
      clock,
      json: state === null ? null : utf8(typeof state === 'string' ? state : JSON.stringify(state)),
    })),
  );
}

function decode(message: Uint8Array): Sent {
  const decoder = decoding.createDecoder(message);
  assert.equal(decoding.readVarUint(decoder), MESSAGE_AWARENESS);
  const body = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const count = decoding.readVarUint(body);
  return Array.from({ length: count }, () => [
    decoding.readVarUint(body),
    decoding.readVarUint(body),
    JSON.parse(decoding.readVarString(body)),
  ]);
}

let sent: Uint8Array[];
let presence: RoomPresence<object>;
const ana = { name: 'ana' };
const bo = { name: 'bo' };
const eve = { name: 'eve' };

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  sent = [];
  presence = new RoomPresence<object>((message) => sent.push(message), LIMITS);
  presence.join(ana, 'ana-id');
  presence.join(bo, 'bo-id');
  presence.join(eve, 'eve-id');
});

afterEach(() => {
  presence.destroy();
  mock.timers.reset();
});

/** Everything fanned out so far, decoded, and forgotten. */
function takeSent(): Sent[] {
  const messages = sent.map(decode);
  sent = [];
  return messages;
}

/** Lets the fan-out timer run (in steps: a mocked tick runs its callbacks at its end time). */
function elapse(ms: number): void {
  for (let left = ms; left > 0; left -= 10) mock.timers.tick(Math.min(10, left));
}

function refused(code: number, pattern: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof PresenceRefused && err.code === code && pattern.test(err.message);
}

test("a connection's own states are applied, returned parsed and sent to everyone", () => {
  const accepted = presence.receive(ana, update([1, 1, { user: { name: 'ana' } }]));
  assert.deepEqual(accepted, [{ clientId: 1, state: { user: { name: 'ana' } } }]);
  assert.deepEqual(takeSent(), [[[1, 1, { user: { name: 'ana' } }]]]);
  assert.deepEqual(decode(presence.snapshot()!), [[1, 1, { user: { name: 'ana' } }]]);
  // Not newer: ignored (y-protocols' rule), and so is a clock-0 state of a new client.
  assert.deepEqual(presence.receive(ana, update([1, 1, { user: { name: 'other' } }], [2, 0, {}])), []);
  assert.equal(presence.size.states, 1);
});

test("entries for another connection's client ids are dropped silently: no overwrite, no removal", () => {
  presence.receive(ana, update([1, 1, { user: { name: 'ana' } }]));
  elapse(LIMITS.fanOutMs);
  takeSent();
  // What every stock client does (echo), and what an attacker does (newer clock, removal).
  assert.deepEqual(presence.receive(bo, update([1, 1, { user: { name: 'ana' } }])), []);
  assert.deepEqual(presence.receive(eve, update([1, 9, { user: { name: 'not ana' } }])), []);
  assert.deepEqual(presence.receive(eve, update([1, 1, null], [1, 10, null])), []);
  elapse(LIMITS.fanOutMs);
  assert.deepEqual(takeSent(), [], 'nothing was sent on');
  assert.deepEqual(decode(presence.snapshot()!), [[1, 1, { user: { name: 'ana' } }]]);
  // Removing an id nobody holds is dropped too; it does not claim it.
  assert.deepEqual(presence.receive(eve, update([5, 3, null])), []);
  assert.equal(presence.size.clients, 1);
});

test('a connection claims ids with its first states, up to its limit; more closes it with nothing applied', () => {
  presence.receive(ana, update([1, 1, {}], [2, 1, {}]));
  assert.throws(
    () => presence.receive(ana, update([2, 2, { x: 1 }], [3, 1, {}])),
    refused(CLOSE.malformed, /3 presence client ids on one connection \(at most 2\)/),
  );
  assert.deepEqual(decode(presence.snapshot()!), [
    [1, 1, {}],
    [2, 1, {}],
  ]);
  // Its own removal keeps the id its own (a stock client removes itself when it closes).
  presence.receive(ana, update([2, 2, null]));
  assert.throws(() => presence.receive(ana, update([3, 1, {}])), refused(CLOSE.malformed, /presence client ids/));
  assert.deepEqual(presence.receive(ana, update([2, 3, { back: true }])), [{ clientId: 2, state: { back: true } }]);
});

test('oversized states, too many entries and bad JSON are refused whole', () => {
  const big = { pad: 'x'.repeat(LIMITS.maxStateBytes) };
  assert.throws(() => presence.receive(ana, update([1, 1, {}], [2, 1, big])), refused(CLOSE.malformed, /presence state of \d+ bytes/));
  const many = Array.from({ length: LIMITS.maxEntriesPerMessage + 1 }, (_, i): Entry => [100 + i, 1, {}]);
  assert.throws(() => presence.receive(ana, update(...many)), refused(CLOSE.malformed, /13 presence entries/));
  assert.throws(() => presence.receive(ana, update([1, 1, {}], [2, 1, '{"a":'])), refused(CLOSE.malformed, /not JSON/));
  assert.throws(() => presence.receive(ana, update([1, 1, '[]'])), refused(CLOSE.malformed, /JSON object/));
  assert.equal(presence.size.clients, 0, 'nothing of any of them was applied');
  elapse(LIMITS.fanOutMs);
  assert.deepEqual(takeSent(), []);
});

test("a connection's own presence bytes come out of its budget; echoes of others' cost nothing", () => {
  const state = { pad: 'y'.repeat(150) }; // 162 bytes
  presence.receive(ana, update([1, 1, { name: 'ana' }]));
  // Bo echoes ana's state far more than its budget would allow: dropped unread, never charged.
  for (let i = 0; i < 100; i++) presence.receive(bo, update([1, 1, { name: 'ana' }]));
  let clock = 1;
  assert.throws(
    () => {
      for (; clock < 100; clock++) presence.receive(eve, update([9, clock, state]));
    },
    refused(CLOSE.rateLimited, /presence over 1000 bytes\/s/),
  );
  // (The budget refills as real time passes, so the exact message may come a little later.)
  assert.ok(clock > Math.floor(LIMITS.byteBurst / 162), 'the whole burst was allowed first');
  assert.equal(decode(presence.snapshot()!).find(([id]) => id === 9)?.[1], clock - 1, 'the refused change was not applied');
  // Entries overwritten later in the same message still cost their bytes.
  const fresh = new RoomPresence<object>(() => {}, LIMITS);
  try {
    fresh.join(bo, 'bo-id');
    const larger = { pad: 'y'.repeat(180) }; // 12 of them: more than the burst of 2000 bytes
    const burst = Array.from({ length: 12 }, (_, i): Entry => [1, i + 1, larger]);
    assert.throws(() => fresh.receive(bo, update(...burst)), refused(CLOSE.rateLimited, /presence over/));
  } finally {
    fresh.destroy();
  }
});

test("a room's presence has a total: large states past it are refused, small ones always fit", () => {
  const large = (n: number) => ({ pad: 'z'.repeat(n) });
  presence.receive(ana, update([1, 1, large(150)], [2, 1, large(150)])); // 320 bytes
  assert.throws(
    () => presence.receive(bo, update([3, 1, large(100)])),
    refused(CLOSE.rateLimited, /this room's presence is full \(400 bytes\)/),
  );
  assert.equal(presence.size.bytes, 320);
  // A small state fits in a full room, and may change there.
  presence.receive(bo, update([3, 1, { name: 'bo' }]));
  presence.receive(bo, update([3, 2, { name: 'bo', edit: 'x' }]));
  // Shrinking a large state is always fine.
  presence.receive(ana, update([1, 2, large(10)]));
  assert.equal(presence.size.states, 3);
});

test("a room's presence has a count of client ids", () => {
  const peers = Array.from({ length: 4 }, (_, i) => ({ name: `p${i}` }));
  peers.forEach((p, i) => presence.join(p, `p${i}`));
  presence.receive(peers[0]!, update([1, 1, {}], [2, 1, {}]));
  presence.receive(peers[1]!, update([3, 1, {}], [4, 1, {}]));
  presence.receive(peers[2]!, update([5, 1, {}], [6, 1, {}]));
  // A seventh is left out, not refused: its connection stays (attackers who filled the room must
  // not get a bandmate who joins after them closed).
  assert.deepEqual(presence.receive(peers[3]!, update([7, 1, { name: 'late' }])), []);
  assert.equal(presence.size.states, 6);
  assert.equal(presence.size.leftOut, 1);
  // A removal makes room; the next renewal of the left-out state gets in.
  presence.receive(peers[2]!, update([6, 2, null]));
  assert.deepEqual(presence.receive(peers[3]!, update([7, 2, { name: 'late' }])), [{ clientId: 7, state: { name: 'late' } }]);
  assert.equal(presence.size.states, 6);
});

test('changes are coalesced: the first goes at once, then at most one message per fanOutMs with the latest states', () => {
  presence.receive(ana, update([1, 1, { n: 1 }]));
  assert.deepEqual(takeSent(), [[[1, 1, { n: 1 }]]], 'the first change after a quiet spell goes at once');
  for (let n = 2; n <= 40; n++) presence.receive(ana, update([1, n, { n }]));
  presence.receive(bo, update([2, 1, { bo: true }]));
  assert.deepEqual(takeSent(), [], 'held back');
  elapse(LIMITS.fanOutMs);
  assert.deepEqual(takeSent(), [
    [
      [1, 40, { n: 40 }],
      [2, 1, { bo: true }],
    ],
  ]);
  presence.receive(ana, update([1, 41, { n: 41 }]));
  assert.deepEqual(takeSent(), [], 'within fanOutMs of the last message: waits');
  elapse(LIMITS.fanOutMs);
  assert.deepEqual(takeSent(), [[[1, 41, { n: 41 }]]]);
});

test('one message is encoded for everyone, and never carries more entries than a room holds', () => {
  const peers = Array.from({ length: 3 }, (_, i) => ({ name: `p${i}` }));
  peers.forEach((p, i) => presence.join(p, `p${i}`));
  presence.receive(ana, update([99, 1, {}]));
  takeSent();
  presence.receive(ana, update([99, 2, {}], [98, 1, {}]));
  presence.receive(peers[0]!, update([1, 1, {}], [2, 1, {}]));
  presence.receive(peers[1]!, update([3, 1, {}], [4, 1, {}]));
  presence.leave(peers[0]!);
  presence.receive(peers[2]!, update([5, 1, {}], [6, 1, {}]));
  elapse(LIMITS.fanOutMs);
  // 8 changed ids (two of them removed since): chunks of at most maxClientsPerRoom (6) entries.
  const messages = takeSent();
  assert.deepEqual(
    messages.map((m) => m.length),
    [6, 2],
  );
});

test("a leaving connection's states are removed for everyone; its ids stay reserved to its identity for outdatedMs", () => {
  presence.receive(ana, update([1, 5, { user: { name: 'ana' } }]));
  elapse(LIMITS.fanOutMs);
  takeSent();
  presence.leave(ana);
  assert.deepEqual(takeSent(), [[[1, 5, null]]], 'removed at the clock everyone has');
  assert.equal(presence.snapshot(), null);
  // While ana reconnects, nobody else takes her id, even with a newer clock.
  assert.deepEqual(presence.receive(eve, update([1, 6, { user: { name: 'not ana' } }])), []);
  // Her new connection (same identity) does.
  const again = { name: 'ana again' };
  presence.join(again, 'ana-id');
  assert.deepEqual(presence.receive(again, update([1, 6, { user: { name: 'ana' } }])), [{ clientId: 1, state: { user: { name: 'ana' } } }]);
  presence.leave(again);
  // Once the reservation is over the id is forgotten: the room keeps nothing of who left.
  elapse(LIMITS.outdatedMs + LIMITS.outdatedMs / 10);
  assert.deepEqual(presence.size, { clients: 0, states: 0, bytes: 0, leftOut: 0 });
  assert.deepEqual(presence.receive(eve, update([1, 1, { user: { name: 'eve' } }])).length, 1);
});

test('a state not renewed for outdatedMs is dropped for everyone; a renewed one stays', () => {
  presence.receive(ana, update([1, 1, { user: { name: 'ana' } }]));
  presence.receive(bo, update([2, 1, { user: { name: 'bo' } }]));
  elapse(LIMITS.outdatedMs / 2);
  presence.receive(bo, update([2, 2, { user: { name: 'bo' } }])); // a stock client renews every 15 s
  takeSent();
  elapse(LIMITS.outdatedMs / 2 + LIMITS.outdatedMs / 10);
  assert.deepEqual(takeSent(), [[[1, 1, null]]]);
  assert.deepEqual(decode(presence.snapshot()!), [[2, 2, { user: { name: 'bo' } }]]);
  // Ana's connection still holds its id: its next renewal brings the state back.
  assert.equal(presence.receive(ana, update([1, 2, { user: { name: 'ana' } }])).length, 1);
});

test('a presence query is answered with everyone and counted against the asker', () => {
  presence.receive(ana, update([1, 1, { pad: 'q'.repeat(150) }]));
  const answer = presence.answerQuery(bo);
  assert.deepEqual(
    decode(answer).map(([id]) => id),
    [1],
  );
  assert.equal(presence.answerQuery(bo), answer, 'made once until something changes');
  assert.throws(
    () => {
      for (let i = 0; i < 100; i++) presence.answerQuery(bo);
    },
    refused(CLOSE.rateLimited, /presence queries/),
  );
  const empty = new RoomPresence<object>(() => {}, LIMITS);
  try {
    assert.deepEqual(decode(empty.answerQuery(ana)), []);
  } finally {
    empty.destroy();
  }
});

test('kept states are copies: no message buffer stays referenced', () => {
  const message = update([1, 1, { user: { name: 'ana' } }]);
  presence.receive(ana, message);
  message.fill(0);
  assert.deepEqual(decode(presence.snapshot()!), [[1, 1, { user: { name: 'ana' } }]]);
});
