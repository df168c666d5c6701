import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { programForTrack } from '../../core/midi/general-midi.ts';
import { addTrack, initSong, updateTrack } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import type { AudioTransport } from '../audio/contract.ts';
import type { ScheduledEvent } from '../audio/scheduler.ts';
import { Emitter } from '../jam/emitter.ts';
import type { LiveNoteEvents } from '../jam/live-notes.ts';
import type { MidiPortInfo } from './midi-ports.ts';
import { MidiSession, type JamLike } from './midi-session.ts';

/** A page: a song with a bass and keys, an engine that tells events, ports that record, a fake clock. */
function rig() {
  const doc = new Y.Doc();
  initSong(doc, { bpm: 120 });
  const bass = addTrack(doc, { role: 'bass', name: 'Bass' });
  const keys = addTrack(doc, { role: 'keys', name: 'Keys' });
  const songListeners = new Set<() => void>();
  doc.on('afterTransaction', () => {
    for (const l of songListeners) l();
  });
  const engineListeners = new Set<(e: ScheduledEvent) => void>();
  let engineState = { playing: true } as ReturnType<AudioTransport['getState']>;
  const stateListeners = new Set<() => void>();
  const setPlaying = (playing: boolean) => {
    engineState = { ...engineState, playing };
    for (const l of stateListeners) l();
  };
  const clock = { now: 10_000 };
  // Audio time t is heard at performance time 9000 + 1000 t.
  const stamp = { contextTime: 1, performanceTime: 10_000 };
  let silenced: readonly string[] = [];
  const sent: { portId: string; data: number[]; timestamp: number }[] = [];
  const outputs: MidiPortInfo[] = [{ id: 'daw', name: 'DAW in', connected: true }];
  const portListeners = new Set<(p: MidiPortInfo | null) => void>();
  const live = new Emitter<LiveNoteEvents>();
  const requests: unknown[] = [];
  const page = new EventTarget();
  const jam: JamLike = {
    timeline: {
      map: () => ({ clock: { serverNow: (l) => l, localAt: (s) => s }, stamp, timeOrigin: 0, compensationMs: 0 }),
      serverNow: () => clock.now,
    },
    client: { transport: () => null, clock: { serverNow: (l) => l, localAt: (s) => s } },
    liveNotes: live,
    isOwner: true,
    getState: () => ({ live: true }),
    requestTransport: (r) => void requests.push(r),
  };
  const session = new MidiSession({
    room: 'r',
    engine: {
      onEvent: (l) => (engineListeners.add(l), () => void engineListeners.delete(l)),
      heardStamp: () => stamp,
      setLocalSilence: (ids) => void (silenced = ids),
      getState: () => engineState,
      subscribe: (l) => (stateListeners.add(l), () => void stateListeners.delete(l)),
    },
    song: () => readSong(doc),
    onSong: (l) => (songListeners.add(l), () => void songListeners.delete(l)),
    jam,
    now: () => clock.now,
    storage: { getItem: () => null, setItem: () => {} },
    page,
  });
  session.setPorts({
    outputs: () => outputs.map((o) => ({ ...o })),
    inputs: () => [],
    send: (portId, data, timestamp) => {
      if (!outputs.find((o) => o.id === portId)?.connected) return false;
      sent.push({ portId, data, timestamp });
      return true;
    },
    listen: () => () => {},
    onChange: (l) => (portListeners.add(l), () => void portListeners.delete(l)),
  });
  const engine = (e: ScheduledEvent) => {
    for (const l of engineListeners) l(e);
  };
  const note = (trackId: string, time: number, pitch = 40, duration = 0.5): ScheduledEvent => ({
    kind: 'note',
    time,
    duration,
    trackId,
    preset: 'bass',
    pitch,
    velocity: 100,
    tick: 0,
  });
  const port = (connected: boolean) => {
    outputs[0]!.connected = connected;
    for (const l of portListeners) l({ ...outputs[0]! });
  };
  return { doc, bass, keys, session, sent, clock, engine, note, silenced: () => silenced, live, port, page, setPlaying };
}

test("a routed track's notes: program first, then each note stamped when the page hears it, less the port's latency", () => {
  const { doc, bass, keys, session, sent, clock, engine, note } = rig();
  session.setLatency('daw', 10);
  session.routeTrack(bass, { portId: 'daw', channel: 1, mode: 'also' });
  const program = programForTrack(readSong(doc).tracks.find((t) => t.id === bass)!);
  assert.deepEqual(sent[0]!.data, [0xc1, program]);
  engine(note(bass, 1.1));
  engine(note(keys, 1.1, 60));
  assert.deepEqual(sent.slice(1), [{ portId: 'daw', data: [0x91, 40, 100], timestamp: 10_100 - 10 }], 'keys is not routed');
  clock.now = 10_600;
  session.tick();
  assert.deepEqual(sent.at(-1), { portId: 'daw', data: [0x81, 40, 0], timestamp: 10_600 - 10 });
});

