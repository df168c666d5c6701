import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Song } from '../../core/song/types.ts';
import type { ScheduledEvent } from '../audio/scheduler.ts';
import { Emitter } from './emitter.ts';
import { attachJamProbes, type ProbedJam } from './jam-probes.ts';
import type { JamEvents } from './jam-session.ts';
import type { LiveNoteEvents } from './live-notes.ts';
import type { TimelineEvents } from './timeline-follower.ts';
import type { ClockMap } from './time-map.ts';

const song = {
  meta: { meter: { numerator: 4, denominator: 4 } },
  tracks: [
    { id: 'a', name: 'A', solo: false, mute: false, volumeDb: 0, pan: 0 },
    { id: 'b', name: 'B', solo: true, mute: false, volumeDb: 0, pan: 0 },
  ],
} as unknown as Song;
/** Audio time t is heard at server 1_007_000 + (t − 10) s. */
const map: ClockMap = {
  clock: { serverNow: (local) => local + 5000, localAt: (server) => server - 5000 },
  stamp: { contextTime: 10, performanceTime: 2000 },
  timeOrigin: 1_000_000,
  compensationMs: 0,
};

function jam() {
  const session = new Emitter<JamEvents>();
  const timeline = new Emitter<TimelineEvents>();
  const liveNotes = new Emitter<LiveNoteEvents>();
  const engine = new Set<(e: ScheduledEvent) => void>();
  let live = true;
  const probed: ProbedJam = {
    engine: { onEvent: (l) => (engine.add(l), () => void engine.delete(l)) },
    timeline: { on: (name, l) => timeline.on(name, l), map: () => map },
    liveNotes: { on: (name, l) => liveNotes.on(name, l) },
    session: { store: { getSnapshot: () => song } },
    getState: () => ({ live }),
    on: (name, l) => session.on(name, l),
  };
  const click = (tick: number, time: number, accent: boolean, countIn = false) => {
    for (const l of [...engine]) l({ kind: 'click', tick, time, accent, countIn } as unknown as ScheduledEvent);
  };
  return { probed, session, timeline, liveNotes, click, engine, setLive: (on: boolean) => (live = on) };
}

test('clicks while live become clicks and downbeats on the server clock; a re-timed one replaces the one it was', () => {
  const j = jam();
  const probes = attachJamProbes(j.probed);
  j.click(0, 11, true);
  j.click(480, 11.5, false);
  j.click(1920, 13, true);
  j.click(1920, 12.996, true); // the same downbeat, pulled 4 ms earlier
  j.setLive(false);
  j.click(3840, 15, true);
  assert.deepEqual(
    probes.scheduledDownbeats.map((d) => [d.bar, Math.round(d.serverMs), d.audioTime]),
    [
      [0, 1_008_000, 11],
      [1, 1_009_996, 12.996],
    ],
  );
  assert.deepEqual(
    probes.scheduledClicks.map((c) => [c.bar, c.beat, c.accent]),
    [
      [0, 0, true],
      [0, 1, false],
      [1, 0, true],
    ],
  );
});

test("retimes, notes and the mix heard are recorded from the events; the session's end detaches", () => {
  const j = jam();
  const probes = attachJamProbes(j.probed);
  j.timeline.emit('retimed', { audioTime: 13, reason: 'follow', shiftMs: null });
  const note = { kind: 'on' as const, pitch: 60, velocity: 90, trackId: null, at: 5 };
  j.liveNotes.emit('played', { note, by: 'c1', name: 'ann' });
  j.liveNotes.emit('received', { note, from: 'c2', name: 'bob', receivedAt: 9 });
  assert.deepEqual(probes.heardMix(), []);
  j.session.emit('heard', song);
  assert.deepEqual(probes.retimes, [{ audioTime: 13, reason: 'follow', shiftMs: null }]);
  assert.deepEqual(probes.played, [note]);
  assert.deepEqual(probes.received, [{ from: 'bob', pitch: 60, kind: 'on', at: 5, receivedAt: 9 }]);
  assert.deepEqual(
    probes.heardMix().map((t) => [t.id, t.audible]),
    [
      ['a', false],
      ['b', true],
    ],
  );
  j.session.emit('disposed', undefined);
  assert.equal(j.engine.size, 0);
  j.timeline.emit('retimed', { audioTime: 15, reason: 'drift', shiftMs: 1 });
  assert.equal(probes.retimes.length, 1);
});
