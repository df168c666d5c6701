import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoteOut, OFF_HORIZON_MS } from './note-out.ts';

/** A host with a fake clock and ports that record what they are sent. */
function rig(latency: Record<string, number> = {}) {
  const sent: { portId: string; data: number[]; timestamp: number }[] = [];
  const connected = new Set(['daw', 'synth']);
  const clock = { now: 1000 };
  const out = new NoteOut({
    now: () => clock.now,
    latencyMs: (p) => latency[p] ?? 0,
    send: (portId, data, timestamp) => {
      if (!connected.has(portId)) return false;
      sent.push({ portId, data, timestamp });
      return true;
    },
  });
  const notesHeld = (portId = 'daw') => {
    const held = new Map<string, number>();
    for (const m of [...sent].filter((s) => s.portId === portId).sort((a, b) => a.timestamp - b.timestamp)) {
      const key = `${m.data[0]! & 0x0f}:${m.data[1]}`;
      const type = m.data[0]! & 0xf0;
      if (type === 0x90 && m.data[2]! > 0) held.set(key, (held.get(key) ?? 0) + 1);
      if (type === 0x80) held.set(key, (held.get(key) ?? 0) - 1);
      if (type === 0xb0 && m.data[1] === 123) for (const k of held.keys()) if (k.startsWith(`${m.data[0]! & 0x0f}:`)) held.set(k, 0);
    }
    return [...held].filter(([, n]) => n > 0).map(([k]) => k);
  };
  return { out, sent, clock, connected, notesHeld };
}

const route = { portId: 'daw', channel: 2 };

test('a note goes out at once, stamped when it is heard less the port latency; its off is held until near its time', () => {
  const { out, sent, clock } = rig({ daw: 12 });
  out.note(route, 'bass', 40, 100, 1150, 1400);
  assert.deepEqual(sent, [{ portId: 'daw', data: [0x92, 40, 100], timestamp: 1138 }]);
  clock.now = 1400 - OFF_HORIZON_MS - 1;
  out.flush();
  assert.equal(sent.length, 1, 'the off waits');
  clock.now = 1400 - OFF_HORIZON_MS + 1;
  out.flush();
  assert.deepEqual(sent[1], { portId: 'daw', data: [0x82, 40, 0], timestamp: 1388 });
  assert.equal(out.pending, 0);
});

test('program change: sent once per channel until the instrument changes', () => {
  const { out, sent } = rig();
  out.program(route, 33);
  out.program(route, 33);
  out.program({ portId: 'daw', channel: 3 }, 33);
  out.program(route, 4);
  assert.deepEqual(
    sent.map((s) => s.data),
    [
      [0xc2, 33],
      [0xc3, 33],
      [0xc2, 4],
    ],
  );
});

test('a stop cuts every sounding note at its time, a note already sent for later gets its off behind it, then All Notes Off', () => {
  const { out, sent, notesHeld } = rig();
  out.note(route, 'keys', 60, 90, 1000, 3000);
  out.note(route, 'keys', 64, 90, 1120, 3000); // committed ahead, due after the stop
  out.cut(1050, { allOff: true });
  const after = sent.slice(2);
  assert.deepEqual(
    after.map((s) => [s.data, s.timestamp]),
    [
      [[0x82, 60, 0], 1050],
      [[0x82, 64, 0], 1120],
      [[0xb2, 123, 0], 1120],
    ],
  );
  assert.deepEqual(notesHeld(), []);
  assert.equal(out.pending, 0);
});

test("a mute cuts that track's notes only", () => {
  const { out, sent, notesHeld } = rig();
  out.note(route, 'keys', 60, 90, 1000, 3000);
  out.note({ portId: 'daw', channel: 9 }, 'drums', 36, 90, 1000, 3000);
  out.cut(1200, { owner: 'keys' });
  assert.deepEqual(sent.at(-1)!.data, [0x82, 60, 0]);
  assert.deepEqual(notesHeld(), ['9:36']);
});

test('the same key again before the last one ended: the old one ends where the new one begins', () => {
  const { out, sent, clock, notesHeld } = rig();
  out.note(route, 'keys', 60, 90, 1000, 1500);
  out.note(route, 'keys', 60, 90, 1200, 1400);
  assert.deepEqual(
    sent.map((s) => [s.data[0], s.timestamp]),
    [
      [0x92, 1000],
      [0x82, 1200],
      [0x92, 1200],
    ],
  );
  clock.now = 2000;
  out.flush();
  assert.deepEqual(sent.at(-1), { portId: 'daw', data: [0x82, 60, 0], timestamp: 1400 });
  assert.deepEqual(notesHeld(), []);
});

test('live notes: on now, off on release; the page going away releases what is held', () => {
  const { out, sent, notesHeld } = rig();
  out.liveOn(route, 'bob:60', 60, 100);
  out.liveOn(route, 'bob:62', 62, 100);
  out.liveOff('bob:60');
  assert.deepEqual(notesHeld(), ['2:62']);
  out.releaseAll();
  assert.deepEqual(notesHeld(), []);
  assert.deepEqual(sent.at(-1)!.data, [0xb2, 123, 0]);
});

test('a port that goes away forgets its notes; back, its channels get All Notes Off and the program again', () => {
  const { out, sent, connected } = rig();
  out.program(route, 33);
  out.note(route, 'bass', 40, 100, 1000, 3000);
  connected.delete('daw');
  out.portLost('daw');
  assert.equal(out.pending, 0);
  out.note(route, 'bass', 41, 100, 1100, 1200);
  assert.equal(out.pending, 0, 'nothing is kept for a port that is not there');
  connected.add('daw');
  const mark = sent.length;
  out.portBack('daw');
  out.program(route, 33);
  assert.deepEqual(
    sent.slice(mark).map((s) => s.data),
    [
      [0xb2, 123, 0],
      [0xc2, 33],
    ],
  );
});