test('a cut (a seek): notes end there; a stop: All Notes Off too; a mute ends that track now', () => {
  const { doc, bass, keys, session, sent, clock, engine, note, setPlaying } = rig();
  session.routeTrack(bass, { portId: 'daw', channel: 1, mode: 'also' });
  session.routeTrack(keys, { portId: 'daw', channel: 2, mode: 'also' });
  engine(note(bass, 1.0, 40, 2));
  engine(note(keys, 1.0, 60, 2));
  clock.now = 10_300;
  updateTrack(doc, keys, { mute: true });
  assert.deepEqual(sent.at(-1), { portId: 'daw', data: [0x82, 60, 0], timestamp: 10_300 });
  engine({ kind: 'cut', time: 1.35 });
  assert.deepEqual(sent.at(-1), { portId: 'daw', data: [0x81, 40, 0], timestamp: 10_350 }, 'a cut: the note ends, no All Notes Off');
  // The engine schedules on from the new position; then the transport stops.
  engine(note(bass, 1.4, 43, 2));
  clock.now = 10_500;
  setPlaying(false);
  assert.deepEqual(
    sent.slice(-3).map((m) => [m.data, m.timestamp]),
    [
      [[0x81, 43, 0], 10_500],
      [[0xb1, 123, 0], 10_500],
      [[0xb2, 123, 0], 10_500],
    ],
  );
});

test('"instead": the page does not sound the track while its port is there', () => {
  const { bass, session, silenced, port } = rig();
  session.routeTrack(bass, { portId: 'daw', channel: 1, mode: 'instead' });
  assert.deepEqual(silenced(), [bass]);
  port(false);
  assert.deepEqual(silenced(), [], 'port gone: heard here again');
  port(true);
  assert.deepEqual(silenced(), [bass]);
});

test('a port lost forgets its notes; back, All Notes Off and the program again', () => {
  const { bass, session, sent, engine, note, port } = rig();
  session.routeTrack(bass, { portId: 'daw', channel: 1, mode: 'also' });
  engine(note(bass, 1.0, 40, 2));
  port(false);
  assert.equal(session.notes.pending, 0);
  const mark = sent.length;
  port(true);
  assert.deepEqual(
    sent.slice(mark).map((m) => m.data[0]),
    [0xb1, 0xc1],
  );
});

test("a bandmate's live notes: on their track's route, else the live route; pagehide releases them", () => {
  const { bass, session, sent, live, page } = rig();
  session.update({ live: { portId: 'daw', channel: 5 } });
  live.emit('received', { note: { kind: 'on', pitch: 64, velocity: 90, trackId: null, at: 0 }, from: 'c1', name: 'bob', receivedAt: 0 });
  assert.deepEqual(sent.at(-1)!.data, [0x95, 64, 90]);
  session.routeTrack(bass, { portId: 'daw', channel: 1, mode: 'also' });
  live.emit('received', { note: { kind: 'on', pitch: 40, velocity: 90, trackId: bass, at: 0 }, from: 'c1', name: 'bob', receivedAt: 0 });
  assert.deepEqual(sent.at(-1)!.data, [0x91, 40, 90]);
  live.emit('received', { note: { kind: 'off', pitch: 40, velocity: 0, trackId: bass, at: 0 }, from: 'c1', name: 'bob', receivedAt: 0 });
  assert.deepEqual(sent.at(-1)!.data, [0x81, 40, 0]);
  page.dispatchEvent(new Event('pagehide'));
  const offs = sent.slice(-3).map((m) => m.data);
  assert.deepEqual(offs[0], [0x85, 64, 0], 'the held live note ends');
  session.dispose();
});

test("changeRoute (the track header's button and the panel): defaults by role, one route changed in place", () => {
  const { doc, bass, session, silenced } = rig();
  const drums = addTrack(doc, { role: 'drums', name: 'Drums' });
  session.changeRoute(drums, { portId: 'daw' });
  session.changeRoute(bass, { portId: 'daw' });
  assert.deepEqual(session.getState().settings.routes, {
    [drums]: { portId: 'daw', channel: 9, mode: 'also' },
    [bass]: { portId: 'daw', channel: 0, mode: 'also' },
  });
  session.changeRoute(bass, { channel: 4 });
  session.changeRoute(bass, { mode: 'instead' });
  assert.deepEqual(session.getState().settings.routes[bass], { portId: 'daw', channel: 4, mode: 'instead' });
  assert.deepEqual(silenced(), [bass], '"instead" from the header silences the page as from the panel');
  session.changeRoute(bass, { portId: '' });
  assert.equal(session.getState().settings.routes[bass], undefined);
  assert.deepEqual(silenced(), []);
});

test("a track's light: lit when one of its notes goes to its port, not for another track or a port not there", () => {
  const { bass, keys, session, clock, engine, note, live, port } = rig();
  session.routeTrack(bass, { portId: 'daw', channel: 1, mode: 'also' });
  engine(note(keys, 1.1, 60));
  assert.deepEqual(session.getState().trackActivity, {}, 'keys is not routed');
  engine(note(bass, 1.1));
  assert.deepEqual(session.getState().trackActivity, { [bass]: 10_000 });
  clock.now = 10_500;
  live.emit('received', { note: { kind: 'on', pitch: 40, velocity: 90, trackId: bass, at: 0 }, from: 'c1', name: 'bob', receivedAt: 0 });
  assert.equal(session.getState().trackActivity[bass], 10_500, "a bandmate's live note on the track lights it too");
  port(false);
  clock.now = 11_000;
  engine(note(bass, 2.1));
  assert.equal(session.getState().trackActivity[bass], 10_500, 'nothing sent: no light');
});
