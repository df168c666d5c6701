/**
 * Playing the dense song while a bandmate edits it. Alice opens the room and presses play (the
 * real button; the app's Tone.js engine on a real AudioContext). Bob opens a keys or lead clip
 * that is playing and moves all its notes a semitone up or down every `editEveryMs` — each one
 * labelled edit that reaches Alice through the server — switching to another playing clip every
 * `switchEvery` edits. Bob is either a second browser context on this machine (select all, arrow
 * keys in the piano roll) or a stock y-websocket client making the same edit (remote-bandmate.ts):
 * a bandmate's own page runs on their own computer, not on the player's two cores.
 *
 * Measured in Alice's page over the whole time from pressing play:
 *   - long tasks (PerformanceObserver "longtask") and long animation frames with their scripts;
 *   - the gaps between animation frames;
 *   - the engine's own figures (stats(): scheduling windows, recompiles, late events, skipped
 *     stretches) and, for every event as it is committed, how far ahead of the audio clock it
 *     was (its lead: event time minus the context's currentTime; negative would be late).
 */
import { writeFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { summarize } from '../stats.ts';
import { round } from './numbers.ts';
import { remoteBandmate } from './remote-bandmate.ts';
import { installProbes, interactiveAt, readProbe, recordFrames, type Expectation, type LongFrame } from './probes.ts';

export interface JamOptions {
  seconds: number;
  editEveryMs: number;
  switchEvery: number;
  /** Long tasks in the first this-many ms after pressing play are also reported apart (starting). */
  startupMs: number;
  /** Write a CPU profile of the player's page over the run here (a .cpuprofile for DevTools). */
  profilePath?: string;
  /** Write a Chromium trace of the run here (timeline, paint and GC events; open it in DevTools). */
  tracePath?: string;
  /**
   * Who edits: 'page' — a second Chromium page on this machine (its rendering competes with the
   * player's for the same 2 cores); 'remote' — a stock y-websocket client in this process making
   * the same edits, as a bandmate on their own computer reaches the player.
   */
  bandmate: 'page' | 'remote';
  /** The room's server and name (the remote bandmate connects there). */
  room: { wsUrl: string; name: string };
}

async function openMate(
  browser: Browser,
  url: string,
  expect: Expectation,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await installProbes(context, expect);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => void errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // As the renderer tests: failed resource loads (the favicon) are not the app's errors.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await interactiveAt(page);
  return { context, page, errors };
}

/** The clips Bob edits: keys and lead clips in the bars that play during the run. */
async function playingPitchedClips(page: Page, bars: number): Promise<string[]> {
  return page.evaluate((lastBar) => {
    const d = (globalThis as any).document;
    const roles = new Map([...d.querySelectorAll('[data-testid="track-header"]')].map((el: any) => [el.dataset.trackId, el.dataset.role]));
    return [...d.querySelectorAll('[data-testid="clip"]')]
      .filter((el: any) => ['keys', 'lead'].includes(roles.get(el.dataset.trackId) as string) && Number(el.dataset.startBar) < lastBar)
      .sort((a: any, b: any) => Number(a.dataset.startBar) - Number(b.dataset.startBar))
      .map((el: any) => el.dataset.clipId as string);
  }, bars);
}

async function openClip(page: Page, clipId: string): Promise<void> {
  await page.click(`[data-testid="clip"][data-clip-id="${clipId}"]`);
  await page.waitForSelector(`[data-testid="clip-editor"][data-clip-id="${clipId}"]`);
  await page.focus('[data-testid="clip-editor"]');
  await page.keyboard.press('Control+a');
}

/** The bandmate's side of the run: opens a clip and nudges its notes, on a page or as a remote client. */
interface Bandmate {
  open(clipId: string): Promise<void>;
  nudge(up: boolean): Promise<void>;
  /** performance.now() of the bandmate's page (0 for a remote client: no page). */
  now(): Promise<number>;
  page: Page | null;
  errors: string[];
  close(): Promise<void>;
}

async function pageBandmate(browser: Browser, url: string, expect: Expectation): Promise<Bandmate> {
  const bob = await openMate(browser, url, expect);
  return {
    open: (clipId) => openClip(bob.page, clipId),
    nudge: (up) => bob.page.keyboard.press(up ? 'ArrowUp' : 'ArrowDown'),
    now: () => bob.page.evaluate(() => (globalThis as any).performance.now() as number),
    page: bob.page,
    errors: bob.errors,
    close: () => bob.context.close(),
  };
}

async function remoteMate(room: JamOptions['room']): Promise<Bandmate> {
  const bob = await remoteBandmate(room.wsUrl, room.name, 'bob');
  return {
    open: async (clipId) => bob.open(clipId),
    nudge: async (up) => bob.nudge(up),
    now: async () => 0,
    page: null,
    errors: [],
    close: async () => bob.close(),
  };
}

export async function benchJam(
  browser: Browser,
  url: (name: string) => string,
  expect: Expectation,
  options: JamOptions,
): Promise<unknown> {
  const alice = await openMate(browser, url('alice'), expect);
  const bob = options.bandmate === 'page' ? await pageBandmate(browser, url('bob'), expect) : await remoteMate(options.room);
  try {
    // Bars played in the run at the song's 120 BPM (2 s a bar), plus one.
    const clips = await playingPitchedClips(alice.page, Math.ceil(options.seconds / 2) + 1);
    if (!clips.length) throw new Error('no keys or lead clip to edit');
    await bob.open(clips[0]!);

    await alice.page.evaluate(() => {
      const g = globalThis as any;
      const t = g.riffroomTransport;
      if (!t?.stats || !t.onEvent) throw new Error('the page exposes no riffroomTransport (renderer/main.tsx)');
      g.__jam = { leads: [] as number[], statsBefore: t.stats(), log: [] as string[] };
      // What the player's transport did over the run (a stop nobody asked for shows up here).
      let wasPlaying = t.getState().playing;
      t.subscribe(() => {
        const playing = t.getState().playing;
        if (playing !== wasPlaying)
          g.__jam.log.push(`${Math.round(g.performance.now())} engine ${playing ? 'plays' : 'stops'} (following ${t.following})`);
        wasPlaying = playing;
      });
      let revision = -1;
      g.riffroomJam?.subscribe?.(() => {
        const v = g.riffroomJam.getState();
        if (v.transport && v.transport.revision !== revision) {
          revision = v.transport.revision;
          g.__jam.log.push(
            `${Math.round(g.performance.now())} shared transport r${revision} ${v.transport.playing ? 'playing' : 'stopped'} by ${v.transport.changedBy} (live ${v.live})`,
          );
        }
      });
      t.onEvent((e: any) => {
        if (e.kind === 'note' || e.kind === 'click') g.__jam.leads.push((e.time - t.audioTime()) * 1000);
      });
    });
    await recordFrames(alice.page);
    if (bob.page) await recordFrames(bob.page);
    // The player's main thread over the run, by kind (Chromium's own counters, seconds).
    const metricsSession = await alice.context.newCDPSession(alice.page);
    await metricsSession.send('Performance.enable');
    const busy = async (): Promise<Record<string, number>> => {
      const { metrics } = await metricsSession.send('Performance.getMetrics');
      const m = new Map(metrics.map((x: { name: string; value: number }) => [x.name, x.value]));
      return {
        task: m.get('TaskDuration') ?? 0,
        script: m.get('ScriptDuration') ?? 0,
        style: m.get('RecalcStyleDuration') ?? 0,
        layout: m.get('LayoutDuration') ?? 0,
        otherTask: m.get('TaskOtherDuration') ?? 0,
      };
    };
    const busyBefore = await busy();
    const cdp = options.profilePath ? await alice.context.newCDPSession(alice.page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
      await cdp.send('Profiler.start');
    }
    if (options.tracePath) {
      await browser.startTracing(alice.page, {
        path: options.tracePath,
        categories: [
          'toplevel',
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'v8',
          'blink',
          'cc',
          'gpu',
          'disabled-by-default-v8.gc',
        ],
      });
    }
    const playPressedAt = await alice.page.evaluate(() => (globalThis as any).performance.now() as number);
    const bobStart = await bob.now();
    await alice.page.click('[data-testid="play"]');
    await alice.page.waitForSelector('[data-testid="play"][aria-pressed="true"]');

    // Bob edits on a fixed clock (a slow driver call delays the next press, never doubles up).
    const started = Date.now();
    let edits = 0;
    let switches = 0;
    let late = 0;
    while (Date.now() - started < options.seconds * 1000) {
      const due = started + (edits + 1) * options.editEveryMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else late++;
      if (edits > 0 && edits % options.switchEvery === 0) {
        switches++;
        await bob.open(clips[switches % clips.length]!);
      }
      await bob.nudge(edits % 2 === 0);
      edits++;
    }
    const ranMs = Date.now() - started;

    const got = await alice.page.evaluate(() => {
      const g = globalThis as any;
      const t = g.riffroomTransport;
      // The room's shared transport as this page last heard it (who changed it last), when jamming.
      const shared = g.riffroomJam?.getState?.().transport ?? null;
      const out = {
        log: g.__jam.log as string[],
        statsAfter: t.stats(),
        leads: g.__jam.leads as number[],
        statsBefore: g.__jam.statsBefore,
        position: t.position(),
        playing: t.getState().playing,
        now: g.performance.now() as number,
        shared: shared && { playing: shared.playing, revision: shared.revision, changedBy: shared.changedBy },
      };
      return out;
    });
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(options.profilePath!, JSON.stringify(profile));
    }
    const busyAfter = await busy();
    if (options.tracePath) await browser.stopTracing();
    await alice.page.click('[data-testid="play"]');
    const probe = await readProbe(alice.page);
    const bobProbe = bob.page ? await readProbe(bob.page) : null;

    const inRun = <T extends { start: number }>(list: T[], from: number, to: number) =>
      list.filter((l) => l.start >= from && l.start <= to);
    const aliceTasks = inRun(probe.longTasks, playPressedAt, got.now);
    const startup = aliceTasks.filter((l) => l.start < playPressedAt + options.startupMs);
    const steady = aliceTasks.filter((l) => l.start >= playPressedAt + options.startupMs);
    const bobTasks = bobProbe ? inRun(bobProbe.longTasks, bobStart, Infinity) : [];
    const longFrames = (list: LongFrame[], from: number, to: number) =>
      inRun(list, from, to)
        .sort((a, b) => b.duration - a.duration)
        .slice(0, 8)
        .map((f) => ({
          atMs: round(f.start - from),
          durationMs: round(f.duration),
          blockingMs: round(f.blockingDuration),
          scripts: f.scripts,
        }));
    const before = got.statsBefore;
    const after = got.statsAfter;
    const leads = got.leads;
    const tasks = (list: { duration: number }[]) => ({
      count: list.length,
      maxMs: round(Math.max(0, ...list.map((l) => l.duration))),
      totalMs: round(list.reduce((n, l) => n + l.duration, 0)),
      durationsMs: list.map((l) => Math.round(l.duration)),
    });
    const overFrame = (gaps: number[]) => gaps.filter((g) => g > 50).length;
    return {
      song: { tracks: expect.tracks, clips: expect.clips, bpm: 120 },
      seconds: round(ranMs / 1000),
      bandmate: {
        edits,
        editEveryMs: options.editEveryMs,
        clipsEdited: Math.min(clips.length, switches + 1),
        lateDriverCalls: late,
        kind:
          options.bandmate === 'page'
            ? 'a second Chromium page on this machine: select all + ArrowUp/ArrowDown in the piano roll (moved N notes)'
            : 'a stock y-websocket client in the bench process (a bandmate on another computer): moveNotes of every note of the clip, ±1 semitone (moved N notes), with presence',
      },
      stillPlaying: got.playing,
      transportLog: got.log.slice(0, 20),
      sharedTransport: got.shared,
      reachedBar: got.position.bar,
      player: {
        longTasks: tasks(aliceTasks),
        longTasksStartingMs: startup.map((l) => Math.round(l.duration)),
        longTasksAfterStartMs: steady.map((l) => Math.round(l.duration)),
        longTaskObserver: probe.longTaskObserver,
        // Share of the run the main thread was busy (Chromium's Performance metrics), by kind.
        mainThreadBusy: Object.fromEntries(
          Object.keys(busyAfter).map((k) => [k, round((busyAfter[k]! - busyBefore[k]!) / (ranMs / 1000), 3)]),
        ),
        frameGapMs: summarize(probe.frameGaps.slice(1)),
        framesOver50Ms: overFrame(probe.frameGaps.slice(1)),
        longestFrames: longFrames(probe.longFrames, playPressedAt, got.now),
        errors: alice.errors.slice(0, 10),
      },
      bandmatePage: bobProbe && {
        longTasks: tasks(bobTasks),
        frameGapMs: summarize(bobProbe.frameGaps.slice(1)),
        longestFrames: longFrames(bobProbe.longFrames, bobStart, Infinity),
        errors: bob.errors.slice(0, 10),
      },
      audio: {
        windows: after.windows - before.windows,
        windowMs: after.windowMs,
        compiles: after.compiles - before.compiles,
        compileMs: after.compileMs,
        events: after.events - before.events,
        lateEvents: after.lateEvents - before.lateEvents,
        skipped: after.skipped - before.skipped,
        skippedSeconds: round(after.skippedSeconds - before.skippedSeconds, 3),
        leadMs: { ...summarize(leads), min: round(Math.min(...leads), 2) },
      },
    };
  } finally {
    await alice.context.close();
    await bob.close();
  }
}
