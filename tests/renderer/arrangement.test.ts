/**
 * Two bandmates in one room, each in a browser context of their own (real Chromium, the built
 * renderer served by a real sync server process, the stock y-websocket provider in the page):
 * what one does, the other sees within a second; undo takes back only your own edits; presence
 * shows who is there, what they selected and what they are doing; the connection shows offline
 * when the server stops, and edits made meanwhile merge when it restarts. Screenshots of the main
 * view are kept in test-results/screenshots/.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { setActivity, setLocalUser, setSelectedClip } from '../../renderer/state/presence.ts';
import { INFERENCE_PROTOCOL } from '../../inference/contract.ts';
import { SHIPPED_MODEL_ID } from '../../inference/node/shipped-model.ts';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { testToken } from '../support/server-process.ts';
import { waitForHistoryLabel } from '../support/room-api.ts';
import { connectClient, disconnect } from '../support/yjs-clients.ts';
import { undoOffers } from './editor-page.ts';
import { browserMissing, countLocalEdits, startRendererHarness, type Bandmate, type RendererHarness, read } from './harness.ts';

const ROOM = 'jam-night';
/** The promise: a bandmate's edit is on your screen within a second. */
const SEE_WITHIN_MS = 1000;
/**
 * How long a check held to the promise waits for the change to show at all. The promise itself is
 * checked on the pages' own clocks (from the edit's key press or pointer release in one page to the
 * first animation frame showing it in the other), so a busy machine's slow test driver (Playwright
 * dispatching a drag, polling over CDP) no longer counts against it.
 */
const WAIT_MS = 10_000;
const latencies: { what: string; ms: number }[] = [];

type InPage<A> = (arg: A) => unknown;

/**
 * Records in `mate`'s page when its user last pressed a key or let go of the pointer (the moment
 * an edit is made), as epoch ms from the event's own timestamp.
 */
async function recordInput(mate: Bandmate): Promise<void> {
  await mate.page.evaluate(() => {
    const g = globalThis;
    g.__lastInputAt = 0;
    for (const type of ['keydown', 'pointerup', 'dblclick']) {
      g.addEventListener(type, (e) => void (g.__lastInputAt = performance.timeOrigin + e.timeStamp), { capture: true });
    }
  });
}

/** When `mate` last made an edit: the key press or pointer release recorded by recordInput. */
async function lastInputAt(mate: Bandmate): Promise<number> {
  const at = await read(mate.page, () => globalThis.__lastInputAt);
  assert.ok(at > 0, `no input recorded in ${mate.name}'s page`);
  return at;
}

/**
 * Waits until `fn` is true in the page (checked every animation frame); returns when it first was,
 * on the page's clock (epoch ms).
 */
async function shownAt<A>(page: Page, fn: InPage<A>, arg: A | undefined, timeout: number): Promise<number> {
  const check = `(() => (${fn.toString()})(${JSON.stringify(arg)}) ? performance.timeOrigin + performance.now() : false)()`;
  const handle = await page.waitForFunction(check, undefined, { timeout, polling: 'raf' });
  return (await handle.jsonValue()) as number;
}

/**
 * Waits until `fn` is true in the page. Held to the promise (the default `timeout`): it must show
 * within SEE_WITHIN_MS of `since` — an epoch time, or a bandmate's last edit (their page's input
 * event) — and the time it took is recorded. Otherwise it must show within `timeout` ms.
 */
async function sees<A>(
  page: Page,
  what: string,
  fn: InPage<A>,
  arg?: A,
  since: number | Bandmate = Date.now(),
  timeout = SEE_WITHIN_MS,
): Promise<number> {
  const promised = timeout === SEE_WITHIN_MS;
  let shown: number;
  try {
    shown = await shownAt(page, fn, arg, promised ? WAIT_MS : timeout);
  } catch (error) {
    throw new Error(`not seen within ${promised ? WAIT_MS : timeout} ms: ${what}\n${(error as Error).message.split('\n')[0]}`);
  }
  const from = typeof since === 'number' ? since : await lastInputAt(since);
  const ms = Math.round(shown - from);
  if (promised) {
    // Only the checks held to the one-second promise count toward the latency figures.
    latencies.push({ what, ms });
    const edit = typeof since === 'number' ? 'the change' : `${since.name}'s edit`;
    assert.ok(ms <= SEE_WITHIN_MS, `${what}: on screen ${ms} ms after ${edit}; the promise is ${SEE_WITHIN_MS} ms`);
  }
  return ms;
}

