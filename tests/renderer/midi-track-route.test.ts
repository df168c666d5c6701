/**
 * A track's MIDI route set from its own header, in Chromium (the built renderer served by a real
 * sync server, one bandmate). Headless Chromium has no MIDI devices, so the page gets a scripted
 * Web MIDI access before it loads: two outputs that record every send(data, timestamp). The
 * engine's setLocalSilence (what "instead" asks of the audio path, as the MIDI panel's "instead"
 * does) is recorded too.
 *
 * - The header's button says MIDI is not in use yet and its menu asks for the ports, as the panel.
 * - By keyboard, then mouse: a port (drums default to channel 10), then channel 11; the scripted
 *   port gets the drums' notes on channel 11 when the room plays, the header's light blinks, and
 *   the MIDI panel shows the same route; a route made in the panel shows in the header.
 * - "Instead" from the header: the engine is told not to sound the track, the panel says
 *   "instead", the notes still go out; "also" back from the panel: the header says so and the
 *   track sounds again. The button keeps its size whatever it says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { addClip, addTrack, initSong, setLoop } from '../../core/song/edits.ts';
import { testToken } from '../support/server-process.ts';
import { waitForServerState } from '../support/room-api.ts';
import { connectClient, disconnect } from '../support/yjs-clients.ts';
import { browserMissing, startRendererHarness, type Bandmate, type RendererHarness, read, until } from './harness.ts';

const ROOM = 'midi-track-route';
const UI_MS = 20_000;
const IAC = 'iac-1';
const SYNTH = 'synth';
const DRUM_PITCHES = [36, 42, 38, 42];
const BASS_PITCHES = [40, 43, 45, 47];

/** Installs the scripted Web MIDI access, and a recorder of setLocalSilence, before the page's own scripts run. */
function scriptedMidi(context: BrowserContext): Promise<unknown> {
  return context.addInitScript(
    ({ outs }) => {
      const g = globalThis;
      g.__midiRoute = { sends: [], silenced: [], lights: 0 };
      const output = (id: string, name: string) => ({
        id,
        name,
        type: 'output',
        state: 'connected',
        send(data: number[] | Uint8Array, timestamp?: number) {
          g.__midiRoute.sends.push({ port: id, data: [...data], timestamp: timestamp ?? performance.now() });
        },
      });
      const access = {
        outputs: new Map(outs.map(([id, name]) => [id, output(id, name)] as const)),
        inputs: new Map(),
        sysexEnabled: false,
        onstatechange: null,
        addEventListener: () => {},
        removeEventListener: () => {},
      };
      Object.defineProperty(g.navigator, 'requestMIDIAccess', { value: () => Promise.resolve(access) });
      // The engine as renderer/main.tsx hands it out, with its setLocalSilence recorded (the MIDI
      // session holds this same object, so it calls the recording one).
      let transport: (typeof globalThis)['riffroomTransport'] | undefined;
      Object.defineProperty(g, 'riffroomTransport', {
        configurable: true,
        get: () => transport,
        set(t: (typeof globalThis)['riffroomTransport']) {
          const silence = t.setLocalSilence.bind(t);
          t.setLocalSilence = (ids) => {
            g.__midiRoute.silenced.push([...ids]);
            silence(ids);
          };
          transport = t;
        },
      });
    },
    {
      outs: [
        [IAC, 'IAC 1'],
        [SYNTH, 'Synth'],
      ] as [string, string][],
    },
  );
}

const header = (trackId: string) => `[data-testid="track-header"][data-track-id="${trackId}"]`;
const button = (trackId: string) => `${header(trackId)} [data-testid="track-midi"]`;
const menu = (trackId: string) => `${header(trackId)} [data-testid="track-midi-menu"]`;
const panelRow = (trackId: string) => `[data-testid="midi-route"][data-track="${trackId}"]`;

/** The header button's visible words, its accessible name and its size. */
function buttonLook(page: Page, trackId: string) {
  return page.$eval(button(trackId), (el) => {
    const box = el.getBoundingClientRect();
    return {
      text: (el.textContent ?? '').trim(),
      label: el.getAttribute('aria-label') ?? '',
      state: el.getAttribute('data-state'),
      expanded: el.getAttribute('aria-expanded'),
      width: box.width,
      height: box.height,
      headerHeight: el.closest('[data-testid="track-header"]')!.getBoundingClientRect().height,
    };
  });
}

/** The panel's routing row for a track: port, channel (0-based, as its select holds it) and mode. */
function panelRoute(page: Page, trackId: string) {
  return page.$eval(panelRow(trackId), (row) => {
    const value = (id: string) => (row.querySelector(`[data-testid="${id}"]`) as HTMLSelectElement).value;
    return { port: value('midi-route-port'), channel: value('midi-route-channel'), mode: value('midi-route-mode') };
  });
}

/** The note-ons a port was sent, as [status, pitch]. */
const noteOns = (page: Page, port: string) =>
  read(
    page,
    (p) => globalThis.__midiRoute.sends.filter((s) => s.port === p && (s.data[0]! & 0xf0) === 0x90).map((s) => [s.data[0]!, s.data[1]!]),
    port,
  );

