/**
 * npm run bench:jam — the jam channel's figures, written to bench/results/jam.json:
 *   clock     offset error of N peers (known injected offsets and drifts) through a jitter proxy
 *             (up 5±3 ms, down 1±1 ms, 3% spikes of 40 ms each way): median, p95, max
 *   downbeats spread of the true times at which the N peers would play the same downbeats, after
 *             'play' and after a tempo change: median, max
 *   live      live-note latency end to end on loopback (send on one peer → received by another),
 *             direct and through the proxy: median, p95
 *   midi      MIDI clock out on every peer through the proxy, read on the true server clock: pulses
 *             against the ideal grid (p50/p99/max, across the 'play' and the tempo change), Start
 *             against the room's downbeat; the external clock's tempo estimate with jitter
 *             (midi-clock.ts)
 * The server runs in this process, so its clock is the truth. `-- --peers 8 --seconds 20` to vary.
 * `-- --long-minutes 60` runs only the long part instead (long.ts: phase over an hour of real time,
 * with a reconnect every 10 minutes), its result added to the same file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { barMs, downbeats } from '../../core/jam/timeline.ts';
import { summarize } from '../stats.ts';
import { benchLong } from './long.ts';
import { clockOutFigures, startClockOuts, tempoInFigures } from './midi-clock.ts';
import { startTestServer } from '../../tests/support/test-server.ts';
import { testToken } from '../../tests/support/server-process.ts';
import { jitter, startJitterProxy } from '../../tests/support/jitter-proxy.ts';
import { openJam, SkewedClock, sleep, waitReady, type TestJamClient } from '../../tests/support/jam-clients.ts';
import { waitFor } from '../../tests/support/yjs-clients.ts';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    ping: { type: 'string', default: '250' },
    'long-minutes': { type: 'string', default: '0' },
    'drop-every-minutes': { type: 'string', default: '10' },
  },
});
const LONG_MINUTES = Number(values['long-minutes']);
const PEERS = Number(values.peers);
const SECONDS = Number(values.seconds);
const PING_MS = Number(values.ping);

const target = await startTestServer();
const network = { upMs: '5±3', downMs: '1±1', spikes: '3% of frames each way +40 ms' };
const proxy = await startJitterProxy(target.server.port, { up: jitter(101, 5, 3, 0.03, 40), down: jitter(102, 1, 1, 0.03, 40) });
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  setup: { peers: PEERS, seconds: SECONDS, pingIntervalMs: PING_MS, network },
};

if (LONG_MINUTES > 0) {
  // Only the long part; its result joins the file's others.
  const out = fileURLToPath(new URL('../results/jam.json', import.meta.url));
  try {
    console.error(
      `bench:jam long: ${PEERS} peers playing for ${LONG_MINUTES} min through the jitter proxy, connections cut every ${values['drop-every-minutes']} min ...`,
    );
    const long = await benchLong(proxy, {
      minutes: LONG_MINUTES,
      peers: PEERS,
      sampleSeconds: 15,
      dropEveryMinutes: Number(values['drop-every-minutes']),
      pingIntervalMs: PING_MS,
      log: (l) => console.error(l),
    });
    const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
    writeFileSync(
      out,
      `${JSON.stringify({ ...previous, long: { ...(long as object), network, measuredAt: new Date().toISOString() } }, null, 2)}\n`,
    );
    const l = long as {
      minutes: number;
      downbeatSpreadMs: { p50: number; max: number };
      connectionsCut: number;
      spreadAfterReconnectMs: number[];
      worstClockErrorMs: { max: number };
    };
    console.log(
      `bench:jam long: ${l.minutes} min, downbeat spread median ${l.downbeatSpreadMs.p50} ms, max ${l.downbeatSpreadMs.max} ms; ${l.connectionsCut} connection cuts, spread after each reconnect ${l.spreadAfterReconnectMs.join(', ')} ms; worst clock error ${l.worstClockErrorMs.max} ms\n  results in ${out}`,
    );
  } finally {
    await proxy.close();
    await target.close();
  }
  process.exit(0);
}

try {
  // --- clock -----------------------------------------------------------------------------------
  console.error(`bench:jam clock: ${PEERS} peers through the jitter proxy for ${SECONDS} s ...`);
  const room = 'bench-jam';
  const peers: TestJamClient[] = [];
  for (let i = 0; i < PEERS; i++) {
    const clock = new SkewedClock((i % 2 ? -1 : 1) * (1234.5 + i * 9876.25), [50, -30, 0, 100, -80, 20, 10, -5][i % 8]!);
    peers.push(openJam(proxy.wsUrl, room, testToken(room, i === 0 ? 'owner' : 'editor', `peer${i}`), clock, { pingIntervalMs: PING_MS }));
  }
  const started = performance.now();
  await waitReady(peers, 20_000);
  const readyMs = performance.now() - started;
  await sleep(2000);
  const errors: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    for (const p of peers) errors.push(Math.abs(p.error()));
    await sleep(50);
  }
  results.clock = {
    absErrorMs: summarize(errors),
    readyAfterMs: Math.round(readyMs),
    rttMs: summarize(peers.map((p) => p.client.clock.rttMs)),
    driftPpm: peers.map((p) => ({ injected: p.clock.driftPpm, estimatedServerMinusLocal: Math.round(p.client.clock.driftPpm * 10) / 10 })),
  };

  // --- downbeats -------------------------------------------------------------------------------
  console.error('bench:jam downbeats ...');
  const spreadOf = (from: number, count: number) => {
    const plays = peers.map((p) => downbeats(p.client.transport()!, from, count).map((d) => p.truePlayTime(d.atMs)));
    return Array.from({ length: count }, (_, k) => {
      const times = plays.map((t) => t[k]!);
      return Math.max(...times) - Math.min(...times);
    });
  };
  const revision = peers[0]!.client.transport()!.revision;
  // Every peer's MIDI clock out runs through the play and the tempo change.
  const clockOuts = startClockOuts(peers);
  peers[1 % PEERS]!.client.request({ action: 'play' });
  await waitFor(() => peers.every((p) => p.client.transport()!.revision > revision), 5000, 'play everywhere');
  const play = peers[0]!.client.transport()!;
  const afterPlay = spreadOf(play.anchorMs, 16);
  await sleep(500);
  peers[2 % PEERS]!.client.request({ action: 'tempo', bpm: 93 });
  await waitFor(() => peers.every((p) => p.client.transport()!.revision > revision + 1), 5000, 'tempo everywhere');
  const change = peers[0]!.client.transport()!;
  const sameBar = peers.every(
    (p) => p.client.transport()!.anchorMs === change.anchorMs && p.client.transport()!.anchorBar === change.anchorBar,
  );
  const afterTempo = spreadOf(change.anchorMs - barMs({ bpm: play.bpm, meter: play.meter }), 16);
  // Past the tempo change by a few bars, then the clocks read back on the true server clock.
  await sleep(Math.max(0, change.anchorMs - peers[0]!.client.clock.serverNow(peers[0]!.clock.now())) + 3 * barMs(change));
  const midiOut = clockOutFigures(clockOuts.stop(), play, change);
  results.midi = {
    clockOut: { ...midiOut, note: 'clock messages of every peer, timestamps on its skewed clock read back on the true server clock' },
    tempoIn: tempoInFigures(2),
  };
  results.downbeats = {
    afterPlayMs: summarize(afterPlay),
    aroundTempoChangeMs: summarize(afterTempo),
    allSwitchOnTheSameBar: sameBar,
    switchBar: change.anchorBar,
  };
  for (const p of peers) p.client.close();

  // --- live notes ------------------------------------------------------------------------------
  const liveLatency = async (wsUrl: string, name: string, count: number) => {
    const r = `bench-live-${name}`;
    const [a, b] = [openJam(wsUrl, r, testToken(r, 'editor', 'a')), openJam(wsUrl, r, testToken(r, 'editor', 'b'))];
    await waitReady([a, b]);
    await waitFor(() => b.client.peers().length === 2, 5000, 'two peers');
    const sent = new Map<number, number>();
    const latencies: number[] = [];
    b.client.onLive((m) => {
      const now = performance.now();
      for (const n of m.notes) latencies.push(now - sent.get(n.at)!);
    });
    for (let i = 0; i < count; i++) {
      sent.set(i, performance.now());
      a.client.sendLive([{ kind: i % 2 ? 'off' : 'on', pitch: 60 + (i % 12), velocity: 100, trackId: null, at: i }]);
      await sleep(5 + (i % 7));
    }
    await waitFor(() => latencies.length === count, 10_000, 'every note');
    a.client.close();
    b.client.close();
    return summarize(latencies);
  };
  console.error('bench:jam live ...');
  results.live = {
    loopbackMs: await liveLatency(target.wsUrl, 'direct', 500),
    throughProxyMs: await liveLatency(proxy.wsUrl, 'proxy', 300),
    note: 'send on one JamClient → its onLive on another (same process clock); excludes audio output latency',
  };
  results.measuredAt = new Date().toISOString();
} finally {
  await proxy.close();
  await target.close();
}

const out = fileURLToPath(new URL('../results/jam.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
// The hour-long part (--long-minutes) is kept from its own run.
const earlierLong = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).long : undefined;
writeFileSync(out, `${JSON.stringify(earlierLong ? { ...results, long: earlierLong } : results, null, 2)}\n`);
const c = results.clock as { absErrorMs: { p50: number; p95: number; max: number } };
const d = results.downbeats as {
  afterPlayMs: { p50: number; max: number };
  aroundTempoChangeMs: { max: number };
  allSwitchOnTheSameBar: boolean;
};
const l = results.live as { loopbackMs: { p50: number; p95: number }; throughProxyMs: { p50: number; p95: number } };
type ClockFigures = { pulseErrorMs: { p50: number; p99: number; max: number }; startErrorMs: number[]; pulses: number };
const m = results.midi as {
  clockOut: { trueServerClock: ClockFigures; asEstimated: ClockFigures };
  tempoIn: { jitterMs: number; afterTwoBeatsBpm: { p50: number; max: number }; settledWobbleBpm: { max: number } };
};
console.log(
  [
    `bench:jam (${PEERS} peers, network up ${network.upMs} ms, down ${network.downMs} ms, ${network.spikes})`,
    `  clock offset error   median ${c.absErrorMs.p50} ms, p95 ${c.absErrorMs.p95} ms, max ${c.absErrorMs.max} ms`,
    `  downbeat spread      median ${d.afterPlayMs.p50} ms, max ${d.afterPlayMs.max} ms; around a tempo change max ${d.aroundTempoChangeMs.max} ms; same bar: ${d.allSwitchOnTheSameBar}`,
    `  live-note latency    loopback median ${l.loopbackMs.p50} ms, p95 ${l.loopbackMs.p95} ms; through the proxy median ${l.throughProxyMs.p50} ms, p95 ${l.throughProxyMs.p95} ms`,
    ...(['trueServerClock', 'asEstimated'] as const).map((k) => {
      const f = m.clockOut[k];
      return `  MIDI clock out       ${k === 'trueServerClock' ? 'true server clock' : "peers' estimates "}: ${f.pulses} pulses off the grid p50 ${f.pulseErrorMs.p50} ms, p99 ${f.pulseErrorMs.p99} ms, max ${f.pulseErrorMs.max} ms; Start vs downbeat ${f.startErrorMs.join(', ')} ms`;
    }),
    `  MIDI clock in        tempo with ±${m.tempoIn.jitterMs} ms jitter: after two beats median ${m.tempoIn.afterTwoBeatsBpm.p50} BPM off, max ${m.tempoIn.afterTwoBeatsBpm.max}; settled wobble max ${m.tempoIn.settledWobbleBpm.max} BPM`,
    `  results in ${out}`,
  ].join('\n'),
);
