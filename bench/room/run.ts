/**
 * npm run bench:room — the jam room's figures (issue 5) in Debian Chromium against a real sync
 * server process serving the built renderer, started as the renderer tests start them
 * (tests/renderer/harness.ts: same build, same server CLI, same Chromium flags). Writes
 * bench/results/room.json, each figure marked pass/fail against its target:
 *   load  first load to interactive < 1.5 s: a bandmate opens the link of a room holding 8 tracks ×
 *         64 bars (7,680 notes) until the room is usable (synced, every track and clip drawn,
 *         play enabled), from navigation start, in the page; cold (fresh context) and warm
 *         (cache) loads, medians; the target is held against the cold median
 *   jam   no long task over 50 ms while playing that song with a bandmate editing it, and audio
 *         scheduled ahead of time with no dropouts: no late events, no skipped stretches, every
 *         event committed ahead of the audio clock (see jam.ts)
 * `npm run bench:room -- jam` runs one part (results merge into the file); `--seconds N` sets the
 * jam's length (default 20), `--cold N --warm N` the loads (default 3 and 6), `--profile <file>`
 * writes a CPU profile of the player's page over the jam (open it in DevTools' Performance panel).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { browserMissing, startRendererHarness, type RendererHarness } from '../../tests/renderer/harness.ts';
import { benchJam } from './jam.ts';
import { benchLoad, type LoadResult } from './load.ts';
import { seedDenseRoom, type SeededRoom } from './song.ts';

const TARGET_LOAD_MS = 1500;
const LONG_TASK_MS = 50;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string', default: '20' }, cold: { type: 'string', default: '3' }, warm: { type: 'string', default: '6' }, profile: { type: 'string' } },
});
const wanted = positionals.length ? positionals : ['load', 'jam'];
for (const w of wanted) if (!['load', 'jam'].includes(w)) throw new Error(`unknown part ${w}; parts: load, jam`);

const missing = browserMissing();
if (missing) {
  console.error(`bench:room: ${missing}`);
  process.exit(1);
}

const out = fileURLToPath(new URL('../results/room.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
const results: Record<string, any> = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage1mAtStart: Math.round(loadavg()[0]! * 100) / 100 };
results.figures ??= {};

const save = (): void => writeFileSync(out, JSON.stringify(results, null, 2) + '\n');

console.error('bench:room: building the renderer, starting the server and Chromium...');
let h: RendererHarness | null = null;
try {
  h = await startRendererHarness();
  const harness = h;
  const room = 'bench-8x64';
  const seeded: SeededRoom = await seedDenseRoom(harness.server.wsUrl, room);
  const expect = { tracks: seeded.tracks, clips: seeded.clips };
  const url = (name: string) => harness.link(room, name);
  results.room = seeded;

  if (wanted.includes('load')) {
    console.error('bench:room: load...');
    const load: LoadResult = await benchLoad(harness.browser, url, expect, { cold: Number(values.cold), warm: Number(values.warm) });
    results.load = { ...load, interactiveMeans: 'first animation frame with the connection synced, every track header and clip of the song drawn and the play button enabled; ms from navigation start', measuredAt: new Date().toISOString() };
    results.figures.firstLoadToInteractive = {
      target: `cold median < ${TARGET_LOAD_MS} ms`,
      coldMedianMs: load.coldMedianMs,
      warmMedianMs: load.warmMedianMs,
      pass: load.coldMedianMs < TARGET_LOAD_MS,
    };
    save();
  }

  if (wanted.includes('jam')) {
    console.error(`bench:room: jam (${values.seconds} s of playback with a bandmate editing)...`);
    const jam: any = await benchJam(harness.browser, url, expect, { seconds: Number(values.seconds), editEveryMs: 200, switchEvery: 20, startupMs: 1000, profilePath: values.profile });
    results.jam = { ...jam, measuredAt: new Date().toISOString() };
    results.figures.noLongTaskWhilePlaying = {
      target: `no long task over ${LONG_TASK_MS} ms in the player's page from pressing play, ${jam.seconds} s, bandmate editing every ${jam.bandmate.editEveryMs} ms`,
      longTasks: jam.player.longTasks.count,
      maxMs: jam.player.longTasks.maxMs,
      afterStartMs: jam.player.longTasksAfterStartMs,
      pass: jam.player.longTaskObserver && jam.player.longTasks.count === 0,
    };
    results.figures.audioScheduledAheadNoDropouts = {
      target: 'every event committed ahead of the audio clock; no late events; no skipped stretches',
      minLeadMs: jam.audio.leadMs.min,
      medianLeadMs: jam.audio.leadMs.p50,
      lateEvents: jam.audio.lateEvents,
      skipped: jam.audio.skipped,
      events: jam.audio.events,
      pass: jam.audio.events > 0 && jam.audio.leadMs.min > 0 && jam.audio.lateEvents === 0 && jam.audio.skipped === 0 && jam.stillPlaying,
    };
    save();
  }
} finally {
  await h?.close();
}

const f = results.figures;
const line = (name: string, fig: any, text: string) => fig && console.log(`${fig.pass ? 'PASS' : 'FAIL'}  ${name}: ${text}`);
line('first load to interactive', f.firstLoadToInteractive, f.firstLoadToInteractive && `cold median ${Math.round(f.firstLoadToInteractive.coldMedianMs)} ms, warm median ${Math.round(f.firstLoadToInteractive.warmMedianMs)} ms (target < ${TARGET_LOAD_MS} ms)`);
line('no long task while playing', f.noLongTaskWhilePlaying, f.noLongTaskWhilePlaying && `${f.noLongTaskWhilePlaying.longTasks} long tasks, longest ${f.noLongTaskWhilePlaying.maxMs} ms`);
line('audio scheduled ahead, no dropouts', f.audioScheduledAheadNoDropouts, f.audioScheduledAheadNoDropouts && `min lead ${f.audioScheduledAheadNoDropouts.minLeadMs} ms (median ${f.audioScheduledAheadNoDropouts.medianLeadMs} ms), ${f.audioScheduledAheadNoDropouts.lateEvents} late events, ${f.audioScheduledAheadNoDropouts.skipped} skipped stretches over ${f.audioScheduledAheadNoDropouts.events} events`);
console.log(`machine: ${results.machine.cpus} CPUs, load average ${results.machine.loadAverage1mAtStart} at start`);
console.log(`bench:room: results in ${out}`);
