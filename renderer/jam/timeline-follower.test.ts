import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportState } from '../../core/jam/contract.ts';
import type { FollowCommand } from '../audio/contract.ts';
import { TimelineFollower, type FollowerEngine, type TimelineEvents } from './timeline-follower.ts';

const near = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

/**
 * The world of time-map.test.ts: the server clock 5 s ahead of this machine's, performance.now()
 * 2000 ms heard at audio time 10 s (timeOrigin 1_000_000), so server 1_010_000 is audio 13 s.
 */
function world(options: { compensationMs?: number; driftCheckMs?: number } = {}) {
  let audio = 10;
  let state: TransportState | null = null;
  const engineState = { playing: false, audioSuspended: false };
  const engineListeners = new Set<() => void>();
  const commands: (FollowCommand | null)[] = [];
  let nextBar: { tick: number; time: number } | null = null;
  const perf = { timeOrigin: 1_000_000, now: () => 2000 + (audio - 10) * 1000 };
  const engine = {
    following: false,
    getState: () => engineState,
    subscribe: (l: () => void) => (engineListeners.add(l), () => void engineListeners.delete(l)),
    follow: (command: FollowCommand | null) => {
      commands.push(command);
      engine.following = command !== null;
    },
    audioTime: () => audio,
    heardStamp: () => ({ contextTime: audio, performanceTime: perf.now() }),
    nextBarLine: () => nextBar,
  };
  const client = {
    clock: { serverNow: (local: number) => local + 5000, localAt: (server: number) => server - 5000 },
    me: { name: 'ann' },
    transport: () => state,
  };
  let compensationMs = options.compensationMs ?? 0;
  const follower = new TimelineFollower({
    engine: engine as unknown as FollowerEngine,
    client,
    performance: perf,
    compensationMs: () => compensationMs,
    driftCheckMs: options.driftCheckMs ?? 0,
  });
  const events: { name: keyof TimelineEvents; event: unknown }[] = [];
  follower.on('applied', (event) => events.push({ name: 'applied', event }));
  follower.on('retimed', (event) => events.push({ name: 'retimed', event }));
  return {
    follower,
    engine,
    engineState,
    commands,
    events,
    setState: (patch: Partial<TransportState>) => (state = { ...shared, ...patch }),
    setAudio: (t: number) => (audio = t),
    setNextBar: (line: { tick: number; time: number } | null) => (nextBar = line),
    setCompensation: (ms: number) => (compensationMs = ms),
    changeEngine: (patch: Partial<typeof engineState>) => {
      Object.assign(engineState, patch);
      for (const l of [...engineListeners]) l();
    },
  };
}

const shared: TransportState = {
  playing: true,
  bpm: 120,
  meter: { numerator: 4, denominator: 4 },
  loop: { startBar: 0, endBar: 4 },
  anchorMs: 1_010_000,
  anchorBar: 0,
  revision: 1,
  changedBy: 'bob',
};

const playAt = (command: FollowCommand | null | undefined) => {
  assert.ok(command && command.kind === 'play', `a play command: ${JSON.stringify(command)}`);
  return command.at;
};

test('the clock map: server time, performance time and audio time agree', () => {
  const w = world();
  near(w.follower.serverNow(), 1_007_000);
  near(w.follower.perfAt(1_010_000), 5000);
  assert.equal(w.follower.barMs(), 2000, 'no transport yet: a 2 s bar');
  w.setState({ bpm: 60 });
  assert.equal(w.follower.barMs(), 4000);
  w.follower.dispose();
});

test("each new state re-anchors the engine exactly at the state's anchor, and says so", () => {
  const w = world();
  w.setState({});
  assert.equal(w.follower.update(true), null);
  assert.equal(w.follower.live, true);
  let at = playAt(w.commands.at(-1));
  near(at.time, 13);
  assert.equal(at.tick, 0);
  assert.deepEqual(
    w.events.map((e) => e.name),
    ['retimed', 'applied'],
  );
  assert.deepEqual(w.events[0]!.event, { audioTime: at.time, reason: 'follow', shiftMs: null });
  assert.equal((w.events[1]!.event as TimelineEvents['applied']).state.revision, 1);

  // The same revision again: nothing to do.
  w.follower.update(true);
  assert.equal(w.commands.length, 1);

  // A jump to bar 2 announced for server 1_012_000 (audio 15 s).
  w.setState({ revision: 2, anchorMs: 1_012_000, anchorBar: 2 });
  w.follower.update(true);
  at = playAt(w.commands.at(-1));
  near(at.time, 15);
  assert.equal(at.tick, 2 * 1920);

  // The compensation changed: the same state laid again, 20 ms earlier.
  w.setCompensation(20);
  w.follower.refollow();
  near(playAt(w.commands.at(-1)).time, 14.98);
  assert.equal(w.commands.length, 3);
  w.follower.dispose();
});

