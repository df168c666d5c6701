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
 *   sampled    the sampled instruments (spessasynth, renderer/audio/sampler/): bank load and
 *              decode in Chromium, page load to the first sampled note, key press to sound through
 *              the sampled piano, the 8 × 64 song played live on them (late events, glitches
 *              from Chromium's playbackStats, peak JS heap), its offline render speed (page:
 *              worker + mixer; Node: worker thread) and the synth's render-quantum time
 *              (spessasynth_core in Node, the processor code the worklet runs: the worklet
 *              scope has no clock fine enough to time it in Chromium)
 *   (offline and live above pin the synthesized voices, as before the sampler.)
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
  return {
    song: { tracks: 8, bars: 64, notes },
    compileMs: summarize(compileMs.slice(5)),
    windowMs: summarize(windowMs),
    windows: windowMs.length,
    events,
  };
}

async function benchOffline(page: AudioPage): Promise<unknown> {
  return page.inPage(async () => {
    const a = (globalThis as any).riffroomAudio;
    const runs: Record<string, unknown> = {};
    for (const [name, song, options] of [
      ['band2Bars', a.fixtures.bandSong(), {} as Record<string, unknown>],
      ['dense8Tracks8Bars', a.fixtures.denseSong(8, 8), { tailSeconds: 1 } as Record<string, unknown>],
    ] as const) {
      options.instruments = 'synthesized';
      await a.renderSong(song, options); // warm-up: bundle code paths, noise buffers
      const t0 = performance.now();
      const audio = await a.renderSong(song, options);
      const ms = performance.now() - t0;
      const levels = a.levels(audio);
      runs[name] = {
        audioSeconds: audio.duration,
        wallMs: Math.round(ms),
        timesRealTime: Math.round(((audio.duration * 1000) / ms) * 10) / 10,
        peak: levels.peak,
        rms: levels.rms,
      };
    }
    return runs;
  }, null);
}

