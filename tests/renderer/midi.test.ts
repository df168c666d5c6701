/**
 * MIDI out, clock out and clock in, in Chromium (two browser contexts = two bandmates, the built
 * renderer served by a real sync server with its jam channel). Headless Chromium has no MIDI
 * devices, so each page gets a scripted Web MIDI access before it loads: two outputs that record
 * every send(data, timestamp) and an input whose messages (with their timeStamp) the test makes.
 * The page's own MIDI code runs as with devices.
 *
 * - A bass track routed to a port: the program change first, then each scheduled note stamped
 *   when the page hears it (the engine's audio time through the page's clock pair) less the port's
 *   latency; a stop ends every note, with All Notes Off; a port unplugged and plugged back gets
 *   All Notes Off and its program again.
 * - Clock out on both pages: Start within 2 ms of the room's downbeat and every clock within 1 ms
 *   of the ideal grid on the server clock, SPP at the loop's wrap, Stop on the stop's bar line;
 *   the two pages' clocks in phase within 1 ms (plus what their clock estimates moved). A seek
 *   while playing: SPP on the jump's bar line, right before its clock, the clocks running on, on
 *   the new grid, no Stop/Continue.
 * - Clock in: a DAW's clock (jittered) on the owner's input sets the room's tempo for both pages
 *   (within 0.5 BPM), its Start starts the room on one of the DAW's bar lines, its Stop stops it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { addClip, addTrack, initSong, setLoop } from '../../core/song/edits.ts';
import { programForTrack } from '../../core/midi/general-midi.ts';
import { readSong } from '../../core/song/schema.ts';
import { testToken } from '../support/server-process.ts';
import { waitForServerState } from '../support/room-api.ts';
import { connectClient, disconnect } from '../support/yjs-clients.ts';
import { browserMissing, startRendererHarness, type Bandmate, type RendererHarness, read, tapKey, until } from './harness.ts';

const ROOM = 'midi-out';
const UI_MS = 20_000;
/** The scripted ports. */
const DAW = 'daw-out';
const DRUM_MACHINE = 'drum-machine';
const CLOCK_IN = 'daw-clock';
/** The latency set for the DAW's port, ms. */
const LATENCY = 10;