/**
 * sees(), started before the edit it is about: the page is watched from before the change, so the
 * time it first shows is the page's own. Await the result once the edit is made.
 */
function watch<A>(page: Page, what: string, fn: InPage<A>, arg: A | undefined, since: number | Bandmate): Promise<number> {
  const seen = sees(page, what, fn, arg, since);
  seen.catch(() => {}); // awaited by the caller after the edit; a failure surfaces there
  return seen;
}

/** Reads something from the page's DOM. */
interface ClipView {
  id: string;
  start: number;
  length: number;
  track: string;
}

function clips(page: Page): Promise<ClipView[]> {
  return read(page, () =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="clip"]')].map((el) => ({
      id: el.dataset.clipId!,
      start: Number(el.dataset.startBar),
      length: Number(el.dataset.lengthBars),
      track: el.dataset.trackId!,
    })),
  );
}

function trackIds(page: Page): Promise<{ id: string; name: string; role: string }[]> {
  return read(page, () =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="track-header"]')].map((el) => ({
      id: el.dataset.trackId!,
      name: el.querySelector<HTMLInputElement>('[data-testid="track-name"]')!.value,
      role: el.dataset.role!,
    })),
  );
}

/** Everything the arrangement shows, for comparing two screens. */
function screenState(page: Page): Promise<unknown> {
  return read(page, () => {
    const d = document;
    const value = (id: string) => d.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!.value;
    return {
      title: value('song-title'),
      tempo: value('tempo'),
      tracks: [...d.querySelectorAll<HTMLInputElement>('[data-testid="track-name"]')].map((el) => el.value),
      clips: [...d.querySelectorAll<HTMLElement>('[data-testid="clip"]')]
        .map((el) => `${el.dataset.trackId}@${el.dataset.startBar}+${el.dataset.lengthBars}`)
        .sort(),
      chords: [...d.querySelectorAll<HTMLElement>('[data-testid="chord"]')].map((el) => `${el.dataset.bar}:${el.textContent}`),
    };
  });
}

async function barPx(page: Page): Promise<number> {
  return read(page, () =>
    parseFloat(getComputedStyle(document.querySelector<HTMLElement>('[data-testid="arrangement"]')!).getPropertyValue('--bar-px')),
  );
}

/** Drags from the middle-left of `selector` by (dx, dy) pixels, with the pointer down throughout. */
async function drag(
  page: Page,
  selector: string,
  dx: number,
  dy: number,
  options: { alt?: boolean; at?: 'body' | 'edge' } = {},
): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const x = options.at === 'edge' ? box.x + box.width - 3 : box.x + 12;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  if (options.alt) await page.keyboard.down('Alt');
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 3 });
  await page.mouse.move(x + dx, y + dy, { steps: 3 });
  await page.mouse.up();
  if (options.alt) await page.keyboard.up('Alt');
}

async function typeInto(page: Page, testId: string, text: string): Promise<number> {
  await page.fill(`[data-testid="${testId}"]`, text);
  const since = Date.now();
  await page.press(`[data-testid="${testId}"]`, 'Enter');
  return since;
}

const clipSelector = (id: string) => `[data-testid="clip"][data-clip-id="${id}"]`;

/** Clicks bar `bar` (0-based) of the chord lane and waits until its chord field has the focus. */
async function openChordBar(page: Page, bar: number): Promise<void> {
  await page.locator(`[data-testid="chord-cell"][data-bar="${bar}"]`).click({ position: { x: 8, y: 12 } });
  await page.waitForSelector(`[data-testid="chord-input"][aria-label="Chords of bar ${bar + 1}"]:focus`, { timeout: WAIT_MS });
}