test('the channel down and up again: the last state is laid again on the clock as it is now', () => {
  const w = world();
  w.setState({});
  w.follower.update(true);
  w.follower.update(false);
  assert.equal(w.follower.live, false);
  w.follower.refollow();
  assert.equal(w.commands.length, 1, 'not live: nothing is laid');
  w.follower.update(true);
  assert.equal(w.commands.length, 2, 'back: the same revision, laid again');
  w.follower.dispose();
});

test('drift: a bar line the engine has 4 ms late is pulled back onto the shared clock', () => {
  const w = world();
  w.setState({});
  w.follower.update(true);
  w.engineState.playing = true;
  w.setAudio(14);
  // Bar 1 belongs at server 1_012_000 = audio 15.0 s.
  w.setNextBar({ tick: 1920, time: 15.004 });
  w.events.length = 0;
  w.follower.checkDrift();
  const at = playAt(w.commands.at(-1));
  near(at.time, 15);
  assert.equal(at.tick, 1920);
  assert.equal(w.events.length, 1);
  const retime = w.events[0]!.event as TimelineEvents['retimed'];
  assert.equal(retime.reason, 'drift');
  near(retime.shiftMs!, -4, 1e-6);

  const before = w.commands.length;
  // Within the tolerance (2 ms): left alone.
  w.setNextBar({ tick: 1920, time: 15.002 });
  w.follower.checkDrift();
  // Too close to now to move without a glitch.
  w.setAudio(14.9);
  w.setNextBar({ tick: 1920, time: 15.004 });
  w.follower.checkDrift();
  // Not live any more.
  w.setAudio(14);
  w.follower.update(false);
  w.follower.checkDrift();
  assert.equal(w.commands.length, before);
  w.follower.dispose();
});

test('drift is checked on a timer, which dispose() stops', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    const w = world({ driftCheckMs: 250 });
    w.setState({});
    w.follower.update(true);
    w.engineState.playing = true;
    w.setAudio(14);
    w.setNextBar({ tick: 1920, time: 15.01 });
    mock.timers.tick(249);
    assert.equal(w.commands.length, 1);
    mock.timers.tick(1);
    assert.equal(w.commands.length, 2);
    near(playAt(w.commands.at(-1)).time, 15);
    w.follower.dispose();
    w.setNextBar({ tick: 1920, time: 15.01 });
    mock.timers.tick(1000);
    assert.equal(w.commands.length, 2);
  } finally {
    mock.timers.reset();
  }
});

test('play pressed before the channel was up: the room is asked to join, and its stopped states do not stop this player', () => {
  const w = world();
  w.engineState.playing = true;
  w.setState({ playing: false });
  assert.equal(w.follower.update(true), 'join-me');
  assert.equal(w.commands.length, 0);
  // The tempo this player sent ahead of its play request: a stopped state of its own.
  w.setState({ playing: false, revision: 2, changedBy: 'ann', bpm: 100 });
  w.follower.update(true);
  assert.equal(w.commands.length, 0);
  // The room plays: followed.
  w.setState({ revision: 3, changedBy: 'ann', anchorMs: 1_012_000, anchorBar: 3 });
  w.follower.update(true);
  assert.equal(playAt(w.commands.at(-1)).tick, 3 * 1920);
  w.follower.dispose();
});

test('play pressed ahead and the request refused: the next state is followed', () => {
  const w = world();
  w.engineState.playing = true;
  w.setState({ playing: false });
  w.follower.update(true);
  w.follower.requestRefused();
  w.setState({ playing: false, revision: 2, changedBy: 'ann' });
  w.follower.update(true);
  assert.equal(playAt(w.commands.at(-1)).stop, true);
  w.follower.dispose();
});

test('the audio clock starting (the browser let the sound start) lays the timeline again at once', () => {
  const w = world();
  w.changeEngine({ audioSuspended: true });
  w.setState({});
  w.follower.update(true);
  assert.equal(w.commands.length, 1);
  w.changeEngine({ audioSuspended: false });
  assert.equal(w.commands.length, 2);
  w.changeEngine({ playing: true });
  assert.equal(w.commands.length, 2, 'other engine changes do not');
  w.follower.dispose();
});