async function benchLive(page: AudioPage): Promise<unknown> {
  return page
    .inPage(
      async ({ seconds }) => {
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
        const transport = a.createAudioTransport(
          { getSong: () => song, subscribe: (cb: () => void) => (listeners.add(cb), () => listeners.delete(cb)) },
          { sampled: false },
        );
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
          song = a.fixtures.bandmateEdit(song, ++edits);
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
      },
      { seconds: LIVE_SECONDS },
    )
    .then((got) => ({
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

/** Sampled instruments: load, first note, key latency, the room's song live and offline. */
async function benchSampled(): Promise<unknown> {
  // A fresh page: nothing of the bank cached.
  const page = await openAudioPage();
  try {
    const load = await page.inPage(async () => {
      const a = (globalThis as any).riffroomAudio;
      const raw = new (globalThis as any).AudioContext({ latencyHint: 'interactive' });
      const context = new a.Tone.Context(raw);
      const song = a.fixtures.song([a.fixtures.track('p', 'keys', { instrument: 'grand-piano' })], []);
      const t0 = performance.now();
      const transport = a.createAudioTransport({ getSong: () => song, subscribe: () => () => {} }, { context });
      await transport.instrumentsReady();
      const readyMs = performance.now() - t0;
      const readySincePageLoad = performance.now();
      const recorder = await a.recorder.recordNode(context.destination.output.output ?? context.destination.output);
      const latencies: number[] = [];
      let firstNoteSincePageLoad = NaN;
      // Key presses: a live note on the piano track; the onset is the first sample over -50 dBFS.
      const presses: { at: number; perf: number }[] = [];
      for (let i = 0; i < 12; i++) {
        const at = raw.currentTime;
        presses.push({ at, perf: performance.now() });
        transport.liveNote({ kind: 'on', key: `k${i}`, trackId: 'p', pitch: 60 + (i % 12), velocity: 100 });
        await new Promise((r) => setTimeout(r, 150));
        transport.liveNote({ kind: 'off', key: `k${i}`, trackId: 'p', pitch: 60 + (i % 12), velocity: 0 });
        await new Promise((r) => setTimeout(r, 350));
      }
      const rec = await recorder.stop();
      const outputLatency = raw.outputLatency || raw.baseLatency || 0;
      const left = rec.channels[0];
      presses.forEach((p, i) => {
        const from = Math.max(0, Math.floor((p.at - rec.startTime) * rec.sampleRate));
        const to = i + 1 < presses.length ? Math.floor((presses[i + 1]!.at - rec.startTime) * rec.sampleRate) : left.length;
        for (let s = from; s < to; s++) {
          if (Math.abs(left[s]) > 0.00316) {
            const onset = rec.startTime + s / rec.sampleRate;
            latencies.push((onset - p.at + outputLatency) * 1000);
            if (i === 0) firstNoteSincePageLoad = p.perf + (onset - p.at + outputLatency) * 1000;
            break;
          }
        }
      });
      transport.dispose();
      await raw.close();
      return {
        readyMs,
        readySincePageLoad,
        firstNoteSincePageLoad,
        latencies,
        outputLatencyMs: outputLatency * 1000,
        pressed: presses.length,
      };
    }, null);

    const playRoomSong = (sampled: boolean) =>
      page.inPage(
        async ({ seconds, sampled }) => {
          const a = (globalThis as any).riffroomAudio;
          let song = a.fixtures.denseSong(8, 64);
          const listeners = new Set<() => void>();
          const raw = new (globalThis as any).AudioContext({ latencyHint: 'interactive' });
          const context = new a.Tone.Context(raw);
          const transport = a.createAudioTransport(
            { getSong: () => song, subscribe: (cb: () => void) => (listeners.add(cb), () => listeners.delete(cb)) },
            { context, sampled },
          );
          await transport.instrumentsReady();
          const stats = () => (raw.playbackStats ? { ...raw.playbackStats.toJSON() } : null);
          const loaded = stats();
          // The room is open a moment before anyone presses play (the worker has decoded the song's
          // samples before instrumentsReady()); glitches in that stretch are reported apart.
          await new Promise((r) => setTimeout(r, 3000));
          const mem = () => (performance as any).memory?.usedJSHeapSize ?? NaN;
          let peakHeap = mem();
          const before = stats();
          const marks: unknown[] = [];
          const marker = setInterval(() => marks.push(stats()), 5000);
          await transport.play();
          const t0 = performance.now();
          let edits = 0;
          const editTimer = setInterval(() => {
            peakHeap = Math.max(peakHeap, mem());
            const elapsed = performance.now() - t0;
            if (elapsed < 5000 || elapsed > 10000) return;
            song = a.fixtures.bandmateEdit(song, ++edits);
            for (const l of listeners) l();
          }, 250);
          await new Promise((r) => setTimeout(r, seconds * 1000));
          clearInterval(editTimer);
          clearInterval(marker);
          const after = stats();
          const engine = transport.stats();
          const state = transport.getState();
          transport.stop();
          transport.dispose();
          await raw.close();
          return { seconds, edits, stats: engine, instruments: state.instruments, loaded, before, after, marks, peakHeap };
        },
        { seconds: LIVE_SECONDS, sampled },
      );
    const live = await playRoomSong(true);
    const synthesizedLive = await playRoomSong(false);

    const offline = await page.inPage(async () => {
      const a = (globalThis as any).riffroomAudio;
      const song = a.fixtures.denseSong(8, 64);
      const t0 = performance.now();
      const audio = await a.renderSong(song, { tailSeconds: 1 });
      const ms = performance.now() - t0;
      return { audioSeconds: audio.duration, wallMs: ms, peak: a.levels(audio).peak };
    }, null);

    // The same song's stems in a Node worker thread, timing each render quantum.
    const { openThreadRenderer } = await import('../../renderer/audio/sampler/node/offline-node.ts');
    const { ensureBank } = await import('../../renderer/audio/bank/build.ts');
    const renderer = openThreadRenderer(await ensureBank());
    let render: Awaited<ReturnType<typeof renderer.render>>;
    try {
      render = await renderer.render(denseSong(8, 64), { tailSeconds: 1, timeBlocks: true });
    } finally {
      await renderer.close();
    }
    const quantumBudgetMs = (128 / render.sampleRate) * 1000;
    const node = {
      audioSeconds: render.frames / render.sampleRate,
      bankParseMs: Math.round(render.bankMs),
      renderMs: Math.round(render.renderMs),
      timesRealTime: Math.round((render.frames / render.sampleRate / (render.renderMs / 1000)) * 10) / 10,
      renderQuantumMs: summarize(render.blockMs ?? []),
      quantumBudgetMs: Math.round(quantumBudgetMs * 1000) / 1000,
    };

    const round = (x: number) => Math.round(x * 10) / 10;
    const delta = (run: typeof live, k: string) => (run.before && run.after ? round((run.after as any)[k] - (run.before as any)[k]) : null);
    const idle = (run: typeof live, k: string) =>
      run.loaded && run.before ? round((run.before as any)[k] - (run.loaded as any)[k]) : null;
    return {
      bank: {
        loadAndDecodeMs: round(load.readyMs),
        note: "createAudioTransport to instrumentsReady(): load the worklet and build the synth while the sampler worker fetches the SF3 bank, parses it and decodes the song's presets into an SF2 of PCM samples, which the synth then takes (nothing is decoded on the audio thread)",
      },
      pageLoadToSampledReadyMs: round(load.readySincePageLoad),
      pageLoadToFirstSampledNoteMs: round(load.firstNoteSincePageLoad),
      keyToSoundMs: {
        ...summarize(load.latencies),
        outputLatencyMs: round(load.outputLatencyMs),
        presses: load.pressed,
        note: 'liveNote() to the first output sample over -50 dBFS, plus the reported output latency',
      },
      live: {
        song: { tracks: 8, bars: 64, bpm: 120 },
        instruments: live.instruments,
        seconds: live.seconds,
        edits: live.edits,
        events: live.stats.events,
        lateEvents: live.stats.lateEvents,
        skipped: live.stats.skipped,
        windowMs: live.stats.windowMs,
        underrunEvents: delta(live, 'underrunEvents'),
        underrunSeconds: delta(live, 'underrunDuration'),
        underrunEventsEvery5s: live.marks.map((m: any, i) =>
          m && live.before
            ? m.underrunEvents - (i ? (live.marks[i - 1] as any).underrunEvents : (live.before as any).underrunEvents)
            : null,
        ),
        underrunEventsBeforePlay: idle(live, 'underrunEvents'),
        peakJsHeapMiB: round(live.peakHeap / 2 ** 20),
        note: 'underruns: Chromium AudioContext.playbackStats while playing (the audio thread missed its deadline); the same song on the synthesized voices, same page, for comparison below',
      },
      liveSynthesized: {
        lateEvents: synthesizedLive.stats.lateEvents,
        skipped: synthesizedLive.stats.skipped,
        underrunEvents: delta(synthesizedLive, 'underrunEvents'),
        underrunSeconds: delta(synthesizedLive, 'underrunDuration'),
        peakJsHeapMiB: round(synthesizedLive.peakHeap / 2 ** 20),
      },
      offlinePage: {
        audioSeconds: round(offline.audioSeconds),
        wallMs: Math.round(offline.wallMs),
        timesRealTime: round(offline.audioSeconds / (offline.wallMs / 1000)),
        peak: offline.peak,
      },
      offlineNode: node,
    };
  } finally {
    await page.close();
  }
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['scheduler', 'offline', 'live', 'sampled'];
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
  sampled: async () => benchSampled(),
};
try {
  for (const name of wanted) {
    const run = parts[name];
    if (!run) throw new Error(`unknown part ${name}; parts: ${Object.keys(parts).join(', ')}`);
    console.error(`bench:audio: ${name}...`);
    results[name] = { ...((await run()) as object), measuredAt: new Date().toISOString() };
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  }
} finally {
  await (page as AudioPage | null)?.close();
}
console.log(JSON.stringify(results, null, 2));
console.error(`bench:audio: results in ${out}`);