const focusedTestId = (page: Page) => read(page, () => document.activeElement?.getAttribute('data-testid') ?? null);

const missing = browserMissing();
if (missing) {
  test("a track's MIDI route from its header in Chromium", (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe("a track's MIDI route from its header, in Chromium", { timeout: 180_000 }, () => {
    let alice: Bandmate;
    let drums = '';
    let bass = '';

    before(async () => {
      // A 1-bar loop at 120 BPM: drums and bass in quarter notes.
      const carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
      initSong(carol.doc, { bpm: 120 });
      drums = addTrack(carol.doc, { role: 'drums', name: 'Drums' });
      bass = addTrack(carol.doc, { role: 'bass', name: 'Bass' });
      for (const [trackId, pitches] of [
        [drums, DRUM_PITCHES],
        [bass, BASS_PITCHES],
      ] as const) {
        addClip(carol.doc, {
          trackId,
          startBar: 0,
          lengthBars: 1,
          notes: pitches.map((pitch, i) => ({ pitch, tick: i * 480, duration: 240, velocity: 100 })),
        });
      }
      setLoop(carol.doc, { startBar: 0, endBar: 1 });
      await waitForServerState(h.server, ROOM, testToken(ROOM, 'viewer', 'check'), carol.doc);
      disconnect(carol);
      alice = await h.join(ROOM, 'alice', { role: 'owner', beforeOpen: scriptedMidi });
      await until(alice.page, 'the jam channel live', () => globalThis.riffroomJam?.getState().live === true, undefined, UI_MS);
      await alice.page.waitForSelector(button(drums), { timeout: UI_MS });
    });

    test('MIDI not in use: the header says so and its menu asks for the ports, as the panel does', async () => {
      const page = alice.page;
      const before = await buttonLook(page, drums);
      assert.equal(before.state, 'unavailable');
      assert.equal(before.text, 'MIDI ports off');
      assert.match(before.label, /^Drums's MIDI out: MIDI ports are not in use yet$/);
      assert.equal(before.expanded, 'false');
      await page.click(button(drums));
      await page.waitForSelector(`${menu(drums)}[role="menu"]`);
      assert.equal(await focusedTestId(page), 'track-midi-enable', 'the menu opens on its one item');
      await page.keyboard.press('Enter');
      await page.waitForSelector(`${button(drums)}[data-state="off"]`, { timeout: UI_MS });
      // The ports arrived under the open menu: it lists them, at "Not sent" (checked).
      await page.waitForSelector(`${menu(drums)} [data-testid="track-midi-port"][data-id="${IAC}"]`);
      await until(page, 'focus on the checked port', () => document.activeElement?.getAttribute('aria-checked') === 'true');
      assert.equal(await read(page, () => document.activeElement?.getAttribute('data-id')), '');
      await page.keyboard.press('Escape');
      await page.waitForSelector(menu(drums), { state: 'detached' });
      assert.equal(await focusedTestId(page), 'track-midi', 'Escape: back on the button');
      assert.equal(await read(page, () => globalThis.riffroomMidi.getState().status), 'ready', "the panel's session has the ports");
      const after = await buttonLook(page, drums);
      assert.equal(after.text, 'MIDI off');
      assert.deepEqual([after.width, after.height, after.headerHeight], [before.width, before.height, before.headerHeight], 'no jump');
    });

    test("a port and channel picked in the header: the port gets the track's notes there, the light blinks, the panel agrees", async () => {
      const page = alice.page;
      const look = await buttonLook(page, drums);
      // By keyboard: open, down to the first port, pick it.
      await page.focus(button(drums));
      await page.keyboard.press('Enter');
      await page.waitForSelector(menu(drums));
      await page.keyboard.press('ArrowDown');
      assert.equal(await read(page, () => document.activeElement?.getAttribute('data-id')), IAC);
      await page.keyboard.press(' ');
      await page.waitForSelector(`${button(drums)}[data-state="routed"]`);
      assert.equal((await buttonLook(page, drums)).text, 'IAC 1ch 10', 'drums default to channel 10');
      assert.equal(await page.getAttribute(`${menu(drums)} [data-testid="track-midi-channel"][data-channel="10"]`, 'aria-checked'), 'true');
      // By mouse: channel 11; the menu stays open for it, and closes on a click elsewhere.
      await page.click(`${menu(drums)} [data-testid="track-midi-channel"][data-channel="11"]`);
      await page.waitForSelector(`${menu(drums)} [data-testid="track-midi-channel"][data-channel="11"][aria-checked="true"]`);
      await h.screenshot(page, 'midi-track-route-menu');
      await page.mouse.click(5, 5);
      await page.waitForSelector(menu(drums), { state: 'detached' });
      const routed = await buttonLook(page, drums);
      assert.equal(routed.text, 'IAC 1ch 11');
      assert.equal(routed.label, "Drums's MIDI out: IAC 1, channel 11, also heard here");
      assert.deepEqual([routed.width, routed.height, routed.headerHeight], [look.width, look.height, look.headerHeight], 'no jump');
      assert.deepEqual(await read(page, () => globalThis.riffroomMidi.getState().settings.routes), {
        [drums]: { portId: IAC, channel: 10, mode: 'also' },
      });

      // The panel shows the same route; a route made there shows in the bass's header.
      await page.click('[data-testid="tab-midi"]');
      await page.waitForSelector('[data-testid="midi-panel"][data-status="ready"]');
      assert.deepEqual(await panelRoute(page, drums), { port: IAC, channel: '10', mode: 'also' });
      await page.selectOption(`${panelRow(bass)} [data-testid="midi-route-port"]`, IAC);
      await page.selectOption(`${panelRow(bass)} [data-testid="midi-route-channel"]`, '2');
      await page.waitForSelector(`${button(bass)}[aria-label="Bass's MIDI out: IAC 1, channel 3, also heard here"]`);

      // Playing: every note-on the port gets on channel 11 is a drum's, on channel 3 a bass's.
      await read(
        page,
        (trackId) => {
          const light = document.querySelector(`[data-track-id="${trackId}"] [data-testid="track-midi-light"]`)!;
          new MutationObserver(() => {
            if (light.getAttribute('data-on') === 'yes') globalThis.__midiRoute.lights++;
          }).observe(light, { attributes: true, attributeFilter: ['data-on'] });
        },
        drums,
      );
      await page.click('[data-testid="play"]');
      await until(
        page,
        'eight drum notes on channel 11',
        (p) => globalThis.__midiRoute.sends.filter((s) => s.port === p && s.data[0] === 0x9a).length >= 8,
        IAC,
        30_000,
      );
      await until(page, "the drums' light on", () => globalThis.__midiRoute.lights > 0);
      const ons = await noteOns(page, IAC);
      const drumOns = ons.filter(([status]) => status === 0x9a).map(([, pitch]) => pitch);
      const bassOns = ons.filter(([status]) => status === 0x92).map(([, pitch]) => pitch);
      assert.deepEqual(
        ons.filter(([status]) => status !== 0x9a && status !== 0x92),
        [],
        'no note on another channel',
      );
      assert.deepEqual(drumOns.slice(0, 8), [...DRUM_PITCHES, ...DRUM_PITCHES]);
      assert.ok(bassOns.length >= 4 && bassOns.every((p) => BASS_PITCHES.includes(p)), `bass on channel 3: ${bassOns}`);
      assert.deepEqual(await noteOns(page, SYNTH), [], 'nothing to the other port');
      assert.deepEqual((await read(page, () => globalThis.__midiRoute.silenced)).at(-1), [], 'both tracks still sound here');
    });

    test('"instead" from the header silences the track here as the panel\'s does; "also" from the panel sounds it again', async () => {
      const page = alice.page;
      // Space on the button opens the menu (and stays there: it does not stop the room, as the
      // window's Space would).
      await page.focus(button(drums));
      await page.keyboard.press(' ');
      await page.waitForSelector(menu(drums));
      assert.equal(await page.getAttribute('[data-testid="play"]', 'aria-pressed'), 'true', 'still playing');
      assert.equal(await page.getAttribute(button(drums), 'aria-expanded'), 'true');
      await page.click(`${menu(drums)} [data-testid="track-midi-mode"][data-mode="instead"]`);
      await until(page, 'the engine told', (id) => JSON.stringify(globalThis.__midiRoute.silenced.at(-1)) === JSON.stringify([id]), drums);
      await page.keyboard.press('Escape');
      assert.equal((await buttonLook(page, drums)).label, "Drums's MIDI out: IAC 1, channel 11, instead of the sound here");
      assert.deepEqual(await panelRoute(page, drums), { port: IAC, channel: '10', mode: 'instead' });
      // The notes still go to the port.
      const mark = (await noteOns(page, IAC)).filter(([s]) => s === 0x9a).length;
      await until(
        page,
        'more drum notes on the port',
        ({ p, n }) => globalThis.__midiRoute.sends.filter((s) => s.port === p && s.data[0] === 0x9a).length >= n + 2,
        { p: IAC, n: mark },
        UI_MS,
      );
      // The panel's "also": the header follows and the engine sounds the drums again.
      await page.selectOption(`${panelRow(drums)} [data-testid="midi-route-mode"]`, 'also');
      await page.waitForSelector(`${button(drums)}[aria-label="Drums's MIDI out: IAC 1, channel 11, also heard here"]`);
      assert.deepEqual((await read(page, () => globalThis.__midiRoute.silenced)).at(-1), []);
      // "Not sent" from the header: the panel's row says so too.
      await page.click(button(drums));
      await page.click(`${menu(drums)} [data-testid="track-midi-port"][data-id=""]`);
      await page.waitForSelector(`${button(drums)}[data-state="off"]`);
      assert.deepEqual(await panelRoute(page, drums), { port: '', channel: '0', mode: 'also' });
      await page.click('[data-testid="play"]');
      await page.waitForSelector('[data-testid="play"][aria-pressed="false"]', { timeout: UI_MS });
      await h.screenshot(page, 'midi-track-route');
      assert.deepEqual(alice.errors, []);
    });
  });
}