const missing = browserMissing();
if (missing) {
  test('the jam room in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    const started = Date.now();
    h = await startRendererHarness();
    console.log(`# renderer built, server and browser started in ${Date.now() - started} ms`);
  });
  after(async () => {
    await h?.close();
  });

  describe('the sampled instruments, in Chromium', { timeout: 120_000 }, () => {
    test('the sound bank loads: the tracks play sampled and nothing is said; where it cannot, the page says synthesized sounds play', async () => {
      const carol = await h.join('instruments-room', 'carol');
      await carol.page.waitForSelector('.transport[data-instruments="sampled"]', { timeout: 60_000 });
      assert.equal(await carol.page.locator('[data-testid="instruments-status"]').count(), 0);
      // A page whose bank request fails keeps the synthesized voices, and says so.
      const dave = await h.join('instruments-room', 'dave', {
        beforeOpen: (context) => context.route('**/riffroom-bank.sf3', (route) => route.fulfill({ status: 404, body: 'gone' })),
      });
      await dave.page.waitForSelector('[data-testid="instruments-status"][data-state="synthesized"]', { timeout: 60_000 });
      assert.match((await dave.page.locator('[data-testid="instruments-status"]').textContent()) ?? '', /Synthesized sounds/);
    });
  });

  describe('two bandmates in one room, in Chromium', { timeout: 300_000 }, () => {
    let alice: Bandmate;
    let bob: Bandmate;
    let drums = '';
    let bass = '';
    let clip = '';

    before(async () => {
      const started = Date.now();
      alice = await h.join(ROOM, 'alice');
      bob = await h.join(ROOM, 'bob', { viewport: { width: 1280, height: 800 } });
      for (const mate of [alice, bob]) {
        await mate.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 10_000 });
        await recordInput(mate);
      }
      console.log(`# two bandmates connected in ${Date.now() - started} ms`);
    });

    after(async () => {
      if (latencies.length) {
        const ms = latencies.map((l) => l.ms).sort((a, b) => a - b);
        console.log(`# seen by the other bandmate: median ${ms[ms.length >> 1]} ms, max ${ms.at(-1)} ms over ${ms.length} changes`);
        console.log(`# ${latencies.map((l) => `${l.what} ${l.ms}ms`).join('; ')}`);
      }
    });

    test('presence: both names are shown to both, in their colours', async () => {
      for (const mate of [alice, bob]) {
        await sees(
          mate.page,
          `${mate.name} sees alice and bob`,
          () => {
            const names = [...document.querySelectorAll<HTMLElement>('[data-testid="bandmate"]')].map((el) => el.dataset.name);
            return names.includes('alice') && names.includes('bob');
          },
          undefined,
          Date.now(),
          5000,
        );
      }
      const colours = await read(bob.page, () =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="bandmate"] .dot')].map((el) => el.style.background),
      );
      assert.equal(new Set(colours).size, 2, `two colours: ${colours}`);
    });

    test('title and tempo typed by alice appear for bob', async () => {
      let shown = watch(
        bob.page,
        'title',
        () => document.querySelector<HTMLInputElement>('[data-testid="song-title"]')!.value === 'Night Drive',
        undefined,
        alice,
      );
      await typeInto(alice.page, 'song-title', 'Night Drive');
      await shown;
      // bob has the tempo field focused (not typing) while alice changes it: he sees her value,
      // and leaving the field does not put his old one back.
      await bob.page.focus('[data-testid="tempo"]');
      shown = watch(
        bob.page,
        'tempo in a focused field',
        () => document.querySelector<HTMLInputElement>('[data-testid="tempo"]')!.value === '100',
        undefined,
        alice,
      );
      await typeInto(alice.page, 'tempo', '100');
      await shown;
      const bobsEdits = await countLocalEdits(bob.page);
      await bob.page.press('[data-testid="tempo"]', 'Tab');
      shown = watch(
        bob.page,
        'tempo',
        () => document.querySelector<HTMLInputElement>('[data-testid="tempo"]')!.value === '96',
        undefined,
        alice,
      );
      await typeInto(alice.page, 'tempo', '96');
      await shown;
      // Leaving the field made no edit (edits run in the input's handler): nothing of bob's can
      // still arrive to put his old value back on alice's screen.
      assert.equal(await bobsEdits(), 0, "bob's leaving the field wrote nothing");
      assert.equal(await read(alice.page, () => document.querySelector<HTMLInputElement>('[data-testid="tempo"]')!.value), '96');
      assert.equal(await bob.page.title(), 'Night Drive — Riffroom');
    });

    test('tracks added by role appear for bob, with name and role', async () => {
      await alice.page.click('[data-testid="add-track-drums"]');
      const shown = watch(
        bob.page,
        'two tracks',
        () => document.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 2,
        undefined,
        alice,
      );
      await alice.page.click('[data-testid="add-track-bass"]');
      await shown;
      const tracks = await trackIds(bob.page);
      assert.deepEqual(
        tracks.map((t) => [t.name, t.role]),
        [
          ['Drums', 'drums'],
          ['Bass', 'bass'],
        ],
      );
      [drums, bass] = tracks.map((t) => t.id);
    });

    test('an instrument picked in a track header: bob hears it, the history names it, undo takes it back', async () => {
      const picker = (id: string) => `[data-testid="track-header"][data-track-id="${id}"] [data-testid="track-instrument"]`;
      const value = (page: Page, id: string) => page.locator(picker(id)).inputValue();
      assert.equal(await value(alice.page, bass), 'finger-bass', "a new bass track plays the role's default");
      // Drum tracks offer kits only; pitched tracks every melodic preset, grouped by family.
      const drumOptions = await read(
        alice.page,
        (sel) => [...document.querySelectorAll<HTMLOptionElement>(`${sel} option`)].map((o) => o.value),
        picker(drums),
      );
      assert.ok(drumOptions.length >= 5 && drumOptions.every((v: string) => v.endsWith('-kit')), `drum kits: ${drumOptions}`);
      const groups = await read(
        alice.page,
        (sel) => [...document.querySelectorAll<HTMLOptGroupElement>(`${sel} optgroup`)].map((g) => g.label),
        picker(bass),
      );
      assert.ok(groups.includes('Basses') && groups.includes('Pianos') && !groups.includes('Drum kits'), `groups: ${groups}`);

      const shown = watch(
        bob.page,
        'the slap bass',
        (sel) => document.querySelector<HTMLInputElement>(sel)?.value === 'slap-bass',
        picker(bass),
        alice,
      );
      await alice.page.selectOption(picker(bass), 'slap-bass');
      await shown;
      const label = "set Bass's instrument to Slap bass";
      await undoOffers(alice.page, label);
      // The room's history names the edit (fails naming the last labels it has instead).
      await waitForHistoryLabel(h.server, ROOM, testToken(ROOM, 'viewer', 'checker'), label, WAIT_MS);

      const undone = watch(
        bob.page,
        'back to finger bass',
        (sel) => document.querySelector<HTMLInputElement>(sel)?.value === 'finger-bass',
        picker(bass),
        alice,
      );
      await alice.page.click('[data-testid="undo"]');
      await undone;
    });

    test('a clip made by double-click appears for bob where alice put it', async () => {
      const px = await barPx(alice.page);
      // The one who makes it has it selected, in the editor; the other sees it selected by alice.
      const shown = [
        watch(bob.page, 'new clip', () => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 1, undefined, alice),
        watch(
          alice.page,
          'selected in the editor',
          () => {
            const d = document;
            const id = d.querySelector<HTMLElement>('[data-testid="clip"]')?.dataset.clipId;
            return !!id && d.querySelector<HTMLElement>('[data-testid="clip-editor"]')?.dataset.clipId === id;
          },
          undefined,
          alice,
        ),
        watch(
          bob.page,
          "alice's selection",
          () => document.querySelector<HTMLElement>('[data-testid="clip"]')?.dataset.peerSelected === 'alice',
          undefined,
          alice,
        ),
      ];
      await alice.page.locator(`[data-testid="lane"][data-track-id="${drums}"]`).dblclick({ position: { x: px * 1.5, y: 20 } });
      await Promise.all(shown);
      const [c] = await clips(bob.page);
      assert.deepEqual({ ...c, id: '' }, { id: '', start: 1, length: 4, track: drums });
      clip = c!.id;
      assert.equal(
        await read(alice.page, () => document.querySelector<HTMLElement>('[data-testid="clip-editor"]')?.dataset.clipId),
        clip,
        'the same clip on both screens',
      );
    });

    test('moved by drag: along the bars, then to another track', async () => {
      const px = await barPx(alice.page);
      let shown = watch(
        bob.page,
        'moved two bars',
        (id) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.startBar === '3',
        clip,
        alice,
      );
      await drag(alice.page, clipSelector(clip), px * 2, 0);
      await shown;
      shown = watch(
        bob.page,
        'moved to bass',
        ([id, track]) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.trackId === track,
        [clip, bass],
        alice,
      );
      await drag(alice.page, clipSelector(clip), 0, 56);
      await shown;
      assert.deepEqual(
        (await clips(bob.page)).map((c) => [c.start, c.track]),
        [[3, bass]],
      );
    });

    test('resized by its right edge', async () => {
      const px = await barPx(alice.page);
      const shown = watch(
        bob.page,
        'resized to 6 bars',
        (id) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.lengthBars === '6',
        clip,
        alice,
      );
      await drag(alice.page, clipSelector(clip), px * 2, 0, { at: 'edge' });
      await shown;
      assert.equal((await clips(bob.page))[0]!.start, 3, 'a resize does not move the clip');
    });

    test('duplicated by Alt-drag and by Ctrl+D; deleted with Delete', async () => {
      const px = await barPx(alice.page);
      let shown = watch(
        bob.page,
        'alt-drag copy',
        () => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 2,
        undefined,
        alice,
      );
      await drag(alice.page, clipSelector(clip), px * 8, 0, { alt: true });
      await shown;
      assert.deepEqual(
        (await clips(bob.page)).map((c) => c.start).sort((a, b) => a - b),
        [3, 11],
        'the original stays, the copy lands 8 bars later',
      );

      await alice.page.click(clipSelector(clip));
      shown = watch(
        bob.page,
        'Ctrl+D copy',
        () => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 3,
        undefined,
        alice,
      );
      await alice.page.keyboard.press('Control+d');
      await shown;
      assert.deepEqual(
        (await clips(bob.page)).map((c) => c.start).sort((a, b) => a - b),
        [3, 9, 11],
        'the copy follows the original',
      );

      // The copy is now selected: Delete removes it, the original is untouched.
      shown = watch(
        bob.page,
        'deleted',
        () => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 2,
        undefined,
        alice,
      );
      await alice.page.keyboard.press('Delete');
      await shown;
      assert.deepEqual(
        (await clips(bob.page)).map((c) => c.start).sort((a, b) => a - b),
        [3, 11],
      );
    });

    test('arrow keys move the selected clip', async () => {
      await alice.page.click(clipSelector(clip));
      let shown = watch(
        bob.page,
        'nudged right',
        (id) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.startBar === '4',
        clip,
        alice,
      );
      await alice.page.keyboard.press('ArrowRight');
      await shown;
      shown = watch(
        bob.page,
        'nudged back',
        (id) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.startBar === '3',
        clip,
        alice,
      );
      await alice.page.keyboard.press('ArrowLeft');
      await shown;
    });

    test('chords typed per bar appear on the chord lane', async () => {
      // Bar 1 may have scrolled under the track headers (the selection was kept in view), and the
      // page may scroll again to keep it there: click the bar's own cell (found where it is at
      // the click) rather than an offset into the lane, and type once the bar's field is open.
      await alice.page.locator('[data-testid="arrangement"]').evaluate((el) => (el.scrollLeft = 0));
      await openChordBar(alice.page, 0);
      await alice.page.keyboard.type('Am7');
      await alice.page.keyboard.press('Tab');
      await alice.page.waitForSelector('[data-testid="chord-input"][aria-label="Chords of bar 2"]:focus', { timeout: WAIT_MS });
      await alice.page.keyboard.type('d7 G');
      const chordsOn = (page: Page) =>
        read(page, () =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="chord"]')].map((el) => `${el.dataset.bar}:${el.textContent}`).join(' '),
        );
      let shown = watch(
        bob.page,
        'chords',
        () =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="chord"]')]
            .map((el) => `${el.dataset.bar}:${el.textContent}`)
            .join(' ') === '0:Am7 1:D7 1:G',
        undefined,
        alice,
      );
      await alice.page.keyboard.press('Enter');
      await shown.catch(async (error: Error) => {
        throw new Error(`${error.message}\n  bob's chord lane: "${await chordsOn(bob.page)}"; alice's: "${await chordsOn(alice.page)}"`);
      });
      // Not a chord: refused with a message, nothing written.
      await openChordBar(alice.page, 2);
      await alice.page.keyboard.type('Hello');
      shown = watch(
        alice.page,
        'the refusal',
        () => /not a chord symbol/.test(document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? ''),
        undefined,
        alice,
      );
      await alice.page.keyboard.press('Enter');
      await shown;
      await alice.page.keyboard.press('Escape');
      assert.equal(await read(bob.page, () => document.querySelectorAll<HTMLElement>('[data-testid="chord"]').length), 3);
    });

    test("each sees the other's selected clip and what they are doing", async () => {
      const shown = watch(
        alice.page,
        "bob's selection",
        (id) => (document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.peerSelected ?? '').includes('bob'),
        clip,
        bob,
      );
      await bob.page.click(clipSelector(clip));
      await shown;
      // A third bandmate on the stock y-websocket client, as another panel sets presence: name,
      // selection and activity ("generating bass…") show on both screens.
      const carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
      try {
        const since = Date.now();
        const seen = [alice, bob].flatMap((mate) => [
          watch(
            mate.page,
            `${mate.name} sees carol's activity`,
            () => {
              const el = document.querySelector<HTMLElement>('[data-testid="bandmate"][data-name="carol"] [data-testid="activity"]');
              return el?.textContent === 'generating bass…';
            },
            undefined,
            since,
          ),
          watch(
            mate.page,
            `${mate.name} sees carol's selection`,
            (id) => (document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.peerSelected ?? '').includes('carol'),
            clip,
            since,
          ),
        ]);
        setLocalUser(carol.provider.awareness, { name: 'carol', color: '#4fd1c5' });
        setSelectedClip(carol.provider.awareness, clip);
        setActivity(carol.provider.awareness, 'generating bass…');
        await Promise.all(seen);
      } finally {
        disconnect(carol);
      }
      await sees(
        alice.page,
        'carol left',
        () => !document.querySelector<HTMLElement>('[data-testid="bandmate"][data-name="carol"]'),
        undefined,
        Date.now(),
        5000,
      );
    });

    test("undo takes back only your own edit, never a bandmate's later one", async () => {
      // bob adds a track; alice, after him, moves a clip; bob undoes.
      let shown = watch(
        alice.page,
        "bob's keys track",
        () => document.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 3,
        undefined,
        bob,
      );
      await bob.page.click('[data-testid="add-track-keys"]');
      await shown;
      await alice.page.click(clipSelector(clip));
      shown = watch(
        bob.page,
        "alice's later move",
        (id) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.startBar === '4',
        clip,
        alice,
      );
      await alice.page.keyboard.press('ArrowRight');
      await shown;

      shown = watch(
        alice.page,
        "bob's track undone",
        () => document.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 2,
        undefined,
        bob,
      );
      await bob.page.keyboard.press('Control+z');
      await shown;
      assert.equal((await clips(alice.page)).find((c) => c.id === clip)!.start, 4, "alice's move stays");
      assert.equal(
        await read(alice.page, () => document.querySelector<HTMLInputElement>('[data-testid="tempo"]')!.value),
        '96',
        "alice's tempo stays",
      );
      assert.equal(await bob.page.locator('[data-testid="undo"]').isDisabled(), true, 'bob has nothing else of his own to undo');

      shown = watch(
        alice.page,
        "bob's redo",
        () => document.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 3,
        undefined,
        bob,
      );
      await bob.page.keyboard.press('Control+Shift+z');
      await shown;

      // alice's undo takes back her move, not bob's track.
      shown = watch(
        bob.page,
        "alice's move undone",
        (id) => document.querySelector<HTMLElement>(`[data-clip-id="${id}"]`)?.dataset.startBar === '3',
        clip,
        alice,
      );
      await alice.page.keyboard.press('Control+z');
      await shown;
      assert.equal((await trackIds(bob.page)).length, 3);
      await h.screenshot(alice.page, 'arrangement-alice');
      await h.screenshot(bob.page, 'arrangement-bob');
    });

    test('offline when the server stops; edits made meanwhile merge when it is back', async (t: TestContext) => {
      await h.stopServer();
      for (const mate of [alice, bob]) {
        await sees(
          mate.page,
          `${mate.name} offline`,
          () => document.querySelector<HTMLElement>('[data-testid="connection"]')?.dataset.status === 'offline',
          undefined,
          Date.now(),
          10_000,
        );
      }
      // Both keep working offline.
      await typeInto(alice.page, 'song-title', 'Night Drive (offline take)');
      const counted = watch(
        alice.page,
        'unsent edits are counted',
        () => /2 edits made here will merge/.test(document.querySelector<HTMLElement>('[data-testid="offline-edits"]')?.textContent ?? ''),
        undefined,
        alice,
      );
      await alice.page.click('[data-testid="add-track-lead"]');
      await typeInto(bob.page, 'tempo', '130');
      await counted;
      // The harness stops the server with SIGTERM: the page was told it restarts (1012).
      assert.match(
        (await alice.page.locator('[data-testid="connection-problem"]').textContent()) ?? '',
        /The server is restarting; reconnecting…/,
      );
      await h.screenshot(alice.page, 'offline-alice');
      assert.notDeepEqual(await screenState(alice.page), await screenState(bob.page), 'apart while offline');

      const since = Date.now();
      await h.restartServer();
      for (const mate of [alice, bob]) {
        await sees(
          mate.page,
          `${mate.name} back online`,
          () => document.querySelector<HTMLElement>('[data-testid="connection"]')?.dataset.status === 'connected',
          undefined,
          since,
          15_000,
        );
      }
      await sees(
        alice.page,
        "bob's offline tempo arrived",
        () => document.querySelector<HTMLInputElement>('[data-testid="tempo"]')!.value === '130',
        undefined,
        Date.now(),
        5000,
      );
      await sees(
        bob.page,
        "alice's offline track and title arrived",
        () => {
          const d = document;
          return (
            d.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 4 &&
            d.querySelector<HTMLInputElement>('[data-testid="song-title"]')!.value === 'Night Drive (offline take)'
          );
        },
        undefined,
        Date.now(),
        5000,
      );
      t.diagnostic(`reconnected and merged ${Date.now() - since} ms after the server restarted`);
      assert.deepEqual(await screenState(alice.page), await screenState(bob.page), 'the same song on both screens');
      await h.screenshot(bob.page, 'merged-bob');
    });

    test('the served app is cross-origin isolated, and its inference worker loads the shipped model from the server', {
      timeout: 120_000,
    }, async (t: TestContext) => {
      const got = await read(
        alice.page,
        async ({ protocol, model }) => {
          const worker = new Worker(
            `inference-worker.js?model=${encodeURIComponent(`${location.origin}/models/${model}/`)}&wasm=${encodeURIComponent(`${location.origin}/`)}`,
            { type: 'module' },
          );
          const started = performance.now();
          const answer = await new Promise<{ type: string; message?: string; provider?: { name: string } }>((resolve) => {
            worker.addEventListener('message', (e) => (e.data?.type === 'ready' || e.data?.type === 'unavailable') && resolve(e.data));
            worker.addEventListener('error', (e) => resolve({ type: 'error', message: e.message }));
            worker.postMessage({ v: protocol, type: 'hello' });
          });
          worker.terminate();
          return { isolated: crossOriginIsolated, answer, ms: performance.now() - started };
        },
        { protocol: INFERENCE_PROTOCOL, model: SHIPPED_MODEL_ID },
      );
      assert.equal(got.isolated, true, 'COOP/COEP from the sync server make the page cross-origin isolated (wasm threads)');
      assert.equal(got.answer.type, 'ready', JSON.stringify(got.answer).slice(0, 400));
      t.diagnostic(`inference worker ready in ${Math.round(got.ms)} ms on ${got.answer.provider?.name}`);
    });

    test('no page errors', () => {
      assert.deepEqual([...alice.errors, ...bob.errors], []);
    });
  });

  describe('links that cannot be used, and viewers', { timeout: 120_000 }, () => {
    const base = () => new URL(h.link(ROOM, 'x')).origin;

    test('a malformed link says what is wrong instead of failing to connect', async () => {
      const guest = await h.open(`${base()}/`);
      const problemOf = async (url: string): Promise<string> => {
        await guest.page.goto(url);
        await guest.page.waitForSelector('[data-testid="join-problem"]', { timeout: 5000 });
        return (await guest.page.locator('[data-testid="join-problem"]').textContent()) ?? '';
      };
      assert.match(await problemOf(`${base()}/`), /names no room/);
      assert.match(await problemOf(`${base()}/?room=${ROOM}`), /has no token/);
      assert.match(await problemOf(`${base()}/?room=${ROOM}&token=${testToken(ROOM).slice(0, 12)}`), /damaged/);
      assert.match(
        await problemOf(`${base()}/?room=${ROOM}&token=${testToken('another-room')}`),
        /for room "another-room", not "jam-night"/,
      );
      assert.match(await problemOf(`${base()}/?room=${ROOM}&token=${testToken(ROOM, 'editor', 'late', -60)}`), /expired/);
      await h.screenshot(guest.page, 'bad-link');
      assert.deepEqual(guest.errors, []);
      await guest.context.close();
    });

    test('a token the server refuses is explained, and the app stops retrying', async () => {
      const forged = signToken('not-the-server-secret-but-32-bytes-long', {
        room: ROOM,
        role: 'owner',
        name: 'mallory',
        exp: Math.floor(Date.now() / 1000) + 600,
      });
      const guest = await h.open(`${base()}/?room=${ROOM}&token=${forged}`);
      await sees(
        guest.page,
        'the refusal',
        () =>
          /refused this invite: bad token signature/.test(
            document.querySelector<HTMLElement>('[data-testid="connection-problem"]')?.textContent ?? '',
          ),
        undefined,
        Date.now(),
        10_000,
      );
      assert.equal(await guest.page.locator('[data-testid="connection"]').getAttribute('data-status'), 'offline');
      assert.match((await guest.page.locator('[data-testid="connection-banner"]').textContent()) ?? '', /Not connected/);
      await h.screenshot(guest.page, 'refused-token');
      await guest.context.close();
    });

    test('a name is asked for when the invite carries none, and kept', async () => {
      const guest = await h.open(h.link(ROOM, 'editor'));
      await guest.page.fill('[data-testid="name-input"]', 'Zoë');
      await guest.page.press('[data-testid="name-input"]', 'Enter');
      await sees(
        guest.page,
        'joined under the typed name',
        () => !!document.querySelector<HTMLElement>('[data-testid="bandmate"][data-name="Zoë"]'),
        undefined,
        Date.now(),
        5000,
      );
      await guest.page.reload();
      await sees(
        guest.page,
        'the name was kept',
        () => !!document.querySelector<HTMLElement>('[data-testid="bandmate"][data-name="Zoë"]'),
        undefined,
        Date.now(),
        5000,
      );
      await guest.context.close();
    });

    test('a viewer sees the song and cannot change it', async () => {
      const viewer = await h.join(ROOM, 'val', { role: 'viewer' });
      await viewer.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 10_000 });
      await viewer.page.waitForSelector('[data-testid="viewer-badge"]');
      assert.equal(await viewer.page.locator('[data-testid="add-track-drums"]').isDisabled(), true);
      assert.equal(await viewer.page.locator('[data-testid="song-title"]').isDisabled(), true);
      assert.equal(
        await viewer.page.locator('[data-testid="track-instrument"]').first().isDisabled(),
        true,
        'no instrument choice for a viewer',
      );
      const before = await screenState(viewer.page);
      const [first] = await clips(viewer.page);
      await viewer.page.click(clipSelector(first!.id));
      await recordInput(viewer);
      const told = watch(
        viewer.page,
        'told why not',
        () => /viewer/.test(document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? ''),
        undefined,
        viewer,
      );
      await viewer.page.keyboard.press('Delete');
      await told;
      assert.deepEqual(await screenState(viewer.page), before);
      assert.equal(
        await viewer.page.locator('[data-testid="connection"]').getAttribute('data-status'),
        'connected',
        'never closed by the server for writing',
      );
      assert.deepEqual(viewer.errors, []);
      await viewer.context.close();
    });
  });
}
