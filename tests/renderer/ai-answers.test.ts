/**
 * "AI answers" end to end in Chromium (two bandmates in two browser contexts, the built renderer
 * served by a real sync server process with the shipped model, run by the page's inference web
 * worker): alice turns on "AI answers" for her last 1 bar, starts the shared transport and plays
 * a phrase on the Keys track with musical typing inside one bar; a little before the next bar
 * line her page sends the phrase to the model (the worker starts cold here), and the answer is
 * written as a clip on a new "AI answers" keys track in the bar after the one she played, with
 * notes and the model's provenance; bob's page has the same clip.
 *
 * Waits on conditions with generous timeouts (the model's cold start takes tens of seconds on a
 * loaded 2-core machine), no sleeps beyond the key presses themselves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { addTrack, initSong, setLoop } from '../../core/song/edits.ts';
import { testToken } from '../support/server-process.ts';
import { waitForServerState } from '../support/room-api.ts';
import { connectClient, disconnect } from '../support/yjs-clients.ts';
import { browserMissing, startRendererHarness, type Bandmate, type RendererHarness, read, tapKey, until } from './harness.ts';

const ROOM = 'jam-ai-answers';
/** The answer, the inference worker's cold start and the model's load included. */
const ANSWER_MS = 150_000;
const UI_MS = 15_000;

async function openJamTab(mate: Bandmate): Promise<void> {
  await mate.page.click('[data-testid="tab-jam"]');
  await mate.page.waitForSelector('[data-testid="jam-status"][data-status="live"]', { timeout: UI_MS });
}

type ClipView = {
  id: string;
  trackId: string;
  name: string;
  startBar: number;
  lengthBars: number;
  notes: { tick: number; pitch: number; duration: number; velocity: number }[];
  provenance: { source: string; detail: Record<string, unknown> } | null;
};

/** The "AI answers" track and its clips, as the page's store has the song. */
const aiAnswers = (page: Page) =>
  read(page, () => {
    const song = globalThis.riffroomJam.session.store.getSnapshot();
    const track = song.tracks.find((t) => t.name === 'AI answers');
    if (!track) return null;
    const clips = song.clips.filter((c) => c.trackId === track.id).map((c) => JSON.parse(JSON.stringify(c)));
    return { track: { id: track.id as string, role: track.role as string }, clips: clips as ClipView[] };
  });

