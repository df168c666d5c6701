import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveNote } from '../../core/jam/contract.ts';
import type { LiveNoteCommand } from '../audio/contract.ts';
import { LiveNotes, type LiveNoteEvents } from './live-notes.ts';

function notes(live: boolean) {
  const heard: LiveNoteCommand[] = [];
  const sent: LiveNote[][] = [];
  const liveNotes = new LiveNotes({
    engine: { liveNote: (n) => void heard.push(n) },
    client: {
      clock: { serverNow: (local) => local + 5000, localAt: (s) => s - 5000 },
      me: { clientId: 'c1', name: 'ann' },
      sendLive: (n) => void sent.push(n),
    },
    live: () => live,
    serverNow: () => 2_000_000,
    localNow: () => 1_000_000,
  });
  const events: { name: keyof LiveNoteEvents; event: unknown }[] = [];
  liveNotes.on('played', (event) => events.push({ name: 'played', event }));
  liveNotes.on('received', (event) => events.push({ name: 'received', event }));
  return { liveNotes, heard, sent, events };
}

test("this user's note sounds at once, goes to the room on the server clock while live, and is told", () => {
  const { liveNotes, heard, sent, events } = notes(true);
  liveNotes.play('on', 60, 90, 't1');
  assert.deepEqual(heard, [{ kind: 'on', key: 'c1:t1:60', trackId: 't1', pitch: 60, velocity: 90 }]);
  const note = { kind: 'on', pitch: 60, velocity: 90, trackId: 't1', at: 2_000_000 };
  assert.deepEqual(sent, [[note]]);
  assert.deepEqual(events, [{ name: 'played', event: { note, by: 'c1', name: 'ann' } }]);
  assert.deepEqual(liveNotes.recent(), [note]);
});

test("not live: the note sounds and is kept on this machine's clock, but is not sent", () => {
  const { liveNotes, sent } = notes(false);
  liveNotes.play('on', 62, 80, null);
  assert.deepEqual(sent, []);
  assert.equal(liveNotes.recent()[0]!.at, 1_000_000);
});

test("a bandmate's notes sound under their own key and are told with the receive time on the server clock", () => {
  const { liveNotes, heard, events } = notes(true);
  const note: LiveNote = { kind: 'on', pitch: 67, velocity: 100, trackId: 't2', at: 1_004_990 };
  liveNotes.receive({ from: 'c2', name: 'bob', notes: [note] }, 1_000_000);
  assert.equal(heard[0]!.key, 'c2:t2:67');
  assert.deepEqual(events, [{ name: 'received', event: { note, from: 'c2', name: 'bob', receivedAt: 1_005_000 } }]);
  assert.deepEqual(liveNotes.recent(), [], "only this user's notes are the AI answer's call");
});

test('the recent notes keep the last few hundred', () => {
  const { liveNotes } = notes(false);
  for (let i = 0; i < 600; i++) liveNotes.play('on', 60, 90, null);
  assert.ok(liveNotes.recent().length <= 512 && liveNotes.recent().length >= 384);
});