/** Installs the scripted Web MIDI access before the page's own scripts run. */
function scriptedMidi(context: BrowserContext): Promise<unknown> {
  return context.addInitScript(
    ({ outs, inId }) => {
      const g = globalThis;
      const sends: { port: string; data: number[]; timestamp: number; serverThen: number }[] = [];
      const stateListeners = new Set<(e: { port: unknown }) => void>();
      const output = (id: string, name: string) => ({
        id,
        name,
        type: 'output',
        state: 'connected',
        send(data: number[] | Uint8Array, timestamp?: number) {
          const ts = timestamp ?? performance.now();
          // Where the page's clock estimate puts the timestamp on the server clock as it is sent.
          const jam = g.riffroomJam;
          const serverThen = jam
            ? jam.client.clock.serverNow(performance.timeOrigin + ts + jam.getState().settings.compensationMs)
            : Number.NaN;
          sends.push({ port: id, data: [...data], timestamp: ts, serverThen });
        },
      });
      const messageListeners = new Set<(e: { data: Uint8Array; timeStamp: number }) => void>();
      const input = {
        id: inId,
        name: 'DAW clock (scripted)',
        type: 'input',
        state: 'connected',
        addEventListener: (_type: string, l: (e: { data: Uint8Array; timeStamp: number }) => void) => void messageListeners.add(l),
        removeEventListener: (_type: string, l: (e: { data: Uint8Array; timeStamp: number }) => void) => void messageListeners.delete(l),
        onmidimessage: null,
      };
      const outputs = new Map(outs.map(([id, name]) => [id, output(id, name)] as const));
      const access = {
        outputs,
        inputs: new Map([[input.id, input]]),
        sysexEnabled: false,
        onstatechange: null,
        addEventListener: (_type: string, l: (e: { port: unknown }) => void) => void stateListeners.add(l),
        removeEventListener: (_type: string, l: (e: { port: unknown }) => void) => void stateListeners.delete(l),
      };
      Object.defineProperty(g.navigator, 'requestMIDIAccess', { value: () => Promise.resolve(access) });
      const setState = (id: string, state: string) => {
        const port = outputs.get(id)!;
        port.state = state;
        for (const l of stateListeners) l({ port });
      };
      // A seeded generator: the same jitter on every run.
      let seed = 12345;
      const rand = () => {
        seed = (seed + 0x6d2b79f5) >>> 0;
        let t = seed;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const fire = (bytes: number[], timeStamp: number) => {
        for (const l of messageListeners) l({ data: new Uint8Array(bytes), timeStamp });
      };
      g.__midi = {
        sends,
        notes: [],
        input: fire,
        unplug: (id) => setState(id, 'disconnected'),
        plug: (id) => setState(id, 'connected'),
        daw: null,
        // A DAW: its clock from now (running while stopped), Start before the clock of beat
        // `beatsBefore`, pulses each off by up to ±jitter ms in their timeStamp.
        runDaw(bpm, beatsBefore, beats, jitterMs) {
          const period = 60_000 / bpm / 24;
          const t0 = performance.now() + 50;
          const startPulse = beatsBefore * 24;
          const daw = { downbeat: t0 + startPulse * period, done: false };
          g.__midi.daw = daw;
          let i = 0;
          const timer = setInterval(() => {
            const now = performance.now();
            while (i < beats * 24 && t0 + i * period <= now) {
              if (i === startPulse) fire([0xfa], t0 + i * period - 0.5);
              fire([0xf8], t0 + i * period + (rand() * 2 - 1) * jitterMs);
              i++;
            }
            if (i >= beats * 24) {
              clearInterval(timer);
              daw.done = true;
            }
          }, 4);
        },
      };
    },
    {
      outs: [
        [DAW, 'DAW (scripted)'],
        [DRUM_MACHINE, 'Drum machine (scripted)'],
      ] as [string, string][],
      inId: CLOCK_IN,
    },
  );
}

async function openMidiTab(mate: Bandmate): Promise<void> {
  await mate.page.click('[data-testid="tab-jam"]');
  await mate.page.waitForSelector('[data-testid="jam-status"][data-status="live"]', { timeout: UI_MS });
  await mate.page.click('[data-testid="tab-midi"]');
  await mate.page.click('[data-testid="midi-enable"]');
  await mate.page.waitForSelector('[data-testid="midi-panel"][data-status="ready"]', { timeout: UI_MS });
}

const sendsTo = (page: Page, port: string) =>
  read(page, (p) => globalThis.__midi.sends.filter((s) => s.port === p).map((s) => ({ ...s, data: [...s.data] })), port);

/** The room's transport as the page knows it. */
const roomState = (page: Page) => read(page, () => globalThis.riffroomJam.client.transport()!);

/**
 * A page's clock messages to the drum machine: each timestamp on the server clock as the page
 * estimated it when sending, and on this machine's clock (timeOrigin + timestamp: every page of
 * one machine shares it, so two pages compare without any estimate between them).
 */
function clockSends(page: Page) {
  return read(
    page,
    (port) =>
      globalThis.__midi.sends
        .filter((s) => s.port === port)
        .map((s) => ({
          status: s.data[0]!,
          data: [...s.data],
          serverMs: s.serverThen,
          local: performance.timeOrigin + s.timestamp,
          timestamp: s.timestamp,
        })),
    DRUM_MACHINE,
  );
}

/**
 * How far a page's clock estimate moved (server − machine clock at each send) within any 2 s:
 * what a slew-limited mapping can be behind it for a moment.
 */
function wanderOf(messages: { local: number; serverMs: number }[]): number {
  const offsets = messages.map((m) => ({ at: m.local, offset: m.serverMs - m.local }));
  let wander = 0;
  for (let i = 0, j = 0; i < offsets.length; i++) {
    while (offsets[i]!.at - offsets[j]!.at > 2000) j++;
    for (let k = j; k < i; k++) wander = Math.max(wander, Math.abs(offsets[i]!.offset - offsets[k]!.offset));
  }
  return wander;
}

/** Each clock's distance (ms) from the nearest clock of the grid `anchor + k · pulse`, on the server clock as the page estimated it. */
const gridErrorsOf = (clocks: { serverMs: number }[], anchor: number, pulse: number) =>
  clocks.map((m) => Math.abs(m.serverMs - (anchor + Math.round((m.serverMs - anchor) / pulse) * pulse)));

/** The most any clock of `a` is from the nearest clock of `b`, on this machine's clock (pairs within half a pulse). */
function phaseSpread(a: number[], b: number[], pulse: number): { pairs: number; max: number } {
  const spreads = a.map((t) => Math.min(...b.map((u) => Math.abs(u - t)))).filter((d) => d < pulse / 2);
  return { pairs: spreads.length, max: Math.max(...spreads) };
}

/** What a page's MIDI and jam know, for a failure's message. */
function midiState(mate: Bandmate): Promise<string> {
  return read(mate.page, () =>
    JSON.stringify({
      midi: globalThis.riffroomMidi.getState().status,
      routes: globalThis.riffroomMidi.getState().settings.routes,
      sends: globalThis.__midi.sends.length,
      scheduled: globalThis.__midi.notes.length,
      lastSends: globalThis.__midi.sends.slice(-4),
      lastScheduled: globalThis.__midi.notes.slice(-2),
      audioTime: globalThis.riffroomTransport.audioTime(),
      song: globalThis.riffroomJam.session.store.getSnapshot().tracks.map((t) => ({ id: t.id, mute: t.mute, solo: t.solo })),
      view: globalThis.riffroomJam.getState().message,
      engine: globalThis.riffroomTransport.getState(),
      room: globalThis.riffroomJam.client.transport(),
    }),
  ).then((s) => `${mate.name}'s page: ${s}; errors: ${mate.errors.join(' | ') || 'none'}`);
}

const missing = browserMissing();
if (missing) {
  test('MIDI out and clock in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('MIDI out, clock out and clock in, two bandmates in Chromium', { timeout: 300_000 }, () => {
    let alice: Bandmate;
    let bob: Bandmate;
    let bass = '';
    let program = 0;

    before(async () => {
      // A 2-bar loop at 120 BPM with a bass line of quarter notes.
      const carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
      initSong(carol.doc, { bpm: 120 });
      bass = addTrack(carol.doc, { role: 'bass', name: 'Bass' });
      const pitches = [40, 43, 45, 47, 40, 43, 45, 47];
      addClip(carol.doc, {
        trackId: bass,
        startBar: 0,
        lengthBars: 2,
        notes: pitches.map((pitch, i) => ({ pitch, tick: i * 480, duration: 240, velocity: 100 })),
      });
      setLoop(carol.doc, { startBar: 0, endBar: 2 });
      program = programForTrack(readSong(carol.doc).tracks[0]!);
      await waitForServerState(h.server, ROOM, testToken(ROOM, 'viewer', 'check'), carol.doc);
      disconnect(carol);
      alice = await h.join(ROOM, 'alice', { role: 'owner', beforeOpen: scriptedMidi });
      bob = await h.join(ROOM, 'bob', { beforeOpen: scriptedMidi });
      for (const mate of [alice, bob]) await openMidiTab(mate);
    });

    test('a routed track: program first, notes on the audio schedule less the latency, all notes off on stop; clock out on the grid', async () => {
      const page = alice.page;
      await page.fill('[data-testid="midi-output"][data-id="daw-out"] [data-testid="midi-latency"]', String(LATENCY));
      await page.selectOption(`[data-testid="midi-route"][data-track="${bass}"] [data-testid="midi-route-port"]`, DAW);
      await page.selectOption(`[data-testid="midi-route"][data-track="${bass}"] [data-testid="midi-route-channel"]`, '1');
      for (const mate of [alice, bob]) await mate.page.selectOption('[data-testid="midi-clock-out"]', DRUM_MACHINE);
      await h.screenshot(page, 'midi-panel');
      // What the engine schedules for the bass, with the timestamp it maps to (the page's clock pair, as heard), less the latency.
      await read(
        page,
        ({ track, latency }) => {
          globalThis.riffroomTransport.onEvent((e) => {
            if (e.kind !== 'note' || e.trackId !== track) return;
            const stamp = globalThis.riffroomJam.timeline.map().stamp;
            globalThis.__midi.notes.push({
              time: e.time,
              pitch: e.pitch,
              expected: stamp.performanceTime + (e.time - stamp.contextTime) * 1000 - latency,
            });
          });
        },
        { track: bass, latency: LATENCY },
      );
      await until(page, 'the program change', (p) => globalThis.__midi.sends.some((s) => s.port === p), DAW);
      await page.click('[data-testid="play"]');
      await page.waitForSelector('[data-testid="play"][aria-pressed="true"]', { timeout: UI_MS });
      // Past the loop's wrap (2 bars = 4 s) and a little more.
      await until(
        page,
        'twelve bass notes sent',
        (p) => globalThis.__midi.sends.filter((s) => s.port === p && s.data[0] === 0x91).length >= 12,
        DAW,
        30_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}; ${await midiState(alice)}`);
      });
      const playing = await roomState(page);
      await page.click('[data-testid="play"]');
      await until(
        page,
        'All Notes Off on channel 2',
        (p) => globalThis.__midi.sends.some((s) => s.port === p && s.data[0] === 0xb1 && s.data[1] === 123),
        DAW,
      );
      await until(bob.page, "bob's Stop", (p) => globalThis.__midi.sends.some((s) => s.port === p && s.data[0] === 0xfc), DRUM_MACHINE);
      await until(page, "alice's Stop", (p) => globalThis.__midi.sends.some((s) => s.port === p && s.data[0] === 0xfc), DRUM_MACHINE);
      const stopped = await roomState(page);

      // Notes.
      const sent = await sendsTo(page, DAW);
      // The route was made on channel 1 (its program there), then moved to channel 2.
      const channel2 = sent.filter((s) => (s.data[0]! & 0x0f) === 1);
      assert.deepEqual(channel2[0]!.data, [0xc1, program], `the program change first: ${JSON.stringify(sent.slice(0, 3))}`);
      const ons = sent.filter((s) => s.data[0] === 0x91);
      const scheduled = await read(page, () => globalThis.__midi.notes.map((n) => ({ ...n })));
      assert.ok(scheduled.length >= ons.length, `${scheduled.length} scheduled, ${ons.length} sent`);
      for (const [i, on] of ons.entries()) assert.equal(on.data[1], scheduled[i]!.pitch);
      // The spacing is the audio schedule's, to the ms: each gap between note-ons is the gap
      // between the notes' audio times (500 ms quarters, across the loop's wrap too).
      const gapErrors = ons
        .slice(1)
        .map((on, i) => Math.abs(on.timestamp - ons[i]!.timestamp - (scheduled[i + 1]!.time - scheduled[i]!.time) * 1000));
      // Each note-on where the page's clock pair puts its audio time (less the latency); the MIDI
      // side steadies that pair further (midi-time.ts SteadyClockPair), so a jump of the stamp
      // in the context's first moments shows here, not in the notes.
      const errors = ons.map((on, i) => Math.abs(on.timestamp - scheduled[i]!.expected));
      console.log(
        `# note-ons vs the audio schedule: gaps off by max ${Math.max(...gapErrors).toFixed(3)} ms; timestamps vs the page's clock pair (less ${LATENCY} ms) max ${Math.max(...errors).toFixed(3)} ms, over ${ons.length} notes`,
      );
      assert.ok(Math.max(...gapErrors) < 1, `note gaps off the audio schedule by ${Math.max(...gapErrors)} ms`);
      assert.ok(Math.max(...errors) < 5, `note timestamps off the audio schedule by ${Math.max(...errors)} ms`);
      // No stuck notes: ordered by timestamp, every on is ended by an off or All Notes Off.
      const held = new Map<number, number>();
      for (const m of [...sent].sort((a, b) => a.timestamp - b.timestamp)) {
        if (m.data[0] === 0x91) held.set(m.data[1]!, (held.get(m.data[1]!) ?? 0) + 1);
        if (m.data[0] === 0x81) held.set(m.data[1]!, (held.get(m.data[1]!) ?? 0) - 1);
        if (m.data[0] === 0xb1 && m.data[1] === 123) held.clear();
      }
      assert.deepEqual(
        [...held].filter(([, n]) => n > 0),
        [],
        'notes left hanging',
      );

      // Clock out, each page.
      const anchor = playing.anchorMs;
      const pulse = 60_000 / playing.bpm / 24;
      const stopAt = stopped.anchorMs;
      const firstNote = ons[0]!.timestamp + LATENCY;
      const perPage: Record<string, number[]> = {};
      const wanders: number[] = [];
      for (const mate of [alice, bob]) {
        const messages = await clockSends(mate.page);
        const starts = messages.filter((m) => m.status === 0xfa);
        assert.equal(starts.length, 1, `${mate.name}: one Start`);
        const start = starts[0]!;
        const startError = start.serverMs - anchor;
        const song = messages.filter((m) => m.status === 0xf8 && m.serverMs >= anchor - 1);
        // On the server clock (the page's estimate as it sent each): off the ideal grid.
        const gridErrors = gridErrorsOf(song, anchor, pulse).sort((x, y) => x - y);
        // On the page's own clock, no estimate involved: how even the clocks are (each gap
        // against the median gap: the jitter a receiver's tempo would follow).
        const ks = song.map((m) => Math.round((m.serverMs - anchor) / pulse));
        const gaps = song.slice(1).flatMap((m, i) => (ks[i + 1]! - ks[i]! === 1 ? [m.timestamp - song[i]!.timestamp] : []));
        const medianGap = [...gaps].sort((x, y) => x - y)[gaps.length >> 1]!;
        const jitter = Math.max(...gaps.map((g) => Math.abs(g - medianGap)));
        const n = song.length;
        const wrap = messages.find((m) => m.status === 0xf2 && m.serverMs > anchor + 1000);
        const stop = messages.find((m) => m.status === 0xfc)!;
        const wander = wanderOf(messages);
        console.log(
          `# ${mate.name} clock out: Start ${startError.toFixed(3)} ms from the room's downbeat; ${n} clocks off the grid p50 ${gridErrors[n >> 1]!.toFixed(3)} max ${gridErrors.at(-1)!.toFixed(3)} ms (server clock as the page estimates it, which moved ${wander.toFixed(3)} ms within 2 s); gaps ${medianGap.toFixed(4)} ms, jitter ${jitter.toFixed(3)} ms (page clock); SPP at the wrap ${wrap ? (wrap.serverMs - anchor - 4000).toFixed(3) : 'none'} ms; Stop ${(stop.serverMs - stopAt).toFixed(3)} ms from its bar line`,
        );
        assert.ok(Math.abs(startError) < 2, `${mate.name}: Start ${startError} ms from the room's downbeat`);
        // The page's clock estimate moves by a ms or more as pings come in (under load its
        // fitted drift too); the clock follows it slew-limited (renderer/midi/midi-time.ts
        // SteadyOffset), so against the estimate it can be behind by what the estimate moved, for
        // a moment: the 1 ms target plus that, measured (as tests/renderer/jam.test.ts holds the
        // audio's downbeats to their promise plus the drift corrections measured). The 1 ms
        // target holds exactly where the mapping holds still (renderer/midi/clock-out.test.ts).
        const tolerance = 1 + wander;
        assert.ok(gridErrors.at(-1)! < tolerance, `${mate.name}: a clock ${gridErrors.at(-1)} ms off the grid (tolerance ${tolerance})`);
        // The mapping slews at most 2 ms a second, over the timer's gap between two windows (20 ms,
        // up to the 150 ms it may fall behind on a loaded machine): 0.04-0.3 ms between two clocks.
        assert.ok(jitter < 0.5, `${mate.name}: clock gaps ${jitter} ms off their median`);
        assert.ok(Math.abs(medianGap - pulse) < pulse * 1e-3, `${mate.name}: ${medianGap} ms a clock at ${playing.bpm} BPM`);
        assert.ok(n > 200, `${mate.name}: ${n} clocks`);
        assert.ok(wrap && Math.abs(wrap.serverMs - anchor - 4000) < tolerance, `${mate.name}: SPP at the loop wrap`);
        assert.deepEqual(wrap.data, [0xf2, 0, 0]);
        assert.ok(
          Math.abs(stop.serverMs - stopAt) < 1 + tolerance,
          `${mate.name}: Stop ${stop.serverMs - stopAt} ms from the stop's bar line`,
        );
        assert.ok(!song.some((m) => m.serverMs >= stopAt + 0.5), `${mate.name}: no clocks after the stop`);
        if (mate === alice) {
          // The same page's audio path: the first bass note (on the downbeat) as heard, against Start.
          console.log(`# alice: Start ${(start.timestamp - firstNote).toFixed(3)} ms from the downbeat's bass note as heard`);
          assert.ok(Math.abs(start.timestamp - firstNote) < 2, `Start ${start.timestamp - firstNote} ms from the first note as heard`);
        }
        perPage[mate.name] = song.map((m) => m.local);
        wanders.push(wander);
      }
      // Both pages on this machine's clock: the same clocks within 1 ms, plus what each page's
      // clock estimate moved meanwhile (as the audio's downbeats in tests/renderer/jam.test.ts).
      // (The issue asks 2 ms; since the estimate keeps to its lowest round trips the pages were
      // 0.1-1.2 ms apart at load averages 2-9: renderer/midi/README.md.)
      const spread = phaseSpread(perPage.alice!, perPage.bob!, pulse);
      const phaseTolerance = 1 + wanders.reduce((a, b) => a + b, 0);
      console.log(
        `# alice vs bob clocks on the machine's clock: ${spread.pairs} pairs, max ${spread.max.toFixed(3)} ms (tolerance ${phaseTolerance.toFixed(3)} ms)`,
      );
      assert.ok(spread.pairs > 200);
      assert.ok(spread.max < phaseTolerance, `pages' clocks ${spread.max} ms apart`);
    });

    test('a seek while playing: SPP right after it on both pages, the clocks running on, on the new grid', async () => {
      const pages = [alice, bob];
      const marks = await Promise.all(pages.map(async (mate) => (await clockSends(mate.page)).length));
      const sinceMark = async (i: number) => (await clockSends(pages[i]!.page)).slice(marks[i]);
      await bob.page.click('[data-testid="play"]');
      for (const [i, mate] of pages.entries()) {
        await until(
          mate.page,
          `${mate.name}'s Start`,
          ({ p, n }) =>
            globalThis.__midi.sends
              .filter((s) => s.port === p)
              .slice(n)
              .some((s) => s.data[0] === 0xfa),
          {
            p: DRUM_MACHINE,
            n: marks[i]!,
          },
        );
      }
      const playing = await roomState(alice.page);
      const bar = (4 * 60_000) / playing.bpm;
      const pulse = 60_000 / playing.bpm / 24;
      // Early in the loop's first bar, bob seeks to the start ("To the start"): the room jumps on
      // its next bar line, where bar 1 was due (2 bars of loop: no SPP there without the seek).
      await until(
        bob.page,
        "early in the loop's first bar",
        ({ anchor, loop }) => {
          const into = (globalThis.riffroomJam.serverNow() - anchor) % loop;
          return into > 100 && into < 900;
        },
        { anchor: playing.anchorMs, loop: 2 * bar },
        UI_MS,
      );
      await bob.page.click('[aria-label="To the start"]');
      for (const mate of pages) {
        await until(
          mate.page,
          'the jump',
          (revision) => (globalThis.riffroomJam.client.transport()?.revision ?? 0) > revision,
          playing.revision,
          UI_MS,
        );
      }
      const jumped = await roomState(alice.page);
      assert.equal(jumped.playing, true);
      assert.equal(jumped.anchorBar, 0);
      const barsOn = (jumped.anchorMs - playing.anchorMs) / bar;
      assert.ok(Math.abs(barsOn - Math.round(barsOn)) < 1e-6, `the jump on a bar line: ${barsOn} bars after the start`);
      assert.equal(Math.round(barsOn) % 2, 1, `the jump where bar 1 was due (${barsOn} bars after the start), not on a loop wrap`);
      // A bar of clocks after the jump, then a stop.
      for (const mate of pages) {
        await until(mate.page, 'a bar past the jump', (at) => globalThis.riffroomJam.serverNow() > at, jumped.anchorMs + bar, UI_MS);
      }
      await bob.page.click('[data-testid="play"]');
      for (const [i, mate] of pages.entries()) {
        await until(
          mate.page,
          `${mate.name}'s Stop`,
          ({ p, n }) =>
            globalThis.__midi.sends
              .filter((s) => s.port === p)
              .slice(n)
              .some((s) => s.data[0] === 0xfc),
          {
            p: DRUM_MACHINE,
            n: marks[i]!,
          },
        );
      }

      const perPage: number[][] = [];
      let wanders = 0;
      for (const [i, mate] of pages.entries()) {
        const messages = await sinceMark(i);
        const stopIndex = messages.findIndex((m) => m.status === 0xfc);
        const playingPart = messages.slice(0, stopIndex);
        const wander = wanderOf(messages);
        wanders += wander;
        const tolerance = 1 + wander;
        // Start, then only clocks and SPP until the Stop: no Stop/Continue around the jump.
        assert.deepEqual(
          [...new Set(playingPart.filter((m) => m.status !== 0xf8).map((m) => m.status))],
          [0xfa, 0xf2],
          `${mate.name}: ${JSON.stringify(playingPart.filter((m) => m.status !== 0xf8).map((m) => m.data))}`,
        );
        const jumpAt = playingPart.findIndex((m) => m.status === 0xf2 && Math.abs(m.serverMs - jumped.anchorMs) < pulse / 2);
        assert.ok(jumpAt > 0, `${mate.name}: SPP at the jump`);
        const spp = playingPart[jumpAt]!;
        const next = playingPart[jumpAt + 1]!;
        assert.deepEqual(spp.data, [0xf2, 0, 0], `${mate.name}: SPP to bar 0`);
        // Right after the seek: the SPP is the bar line's first message, its clock next.
        assert.equal(playingPart[jumpAt - 1]!.status, 0xf8);
        assert.ok(
          playingPart[jumpAt - 1]!.serverMs < jumped.anchorMs - pulse / 2,
          `${mate.name}: the clock before the SPP is the last of the old bar`,
        );
        assert.equal(next.status, 0xf8);
        const sppError = spp.serverMs - jumped.anchorMs;
        const clockError = next.serverMs - jumped.anchorMs;
        const before = playingPart.filter((m) => m.status === 0xf8 && m.serverMs < jumped.anchorMs - pulse / 2);
        const after = playingPart.filter((m) => m.status === 0xf8 && m.serverMs > jumped.anchorMs - pulse / 2);
        const beforeErrors = gridErrorsOf(before, playing.anchorMs, pulse);
        const afterErrors = gridErrorsOf(after, jumped.anchorMs, pulse);
        // The bar after the jump, every clock of it (none missing, none doubled).
        const firstBar = after.filter((m) => m.serverMs < jumped.anchorMs + bar - pulse / 2);
        console.log(
          `# ${mate.name} seek: SPP ${sppError.toFixed(3)} ms from the jump's bar line, its clock ${clockError.toFixed(3)} ms; clocks off the grid before max ${Math.max(...beforeErrors).toFixed(3)}, after max ${Math.max(...afterErrors).toFixed(3)} ms (estimate moved ${wander.toFixed(3)} ms within 2 s); ${firstBar.length} clocks in the bar after it`,
        );
        assert.ok(Math.abs(sppError) < tolerance, `${mate.name}: SPP ${sppError} ms from the jump`);
        assert.ok(Math.abs(clockError) < tolerance, `${mate.name}: the jump's first clock ${clockError} ms from its bar line`);
        assert.ok(Math.max(...beforeErrors) < tolerance, `${mate.name}: a clock before the jump off the grid`);
        assert.ok(Math.max(...afterErrors) < tolerance, `${mate.name}: a clock after the jump off the new grid`);
        assert.equal(firstBar.length, 96, `${mate.name}: the bar after the jump's clocks`);
        perPage.push(after.map((m) => m.local));
      }
      const spread = phaseSpread(perPage[0]!, perPage[1]!, pulse);
      console.log(
        `# seek: alice vs bob clocks after the jump on the machine's clock: ${spread.pairs} pairs, max ${spread.max.toFixed(3)} ms`,
      );
      assert.ok(spread.pairs >= 96);
      assert.ok(spread.max < 1 + wanders, `pages' clocks ${spread.max} ms apart after the jump`);
    });

    test('a port unplugged and plugged back: All Notes Off and the program again', async () => {
      const page = alice.page;
      const mark = (await sendsTo(page, DAW)).length;
      await read(page, (id) => globalThis.__midi.unplug(id), DAW);
      await page.waitForSelector('[data-testid="midi-output"][data-id="daw-out"][data-connected="no"]', { timeout: UI_MS });
      await read(page, (id) => globalThis.__midi.plug(id), DAW);
      await until(page, 'the program again', ({ p, n }) => globalThis.__midi.sends.filter((s) => s.port === p).length >= n + 2, {
        p: DAW,
        n: mark,
      });
      const after = (await sendsTo(page, DAW)).slice(mark).map((s) => s.data);
      assert.deepEqual(after, [
        [0xb1, 123, 0],
        [0xc1, program],
      ]);
    });

    test("clock in: the owner's DAW sets the room's tempo for both pages, starts it on its bar line and stops it", async () => {
      const page = alice.page;
      await page.selectOption('[data-testid="midi-clock-in"]', CLOCK_IN);
      const mark = await roomState(page);
      assert.equal(mark.playing, false);
      // The DAW at 100 BPM, ±1 ms of jitter: 2 beats of clock while stopped, then Start.
      await read(page, () => globalThis.__midi.runDaw(100, 2, 40, 1));
      for (const mate of [alice, bob]) {
        await until(
          mate.page,
          'the room playing at the DAW tempo',
          () => {
            const t = globalThis.riffroomJam.client.transport();
            return !!t && t.playing && Math.abs(t.bpm - 100) < 0.5;
          },
          undefined,
          UI_MS,
        );
      }
      const state = await roomState(page);
      const bobState = await roomState(bob.page);
      assert.equal(bobState.bpm, state.bpm);
      // The room's downbeat on one of the DAW's bar lines (4/4 at 100 BPM: 2400 ms), on the server clock.
      const dawDownbeat = await read(page, () => {
        const jam = globalThis.riffroomJam;
        return jam.client.clock.serverNow(performance.timeOrigin + globalThis.__midi.daw!.downbeat);
      });
      const intoBar = (((state.anchorMs - dawDownbeat) % 2400) + 2400) % 2400;
      const phase = Math.min(intoBar, 2400 - intoBar);
      console.log(
        `# clock in: room tempo ${state.bpm} BPM (DAW 100); room start ${phase.toFixed(2)} ms off the DAW's bar line, at bar ${state.anchorBar}`,
      );
      assert.ok(Math.abs(state.bpm - 100) < 0.5);
      assert.ok(phase < 3, `room start ${phase} ms off the DAW's bar line`);
      assert.equal(state.anchorBar, Math.round((state.anchorMs - dawDownbeat) / 2400), 'the bar the DAW is in there');
      // Playing for real (its downbeat passed on both pages), then the DAW's Stop.
      for (const mate of [alice, bob]) await mate.page.waitForSelector('[data-testid="play"][aria-pressed="true"]', { timeout: UI_MS });
      await until(page, 'past the room start', (at) => globalThis.riffroomJam.serverNow() > at + 100, state.anchorMs, UI_MS);
      await read(page, () => globalThis.__midi.input([0xfc], performance.now()));
      for (const mate of [alice, bob]) {
        await until(mate.page, 'the room stopped', () => globalThis.riffroomJam.client.transport()?.playing === false, undefined, UI_MS);
        await mate.page.waitForSelector('[data-testid="play"][aria-pressed="false"]', { timeout: UI_MS });
      }
      await page.selectOption('[data-testid="midi-clock-in"]', '');
    });

    test("while playing, a mute ends the track's notes at once; a bandmate's live notes reach the port", async () => {
      const page = alice.page;
      const onsNow = () => read(page, (p) => globalThis.__midi.sends.filter((s) => s.port === p && s.data[0] === 0x91).length, DAW);
      const before = await onsNow();
      await page.click('[data-testid="play"]');
      await until(
        page,
        'two more bass notes',
        ({ p, n }) => globalThis.__midi.sends.filter((s) => s.port === p && s.data[0] === 0x91).length >= n + 2,
        { p: DAW, n: before },
        30_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}; ${await midiState(alice)}`);
      });
      const mute = `[data-testid="track-header"][data-track-id="${bass}"] button[title="Mute"]`;
      await page.click(mute);
      const mutedAt = await read(page, () => performance.now());
      // Half a second of the room's clock later (the drum machine's clocks tell it), nothing new.
      const clocksAt = await read(page, (p) => globalThis.__midi.sends.filter((s) => s.port === p).length, DRUM_MACHINE);
      await until(page, 'half a second of clocks', ({ p, n }) => globalThis.__midi.sends.filter((s) => s.port === p).length >= n + 24, {
        p: DRUM_MACHINE,
        n: clocksAt,
      });
      const sent = await sendsTo(page, DAW);
      const lateOns = sent.filter((m) => m.data[0] === 0x91 && m.timestamp > mutedAt + 200);
      assert.deepEqual(lateOns, [], 'no note of a muted track');
      const held = new Map<number, number>();
      for (const m of [...sent].sort((a, b) => a.timestamp - b.timestamp)) {
        if (m.timestamp > mutedAt + 200) break;
        if (m.data[0] === 0x91) held.set(m.data[1]!, (held.get(m.data[1]!) ?? 0) + 1);
        if (m.data[0] === 0x81) held.set(m.data[1]!, (held.get(m.data[1]!) ?? 0) - 1);
        if (m.data[0] === 0xb1 && m.data[1] === 123) held.clear();
      }
      assert.deepEqual(
        [...held].filter(([, n]) => n > 0),
        [],
        'a note left sounding after the mute',
      );
      const lastOff = sent.filter((m) => m.data[0] === 0x81).at(-1)!;
      console.log(`# mute: the last note-off ${(lastOff.timestamp - mutedAt).toFixed(1)} ms after the click was handled`);
      await page.click(mute);
      // The page going away (pagehide) while playing: every note ends and the clock stops.
      await until(
        page,
        'the bass sounding again',
        ({ p, n }) => globalThis.__midi.sends.filter((s) => s.port === p && s.data[0] === 0x91).length > n,
        { p: DAW, n: sent.filter((m) => m.data[0] === 0x91).length },
        UI_MS,
      );
      const beforeHide = { daw: (await sendsTo(page, DAW)).length, clock: (await sendsTo(page, DRUM_MACHINE)).length };
      const hiddenAt = await read(page, () => {
        dispatchEvent(new Event('pagehide'));
        return performance.now();
      });
      const onHide = {
        daw: (await sendsTo(page, DAW)).slice(beforeHide.daw),
        clock: (await sendsTo(page, DRUM_MACHINE)).slice(beforeHide.clock),
      };
      assert.ok(
        onHide.daw.some((m) => m.data[0] === 0xb1 && m.data[1] === 123 && m.timestamp <= hiddenAt + 200),
        `All Notes Off on pagehide: ${JSON.stringify(onHide.daw)}`,
      );
      assert.ok(
        onHide.clock.some((m) => m.data[0] === 0xfc),
        'Stop on pagehide',
      );
      await page.click('[data-testid="play"]');
      await page.waitForSelector('[data-testid="play"][aria-pressed="false"]', { timeout: UI_MS });

      // Bob plays live on the bass track: alice's page sends it to her DAW on the bass's route.
      await bob.page.click('[data-testid="tab-jam"]');
      await bob.page.click('[data-testid="musical-typing"]');
      await bob.page.waitForSelector('[data-testid="musical-typing"][aria-pressed="true"]');
      await bob.page.mouse.click(5, 5);
      const mark = (await sendsTo(page, DAW)).length;
      await tapKey(bob.page, 'a');
      await until(
        page,
        "bob's note on and off at alice's port",
        ({ p, n }) =>
          globalThis.__midi.sends
            .filter((s) => s.port === p)
            .slice(n)
            .some((s) => s.data[0] === 0x81),
        { p: DAW, n: mark },
        UI_MS,
      );
      const live = (await sendsTo(page, DAW)).slice(mark).map((m) => m.data);
      assert.deepEqual(
        live.filter((d) => d[0] === 0x91 || d[0] === 0x81).map((d) => [d[0], d[1]]),
        [
          [0x91, 60],
          [0x81, 60],
        ],
      );
    });
  });
}
