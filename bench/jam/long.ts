/**
 * bench:jam's long part (`npm run bench:jam -- --long-minutes 60`): do peers stay in phase for an
 * hour? N peers through the jitter proxy, each with its own clock offset and drift (up to
 * 100 ppm: 360 ms an hour if nothing tracked it), play; every `sampleSeconds` the next 4 downbeats
 * each peer would play, mapped to true time (their skewed clocks are known), give the spread; the
 * proxy cuts every connection every `dropEveryMinutes` (a Wi-Fi blip), and the peers reconnect
 * on their own. Real time, not simulated: the hour is an hour.
 */
import { downbeats } from '../../core/jam/timeline.ts';
import { serverClock } from '../../sync-server/jam/jam-room.ts';
import { testToken } from '../../tests/support/server-process.ts';
import type { JitterProxy } from '../../tests/support/jitter-proxy.ts';
import { openJam, SkewedClock, sleep, waitReady, type TestJamClient } from '../../tests/support/jam-clients.ts';
import { waitFor } from '../../tests/support/yjs-clients.ts';
import { summarize } from '../stats.ts';

export interface LongOptions {
  minutes: number;
  peers: number;
  sampleSeconds: number;
  dropEveryMinutes: number;
  pingIntervalMs: number;
  log?: (line: string) => void;
}

export async function benchLong(proxy: JitterProxy, options: LongOptions): Promise<unknown> {
  const room = 'bench-jam-long';
  const drifts = [50, -30, 0, 100, -80, 20, 10, -5];
  const peers: TestJamClient[] = [];
  for (let i = 0; i < options.peers; i++) {
    const clock = new SkewedClock((i % 2 ? -1 : 1) * (2345.5 + i * 7777.25), drifts[i % drifts.length]!);
    peers.push(
      openJam(proxy.wsUrl, room, testToken(room, i === 0 ? 'owner' : 'editor', `peer${i}`), clock, {
        pingIntervalMs: options.pingIntervalMs,
      }),
    );
  }
  try {
    await waitReady(peers, 20_000);
    // As bandmates do: connected a while (the clock estimates settle, about 10 s) before playing.
    await sleep(10_000);
    peers[0]!.client.request({ action: 'play' });
    await waitFor(() => peers.every((p) => p.client.transport()?.playing), 5000, 'play everywhere');

    const started = Date.now();
    const end = started + options.minutes * 60_000;
    let nextDrop = started + options.dropEveryMinutes * 60_000;
    const samples: { minute: number; spreadMs: number; clockErrorMs: number; afterReconnect: boolean }[] = [];
    let drops = 0;
    let afterReconnect = false;
    while (Date.now() < end) {
      if (Date.now() >= nextDrop) {
        proxy.dropAll();
        drops++;
        nextDrop += options.dropEveryMinutes * 60_000;
        await sleep(200);
        await waitReady(peers, 30_000);
        afterReconnect = true;
      }
      if (peers.every((p) => p.client.status === 'ready' && p.client.transport()?.playing)) {
        // The next 4 downbeats from a second ahead, as each peer would play them, in true time.
        const from = serverClock() + 1000;
        const plays = peers.map((p) => downbeats(p.client.transport()!, from, 4).map((d) => p.truePlayTime(d.atMs)));
        let spread = 0;
        for (let k = 0; k < 4; k++) {
          const times = plays.map((t) => t[k]!);
          spread = Math.max(spread, Math.max(...times) - Math.min(...times));
        }
        const clockError = Math.max(...peers.map((p) => Math.abs(p.error())));
        const minute = (Date.now() - started) / 60_000;
        samples.push({
          minute: Math.round(minute * 100) / 100,
          spreadMs: Math.round(spread * 1000) / 1000,
          clockErrorMs: Math.round(clockError * 1000) / 1000,
          afterReconnect,
        });
        if (afterReconnect) options.log?.(`bench:jam long: minute ${minute.toFixed(1)}, reconnected; spread ${spread.toFixed(2)} ms`);
        afterReconnect = false;
      }
      await sleep(options.sampleSeconds * 1000);
    }
    const spreads = samples.map((s) => s.spreadMs);
    const byTen = new Map<number, number>();
    for (const s of samples) {
      const k = Math.floor(s.minute / 10) * 10;
      byTen.set(k, Math.max(byTen.get(k) ?? 0, s.spreadMs));
    }
    return {
      minutes: Math.round(((Date.now() - started) / 60_000) * 10) / 10,
      peers: options.peers,
      driftPpm: peers.map((p) => p.clock.driftPpm),
      sampleEverySeconds: options.sampleSeconds,
      connectionsCut: drops,
      downbeatSpreadMs: summarize(spreads),
      maxSpreadPer10MinutesMs: Object.fromEntries(byTen),
      spreadAfterReconnectMs: samples.filter((s) => s.afterReconnect).map((s) => s.spreadMs),
      worstClockErrorMs: summarize(samples.map((s) => s.clockErrorMs)),
      samples: samples.length,
      note: "spread: max over the next 4 downbeats of (latest − earliest true play time across peers), sampled while playing; clock error: the worst peer's |estimate − truth| at the sample",
    };
  } finally {
    for (const p of peers) p.client.close();
  }
}
