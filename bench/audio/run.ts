/**
 * npm run bench:audio — the audio engine's figures on this machine, written to
 * bench/results/audio.json:
 *   scheduler  the pure scheduler under Node: compiling an 8-track × 64-bar song (7,680 notes),
 *              and the cost of one 50 ms look-ahead window while it plays (no audio)
 *   offline    offline renders in Chromium: the 2-bar band song and 8 bars of the dense song,
 *              wall time and speed against real time
 *   live       real-time playback of 8 tracks × 64 bars in Chromium on a real AudioContext:
 *              time to start, main-thread cost per scheduling window (the scheduler plus the Tone
 *              calls it makes), recompiles while a bandmate edits a clip every 250 ms, late
 *              events, and the longest main-thread task (PerformanceObserver "longtask")
 * `npm run bench:audio -- live` runs only the named parts (results merge into the file).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { denseSong } from '../../renderer/audio/fixtures.ts';
import { Scheduler } from '../../renderer/audio/scheduler.ts';
import { compileSong } from '../../renderer/audio/song-events.ts';
import { chromiumMissing, openAudioPage, type AudioPage } from '../../tests/audio/audio-page.ts';
import { summarize } from '../stats.ts';

/** Seconds of live playback measured. */
const LIVE_SECONDS = 15;

function benchScheduler(): unknown {
  const song = denseSong(8, 64);
  const compileMs: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    compileSong(song);
    compileMs.push(performance.now() - t0);
  }
  let events = 0;
  const scheduler = new Scheduler(() => events++, { lookAhead: 0.15 });
  scheduler.setSong(compileSong(song));
  scheduler.metronome = true;
  scheduler.start({ time: 0, tick: 0 });
  const windowMs: number[] = [];
  // The whole song (128 s at 120 BPM) in 50 ms ticks, as Tone's ticker drives it.
  for (let now = 0; now < 130; now += 0.05) {
    const t0 = performance.now();
    scheduler.advance(now);
    windowMs.push(performance.now() - t0);
  }
  const notes = compileSong(song).tracks.reduce((n, t) => n + t.notes.length, 0);
  return { song: { tracks: 8, bars: 64, notes }, compileMs: summarize(compileMs.slice(5)), windowMs: summarize(windowMs), windows: windowMs.length, events };
}

async function benchOffline(page: AudioPage): Promise<unknown> {
  return page.inPage(async () => {
    const a = (globalThis as any).riffroomAudio;
    const runs: Record<string, unknown> = {};
    for (const [name, song, options] of [
      ['band2Bars', a.fixtures.bandSong(), {}],
      ['dense8Tracks8Bars', a.fixtures.denseSong(8, 8), { tailSeconds: 1 }],
    ] as const) {
      await a.renderSong(song, options); // warm-up: bundle code paths, noise buffers
      const t0 = performance.now();
      const audio = await a.renderSong(song, options);
      const ms = performance.now() - t0;
      const levels = a.levels(audio);
      runs[name] = { audioSeconds: audio.duration, wallMs: Math.round(ms), timesRealTime: Math.round((audio.duration * 1000) / ms * 10) / 10, peak: levels.peak, rms: levels.rms };
    }
    return runs;
  }, null);
}

async function benchLive(page: AudioPage): Promise<unknown> {
  return page.inPage(async ({ seconds }) => {
    const a = (globalThis as any).riffroomAudio;
    let song = a.fixtures.denseSong(8, 64);
    const listeners = new Set<() => void>();
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    });
    // "longtask" is a browser entry type (this function runs in the page; Node's types lack it).
    observer.observe({ type: 'longtask' as 'mark' });
    const raf = (globalThis as any).requestAnimationFrame as (cb: () => void) => number;
    const transport = a.createAudioTransport({ getSong: () => song, subscribe: (cb: () => void) => (listeners.add(cb), () => listeners.delete(cb)) });
    let notifications = 0;
    transport.subscribe(() => notifications++);
    const frameGaps: number[] = [];
    let last = performance.now();
    let frames = true;
    const onFrame = () => {
      const now = performance.now();
      frameGaps.push(now - last);
      last = now;
      transport.position(); // what the UI does each frame
      if (frames) raf(onFrame);
    };
    raf(onFrame);
    const t0 = performance.now();
    await transport.play();
    const playMs = performance.now() - t0;
    // A bandmate edits: every 250 ms between 5 s and 10 s one clip's notes are transposed.
    let edits = 0;
    const editTimer = setInterval(() => {
      const elapsed = performance.now() - t0;
      if (elapsed < 5000 || elapsed > 10000) return;
      edits++;
      const clips = song.clips.slice();
      const i = (edits * 7) % clips.length;
      clips[i] = { ...clips[i], notes: clips[i].notes.map((n: any) => ({ ...n, pitch: n.pitch + (edits % 2 ? 1 : -1) })) };
      song = { ...song, clips };
      for (const l of listeners) l();
    }, 250);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(editTimer);
    frames = false;
    const position = transport.position();
    const stats = transport.stats();
    transport.stop();
    transport.dispose();
    observer.disconnect();
    frameGaps.shift();
    return { seconds, playMs, position, stats, edits, notifications, longTasks, frameGaps };
  }, { seconds: LIVE_SECONDS }).then((got) => ({
    song: { tracks: 8, bars: 64, bpm: 120 },
    seconds: got.seconds,
    playMs: Math.round(got.playMs * 10) / 10,
    reachedBar: got.position.bar,
    windows: got.stats.windows,
    windowMs: got.stats.windowMs,
    compiles: got.stats.compiles,
    compileMs: got.stats.compileMs,
    edits: got.edits,
    events: got.stats.events,
    lateEvents: got.stats.lateEvents,
    stateNotifications: got.notifications,
    longTasks: { count: got.longTasks.length, maxMs: Math.max(0, ...got.longTasks), all: got.longTasks.map((d) => Math.round(d)) },
    frameGapMs: summarize(got.frameGaps),
  }));
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['scheduler', 'offline', 'live'];
const out = fileURLToPath(new URL('../results/audio.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
const results: Record<string, unknown> = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };

let page: AudioPage | null = null;
const browserPage = async (): Promise<AudioPage> => {
  const missing = chromiumMissing();
  if (missing) throw new Error(`bench:audio: ${missing}`);
  return (page ??= await openAudioPage());
};
const parts: Record<string, () => Promise<unknown>> = {
  scheduler: async () => benchScheduler(),
  offline: async () => benchOffline(await browserPage()),
  live: async () => benchLive(await browserPage()),
};
try {
  for (const name of wanted) {
    const run = parts[name];
    if (!run) throw new Error(`unknown part ${name}; parts: ${Object.keys(parts).join(', ')}`);
    console.error(`bench:audio: ${name}...`);
    results[name] = { ...(await run() as object), measuredAt: new Date().toISOString() };
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  }
} finally {
  await (page as AudioPage | null)?.close();
}
console.log(JSON.stringify(results, null, 2));
console.error(`bench:audio: results in ${out}`);
