import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportRequest, TransportState } from '../../core/jam/contract.ts';
import type { Song } from '../../core/song/types.ts';
import { RoomRequests, songLoop, type RequestsHost } from './room-requests.ts';
import type { ClockMap } from './time-map.ts';

const shared: TransportState = {
  playing: false,
  bpm: 120,
  meter: { numerator: 4, denominator: 4 },
  loop: { startBar: 0, endBar: 4 },
  anchorMs: 1_010_000,
  anchorBar: 0,
  revision: 1,
  changedBy: 'bob',
};

const song = (meta: Partial<Song['meta']> = {}, clipEnd = 4): Song => ({
  meta: {
    title: 't',
    bpm: 120,
    meter: { numerator: 4, denominator: 4 },
    key: { tonic: 0, mode: 'major' } as Song['meta']['key'],
    swing: 0,
    loop: null,
    ...meta,
  },
  tracks: [],
  clips: [{ startBar: 0, lengthBars: clipEnd } as Song['clips'][number]],
  chords: [],
  bookmarks: [],
});

/** The map of time-map.test.ts: audio time t is heard at server 1_007_000 + (t − 10) s. */
const map = (): ClockMap => ({
  clock: { serverNow: (local) => local + 5000, localAt: (server) => server - 5000 },
  stamp: { contextTime: 10, performanceTime: 2000 },
  timeOrigin: 1_000_000,
  compensationMs: 0,
});

function room(
  options: {
    song?: Song;
    canDrive?: boolean;
    connected?: boolean;
    engine?: Record<string, unknown>;
    nextBar?: { tick: number; time: number } | null;
  } = {},
) {
  const sent: TransportRequest[] = [];
  const said: string[] = [];
  const host: RequestsHost = {
    client: { transport: () => shared, request: (r) => (options.connected ?? true) && (sent.push(r), true) },
    engine: {
      getState: () => ({ playheadBar: 2.5, countInBars: 0, loop: true, ...options.engine }) as never,
      nextBarLine: () => options.nextBar ?? null,
      audioTime: () => 10,
    },
    song: () => options.song ?? song(),
    map,
    live: () => true,
    playing: () => false,
    canDrive: () => options.canDrive ?? true,
    say: (m) => void said.push(m),
  };
  return { requests: new RoomRequests(host), sent, said };
}

test("the song's loop: its loop range, else the whole song", () => {
  assert.deepEqual(songLoop(song({ loop: { startBar: 2, endBar: 6 } })), { startBar: 2, endBar: 6 });
  assert.deepEqual(songLoop(song({}, 8)), { startBar: 0, endBar: 8 });
});

test("play sends the song's tempo first, then plays from the playhead's bar with the count-in", () => {
  const { requests, sent } = room({ song: song({ bpm: 100 }), engine: { countInBars: 2 } });
  requests.play();
  assert.deepEqual(sent, [
    { action: 'tempo', bpm: 100 },
    { action: 'play', fromBar: 2, countInBars: 2 },
  ]);
});

test('a playhead outside the loop plays from its start; the meter and loop go when they differ', () => {
  const { requests, sent } = room({ song: song({ meter: { numerator: 3, denominator: 4 }, loop: { startBar: 4, endBar: 8 } }) });
  requests.play();
  assert.deepEqual(sent, [
    { action: 'meter', meter: { numerator: 3, denominator: 4 } },
    { action: 'loop', loop: { startBar: 4, endBar: 8 } },
    { action: 'play', fromBar: 4 },
  ]);
});

test('a locked transport or a dropped channel is said, not lost silently', () => {
  const locked = room({ canDrive: false });
  locked.requests.stop();
  assert.deepEqual(locked.sent, []);
  assert.match(locked.said[0]!, /locked/);
  const dropped = room({ connected: false });
  dropped.requests.playFrom(3);
  assert.match(dropped.said[0]!, /Not connected/);
});

test('a player already playing asks the room to start on their next bar line', () => {
  // The engine's next bar line: bar 3 at audio 10.8 s = server 1_007_800.
  const { requests, sent } = room({ nextBar: { tick: 3 * 1920, time: 10.8 } });
  requests.joinMe();
  assert.equal(sent.length, 1);
  const play = sent[0] as Extract<TransportRequest, { action: 'play' }>;
  assert.equal(play.fromBar, 3);
  assert.ok(Math.abs(play.atMs! - 1_007_800) < 1e-6, `${play.atMs}`);
  // Without a bar line to go by: from the bar it is in.
  const alone = room();
  alone.requests.joinMe();
  assert.deepEqual(alone.sent, [{ action: 'play', fromBar: 2 }]);
});
