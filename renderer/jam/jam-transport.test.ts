import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AudioTransport } from '../audio/contract.ts';
import { JamTransport, type RoomTransport } from './jam-transport.ts';

/** An engine that records what reaches it (only the members these cases touch). */
function engine(log: string[], playing = false): AudioTransport {
  const state = { playing, playheadBar: 0, metronome: false, countInBars: 0, loop: true, audioSuspended: false };
  return {
    play: async () => void log.push('engine.play'),
    stop: () => void log.push('engine.stop'),
    seek: (bar: number) => void log.push(`engine.seek ${bar}`),
    resume: async () => void log.push('engine.resume'),
    getState: () => state,
    position: () => ({ bar: 2, beat: 1, tick: 0, seconds: 4, songTick: 3840, countIn: false, ticksPerSecond: 960 }),
    setMetronome: (on: boolean) => void log.push(`engine.metronome ${on}`),
  } as unknown as AudioTransport;
}

function room(log: string[], live: boolean, playing: boolean): RoomTransport {
  return {
    live: () => live,
    playing: () => playing,
    play: () => void log.push('room.play'),
    stop: () => void log.push('room.stop'),
    playFrom: (bar) => void log.push(`room.playFrom ${bar}`),
    barTicks: () => 1920,
  };
}

test('live: play, stop and seek ask the room; play wakes the audio; a play while the room plays asks nothing', async () => {
  const log: string[] = [];
  const stopped = new JamTransport(engine(log), room(log, true, false));
  await stopped.play();
  stopped.seek(3.7);
  assert.deepEqual(log.splice(0), ['engine.resume', 'room.play', 'engine.seek 3.7'], 'stopped: a seek moves the local playhead');
  const playing = new JamTransport(engine(log), room(log, true, true));
  await playing.play();
  playing.seek(3.7);
  playing.seekTick(1920 * 5);
  playing.stop();
  assert.deepEqual(log, ['engine.resume', 'room.playFrom 3', 'room.playFrom 5', 'room.stop']);
});

test("not live: every press is the engine's own; toggle follows the room when live, the engine when not", async () => {
  const log: string[] = [];
  const local = new JamTransport(engine(log), room(log, false, true));
  await local.play();
  local.stop();
  local.seek(2);
  assert.deepEqual(log.splice(0), ['engine.play', 'engine.stop', 'engine.seek 2']);
  await new JamTransport(engine(log, false), room(log, true, true)).toggle();
  await new JamTransport(engine(log, true), room(log, true, false)).toggle();
  await new JamTransport(engine(log, true), room(log, false, false)).toggle();
  assert.deepEqual(log, ['room.stop', 'engine.resume', 'room.play', 'engine.stop']);
});

test("the rest is the engine's, as it is", () => {
  const log: string[] = [];
  const e = engine(log);
  const t = new JamTransport(e, room(log, true, false));
  assert.equal(t.getState(), e.getState());
  assert.equal(t.position().songTick, 3840);
  t.setMetronome(true);
  assert.deepEqual(log, ['engine.metronome true']);
});