const missing = browserMissing();
if (missing) {
  test('AI answers in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('AI answers: alice plays a bar, the AI answers in the next, bob sees it', { timeout: 240_000 }, () => {
    let alice: Bandmate;
    let bob: Bandmate;
    let keys = '';

    before(async () => {
      // A song with one keys track and an 8-bar loop (so the next bar is in the loop), written by a third client.
      const carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
      initSong(carol.doc, { bpm: 100 });
      keys = addTrack(carol.doc, { role: 'keys', name: 'Keys' });
      setLoop(carol.doc, { startBar: 0, endBar: 8 });
      // Carol goes once the server holds what she wrote.
      await waitForServerState(h.server, ROOM, testToken(ROOM, 'viewer', 'check'), carol.doc);
      disconnect(carol);
      alice = await h.join(ROOM, 'alice', { role: 'owner' });
      bob = await h.join(ROOM, 'bob');
      for (const mate of [alice, bob]) await openJamTab(mate);
    });

    test('the answer to a bar played live lands in the next bar, with notes, for both', { timeout: 220_000 }, async (t) => {
      const started = Date.now();
      // AI answers on, answering the last 1 bar.
      await alice.page.selectOption('[data-testid="ai-bars"]', '1');
      await alice.page.click('[data-testid="ai-answers"]');
      await alice.page.waitForSelector('[data-testid="ai-answers"]:checked', { timeout: UI_MS });
      await alice.page.waitForSelector('[data-testid="ai-status"]', { timeout: UI_MS });
      assert.equal(await read(alice.page, () => globalThis.riffroomJam.getState().settings.aiBars), 1);

      // Musical typing on the Keys track.
      await alice.page.selectOption('[data-testid="jam-track"]', keys);
      await alice.page.click('[data-testid="musical-typing"]');
      await alice.page.waitForSelector('[data-testid="musical-typing"][aria-pressed="true"]');
      await alice.page.mouse.click(5, 5);

      // What the page's AI answers hang on (live, playing), recorded for a failure's message.
      await read(alice.page, () => {
        const g = globalThis;
        g.__aiFlips = [] as string[];
        const look = () => {
          const v = g.riffroomJam.getState();
          const now = `live=${v.live} playing=${!!v.transport?.playing} ai=${v.settings.aiAnswers}`;
          if (g.__aiFlips.at(-1) !== now) g.__aiFlips.push(now);
        };
        look();
        g.riffroomJam.subscribe(look);
      });
      const why = async () =>
        `ai-status "${await read(alice.page, () => document.querySelector<HTMLElement>('[data-testid="ai-status"]')?.textContent)}"; ` +
        `jam view: ${(await read(alice.page, () => globalThis.__aiFlips)).join(' → ')}; alice's errors: ${JSON.stringify(alice.errors)}`;

      // Alice starts the shared transport; bob follows.
      await alice.page.click('[data-testid="play"]');
      for (const mate of [alice, bob]) await mate.page.waitForSelector('[data-testid="play"][aria-pressed="true"]', { timeout: UI_MS });
      const transport = await read(alice.page, () => JSON.parse(JSON.stringify(globalThis.riffroomJam.getState().transport)));
      assert.deepEqual(transport.loop, { startBar: 0, endBar: 8 });
      assert.equal(transport.bpm, 100);

      // Wait, in the page, for the next bar line of a bar from 1 to 5 (the answer's bar stays in the
      // loop, no wrap), just past it: the phrase is then played well before the page listens
      // (a quarter of a bar before the following bar line). The page's timer may fire late on a
      // busy machine: the bar is the one the shared clock is in when it fires, and a timer that
      // fired too far into its bar waits for the next one.
      const bar = await read(
        alice.page,
        () =>
          new Promise<number>((resolve) => {
            const jam = globalThis.riffroomJam;
            const s = jam.getState().transport!;
            const loop = s.loop!;
            const barMs = (s.meter.numerator * (4 / s.meter.denominator) * 60_000) / s.bpm;
            const len = loop.endBar - loop.startBar;
            // Bar lines from the anchor on: k bars after it is song bar wrap(anchorBar + k).
            const songBar = (i: number) => loop.startBar + ((((s.anchorBar + i - loop.startBar) % len) + len) % len);
            const wait = () => {
              const now = jam.serverNow();
              const into = (now - s.anchorMs) / barMs;
              const k = Math.floor(into);
              if (k >= 0 && songBar(k) >= 1 && songBar(k) <= 5 && into - k < 0.15) return resolve(songBar(k));
              let next = Math.max(0, Math.ceil(into));
              while (songBar(next) < 1 || songBar(next) > 5) next++;
              setTimeout(wait, s.anchorMs + next * barMs - now + 30);
            };
            wait();
          }),
      );
      // The phrase, each key once the page has played the step before (not held for set times).
      for (const key of ['a', 'd', 'g', 'd']) await tapKey(alice.page, key);
      // Where the notes really fell: the bar of each note-on, from the transport state and its server time.
      const played = await read(alice.page, () => {
        const jam = globalThis.riffroomJam;
        const s = jam.getState().transport!;
        const loop = s.loop!;
        const barMs = (s.meter.numerator * (4 / s.meter.denominator) * 60_000) / s.bpm;
        const len = loop.endBar - loop.startBar;
        return globalThis.riffroomJamProbes.played
          .filter((n) => n.kind === 'on')
          .map((n) => {
            const pos = s.anchorBar - loop.startBar + (n.at - s.anchorMs) / barMs;
            const wrapped = loop.startBar + (((pos % len) + len) % len);
            return { pitch: n.pitch, trackId: n.trackId, bar: Math.floor(wrapped), inBar: wrapped - Math.floor(wrapped) };
          });
      });
      t.diagnostic(`alice played in bar ${bar + 1}: ${played.map((n) => `${n.pitch}@${n.bar + 1}+${n.inBar.toFixed(2)}`).join(' ')}`);
      assert.deepEqual(
        played.map((n) => n.pitch),
        [60, 64, 67, 64],
      );
      assert.ok(
        played.every((n) => n.bar === bar && n.trackId === keys),
        JSON.stringify(played),
      );
      assert.ok(
        played.every((n) => n.inBar < 0.7),
        `the phrase is played before the page listens: ${JSON.stringify(played)}`,
      );

      // A quarter of a bar before the next bar line her page asks the model.
      await until(
        alice.page,
        "alice's page is answering",
        () => /answering your 1 bar|AI answered/.test(document.querySelector<HTMLElement>('[data-testid="ai-status"]')?.textContent ?? ''),
        undefined,
        UI_MS,
      );
      const askedAt = Date.now();
      try {
        await until(
          alice.page,
          'the AI answered',
          () =>
            /AI answered|could not answer|refused/.test(
              document.querySelector<HTMLElement>('[data-testid="ai-status"]')?.textContent ?? '',
            ),
          undefined,
          ANSWER_MS,
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${await why()}`);
      }
      const status = await read(alice.page, () => document.querySelector<HTMLElement>('[data-testid="ai-status"]')!.textContent as string);
      t.diagnostic(`answer ${Date.now() - askedAt} ms after the page asked (cold worker): "${status}"`);
      assert.match(status, new RegExp(`^AI answered \\d+ notes? \\(seed \\d+\\), bars ${bar + 2}–${bar + 2}$`));

      // The answer: one clip "Answer" on the keys "AI answers" track, in the bar after hers, with notes.
      // (The page's store takes the edit a moment after the status says so.)
      await until(alice.page, "alice's song has the answer", () => {
        const song = globalThis.riffroomJam.session.store.getSnapshot();
        const track = song.tracks.find((t) => t.name === 'AI answers');
        return track && song.clips.some((c) => c.trackId === track.id);
      });
      const mine = await aiAnswers(alice.page);
      assert.ok(mine, 'alice\'s song has an "AI answers" track');
      assert.equal(mine.track.role, 'keys');
      assert.equal(mine.clips.length, 1, JSON.stringify(mine.clips.map((c) => ({ start: c.startBar, bars: c.lengthBars }))));
      const clip = mine.clips[0]!;
      assert.equal(clip.name, 'Answer');
      assert.equal(clip.startBar, bar + 1, `the answer starts in the bar after the one played (${bar})`);
      assert.equal(clip.lengthBars, 1);
      assert.ok(clip.notes.length > 0, 'the answer has notes');
      assert.ok(
        clip.notes.every((n) => n.tick >= 0 && n.tick + n.duration <= 1920),
        `notes inside its bar: ${JSON.stringify(clip.notes)}`,
      );
      assert.match(status, new RegExp(`^AI answered ${clip.notes.length} note`));
      assert.equal(clip.provenance?.source, 'model');
      assert.equal(clip.provenance?.detail.answerTo, 'alice');

      // Bob has the same clip.
      await until(
        bob.page,
        'bob sees the answer',
        (id: string) => globalThis.riffroomJam.session.store.getSnapshot().clips.some((c) => c.id === id),
        clip.id,
        UI_MS,
      );
      const his = await aiAnswers(bob.page);
      assert.deepEqual(his?.track, mine.track);
      assert.deepEqual(his?.clips, mine.clips);
      await until(
        bob.page,
        "bob's arrangement draws it",
        (id: string) => document.querySelector<HTMLElement>(`[data-testid="clip"][data-clip-id="${id}"]`),
        clip.id,
      );
      t.diagnostic(
        `answer clip: bar ${clip.startBar + 1}, ${clip.notes.length} notes (${clip.notes.map((n) => n.pitch).join(' ')}); whole test ${Date.now() - started} ms`,
      );
      await h.screenshot(alice.page, 'jam-ai-answer');

      // Alice stops; bob stops too; no page errors.
      await alice.page.click('[data-testid="play"]');
      for (const mate of [alice, bob]) await mate.page.waitForSelector('[data-testid="play"][aria-pressed="false"]', { timeout: UI_MS });
      assert.deepEqual(alice.errors, [], await why());
      assert.deepEqual(bob.errors, []);
    });
  });
}
