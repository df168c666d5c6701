/**
 * The history panel in real Chromium: two bandmates (two browser contexts) and a viewer on the
 * built renderer served by a real sync server process. The timeline lists their labelled edits
 * with authors and stays live; clicking an old point shows that song read-only (and plays it);
 * restore brings both bandmates' documents back to it and adds a "restored #n" entry; a replay
 * walks the states in order; a bookmark named by one appears for the other; one bandmate's edits
 * are taken back from a moment (and the take-back undone by its entry); a viewer cannot restore
 * or take back. What the arrangement shows is checked against the server's own state at that seq.
 * Screenshots in test-results/screenshots/history-{timeline,past,replay,bookmark}.png.
 *
 * Every wait is on a DOM condition with a timeout (no sleeps): this runs on loaded 2-core CI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Song } from '../../core/song/types.ts';
import { testToken } from '../support/server-process.ts';
import { getHistory, getLastSeq, getSong, waitForHistoryLabel, waitForSeq } from '../support/room-api.ts';
import { browserMissing, countLocalEdits, startRendererHarness, type Bandmate, type RendererHarness, read, until } from './harness.ts';

const ROOM = 'history-night';
/** Generous: the machine also trains a model and runs other suites. */
const WAIT_MS = 15_000;

interface Row {
  seq: number;
  author: string;
  label: string;
  color: string;
}

/** Every checkpoint in the timeline, newest first, with any folded groups opened first. */
async function timeline(page: Page): Promise<Row[]> {
  for (const toggle of await page.locator('[data-testid="history-group-toggle"][aria-expanded="false"]').all()) await toggle.click();
  return read(page, () =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="history-entry"]')].map((el) => ({
      seq: Number(el.dataset.seq),
      author: el.dataset.author!,
      label: el.dataset.label!,
      color: el.querySelector<HTMLElement>('.author .dot')!.style.background,
    })),
  );
}

/** What the arrangement area draws: live or read-only, track names, clips. */
interface Arrangement {
  view: string;
  tracks: string[];
  clips: string[];
}

function arrangement(page: Page): Promise<Arrangement> {
  return read(page, () => {
    const d = document;
    const area = d.querySelector<HTMLElement>('.arrangement-area')!;
    return {
      view: area.dataset.view!,
      tracks: [...area.querySelectorAll<HTMLInputElement>('[data-testid="track-name"]')].map((el) => el.value),
      clips: [...area.querySelectorAll<HTMLElement>('[data-testid="clip"]')]
        .map((el) => `${el.dataset.startBar}+${el.dataset.lengthBars}`)
        .sort(),
    };
  });
}

/** The same, from the server's state at `seq` (or now): what the arrangement must show. */
function expected(song: Song, view: string): Arrangement {
  return {
    view,
    tracks: song.tracks.map((t) => t.name),
    clips: song.clips.map((c) => `${c.startBar}+${c.lengthBars}`).sort(),
  };
}

/**
 * Waits until the arrangement area shows `want`, and fails with what it shows instead. The banner
 * (drawn from the panel's layout effect) can name a moment a render before the arrangement area
 * (set from the panel's effect) shows its song: wait for the song itself, not for the banner.
 */
async function showsArrangement(page: Page, what: string, want: Arrangement): Promise<void> {
  try {
    await until(
      page,
      what,
      (w) => {
        const area = document.querySelector<HTMLElement>('.arrangement-area')!;
        const tracks = [...area.querySelectorAll<HTMLInputElement>('[data-testid="track-name"]')].map((el) => el.value);
        const clips = [...area.querySelectorAll<HTMLElement>('[data-testid="clip"]')]
          .map((el) => `${el.dataset.startBar}+${el.dataset.lengthBars}`)
          .sort();
        return JSON.stringify({ view: area.dataset.view, tracks, clips }) === JSON.stringify(w);
      },
      want,
      WAIT_MS,
    );
  } catch (error) {
    assert.deepEqual(await arrangement(page), want, (error as Error).message);
    throw error;
  }
}

async function openHistory(page: Page): Promise<void> {
  await page.click('[data-testid="tab-history"]');
  await page.waitForSelector('[data-testid="history-timeline"]', { timeout: WAIT_MS });
}

async function entryClick(page: Page, seq: number): Promise<void> {
  // The entry may sit inside a folded group: open groups until it is there.
  for (const toggle of await page.locator('[data-testid="history-group-toggle"][aria-expanded="false"]').all()) await toggle.click();
  await page.click(`[data-testid="history-entry"][data-seq="${seq}"] > .entry-button`);
}

async function typeInto(page: Page, testId: string, text: string): Promise<void> {
  await page.fill(`[data-testid="${testId}"]`, text);
  await page.press(`[data-testid="${testId}"]`, 'Enter');
}

const missing = browserMissing();
if (missing) {
  test('the history panel in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  const viewerToken = testToken(ROOM, 'viewer', 'checker');
  const serverSong = (seq?: number) => getSong(h.server, ROOM, viewerToken, seq);

  before(async () => {
    const started = Date.now();
    h = await startRendererHarness();
    console.log(`# renderer built, server and browser started in ${Date.now() - started} ms`);
  });
  after(async () => {
    await h?.close();
  });

  describe('history: two bandmates and a viewer, in Chromium', { timeout: 600_000 }, () => {
    let alice: Bandmate;
    let bob: Bandmate;
    /** The seq right after bob added the bass track: two tracks, no clip, old title. */
    let twoTracksSeq = 0;
    let twoTracksSong: Song;

    before(async () => {
      alice = await h.join(ROOM, 'alice');
      bob = await h.join(ROOM, 'bob', { viewport: { width: 1280, height: 800 } });
      for (const mate of [alice, bob]) {
        await mate.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: WAIT_MS });
      }
    });

    after(() => {
      for (const mate of [alice, bob]) if (mate?.errors.length) console.log(`# ${mate.name}'s page errors:\n${mate.errors.join('\n')}`);
    });

    test("the timeline lists both bandmates' labelled edits, newest first, in their colours, and stays live", async () => {
      const started = Date.now();
      await alice.page.click('[data-testid="add-track-drums"]');
      await until(
        bob.page,
        'bob sees the drums track',
        () => document.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 1,
      );
      await bob.page.click('[data-testid="add-track-bass"]');
      await until(
        alice.page,
        'alice sees the bass track',
        () => document.querySelectorAll<HTMLElement>('[data-testid="track-header"]').length === 2,
      );
      const drums = await read(
        alice.page,
        () => document.querySelector<HTMLElement>('[data-testid="track-header"]')!.dataset.trackId as string,
      );
      const px = await read(alice.page, () =>
        parseFloat(getComputedStyle(document.querySelector<HTMLElement>('[data-testid="arrangement"]')!).getPropertyValue('--bar-px')),
      );
      await alice.page.locator(`[data-testid="lane"][data-track-id="${drums}"]`).dblclick({ position: { x: px * 1.5, y: 20 } });
      await until(bob.page, 'bob sees the clip', () => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 1);
      await typeInto(bob.page, 'song-title', 'Night Drive');
      await until(
        alice.page,
        'alice sees the title',
        () => document.querySelector<HTMLInputElement>('[data-testid="song-title"]')!.value === 'Night Drive',
      );

      await openHistory(alice.page);
      await openHistory(bob.page);
      const wanted: [string, string][] = [
        ['alice', 'added track Drums'],
        ['bob', 'added track Bass'],
        ['alice', 'added clip'],
        ['bob', 'renamed song to "Night Drive"'],
      ];
      for (const mate of [alice, bob]) {
        await until(
          mate.page,
          `${mate.name}'s timeline lists the four edits`,
          (want) => {
            const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="history-entry"]')].map(
              (el) => `${el.dataset.author}:${el.dataset.label}`,
            );
            return want.every(([a, l]) => rows.includes(`${a}:${l}`));
          },
          wanted,
        );
      }
      const rows = await timeline(alice.page);
      const seqs = rows.map((r) => r.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => b - a),
        'newest first',
      );
      const order = wanted.map(([a, l]) => rows.find((r) => r.author === a && r.label === l)!.seq);
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        `in the order they were made: ${order}`,
      );
      twoTracksSeq = order[1]!;
      twoTracksSong = await serverSong(twoTracksSeq);
      // Authors in their presence colours, as the top bar shows them.
      const presence = await read(alice.page, () =>
        Object.fromEntries(
          [...document.querySelectorAll<HTMLElement>('[data-testid="bandmate"]')].map((el) => [
            el.dataset.name,
            el.querySelector<HTMLElement>('.dot')!.style.background,
          ]),
        ),
      );
      for (const r of rows.filter((x) => x.author in presence)) assert.equal(r.color, presence[r.author], `${r.author}'s colour`);
      assert.notEqual(presence.alice, presence.bob);
      // Live: an edit made now appears in the other's open timeline without reloading.
      const since = Date.now();
      await typeInto(alice.page, 'tempo', '100');
      await until(bob.page, "alice's tempo change in bob's timeline", () =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="history-entry"]')].some(
          (el) => el.dataset.author === 'alice' && el.dataset.label === 'set tempo to 100 BPM',
        ),
      );
      console.log(`# a new edit showed in the other bandmate's timeline after ${Date.now() - since} ms (test ${Date.now() - started} ms)`);
      await h.screenshot(alice.page, 'history-timeline');
    });

    test('clicking an old point shows that song read-only and plays it; back to now returns', async () => {
      const since = Date.now();
      await entryClick(alice.page, twoTracksSeq);
      await until(
        alice.page,
        'the past banner',
        (seq) => {
          const b = document.querySelector<HTMLElement>('[data-testid="past-banner"]');
          return b?.dataset.seq === String(seq) && b.dataset.status === 'ready';
        },
        twoTracksSeq,
      );
      console.log(`# past state #${twoTracksSeq} on screen after ${Date.now() - since} ms`);
      await showsArrangement(alice.page, `the arrangement shows #${twoTracksSeq}`, expected(twoTracksSong, 'read-only'));
      assert.equal(twoTracksSong.clips.length, 0);
      assert.match(
        (await alice.page.textContent('[data-testid="past-banner"]')) ?? '',
        new RegExp(`Viewing #${twoTracksSeq}.*bob.*added track Bass`),
      );
      // Read-only: no controls that edit, and a double-click on a lane makes nothing.
      assert.equal(await alice.page.isDisabled('[data-testid="add-track-keys"]'), true);
      const lane = alice.page.locator('.arrangement-area [data-testid="lane"]').first();
      const edits = await countLocalEdits(alice.page);
      await lane.dblclick({ position: { x: 300, y: 20 } });
      await alice.page.keyboard.press('Delete');
      assert.equal(await edits(), 0, 'no edit made to the live song');
      assert.equal((await arrangement(alice.page)).clips.length, 0);
      // Bob is not affected: he still sees now.
      assert.deepEqual(await arrangement(bob.page), expected(await serverSong(), 'live'));
      await h.screenshot(alice.page, 'history-past');

      // Scrubbing by keyboard: ↓ steps to the checkpoint before, ↑ back.
      await alice.page.focus(`[data-testid="history-entry"][data-seq="${twoTracksSeq}"] > .entry-button`);
      await alice.page.keyboard.press('ArrowDown');
      await until(
        alice.page,
        'one checkpoint back',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        twoTracksSeq - 1,
      );
      await showsArrangement(
        alice.page,
        `the arrangement shows #${twoTracksSeq - 1}`,
        expected(await serverSong(twoTracksSeq - 1), 'read-only'),
      );
      await alice.page.keyboard.press('ArrowUp');
      await until(
        alice.page,
        'and forward again',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        twoTracksSeq,
      );

      // Heard through a transport over that snapshot: the banner's button and the top bar agree.
      await alice.page.click('[data-testid="past-play"]');
      await until(
        alice.page,
        'the past plays',
        () =>
          document.querySelector<HTMLElement>('[data-testid="past-play"]')!.getAttribute('aria-pressed') === 'true' &&
          document.querySelector<HTMLElement>('[data-testid="play"]')!.getAttribute('aria-pressed') === 'true',
      );
      await alice.page.keyboard.press('Space');
      await until(
        alice.page,
        'Space stops the past',
        () => document.querySelector<HTMLElement>('[data-testid="past-play"]')!.getAttribute('aria-pressed') === 'false',
      );

      await alice.page.click('[data-testid="back-to-now"]');
      await showsArrangement(alice.page, 'live again', expected(await serverSong(), 'live'));
      assert.equal(await alice.page.locator('[data-testid="past-banner"]').count(), 0);
    });

    test('restore brings both bandmates back to the old state and adds a "restored" entry', async () => {
      await entryClick(alice.page, twoTracksSeq);
      await until(
        alice.page,
        'the past banner',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        twoTracksSeq,
      );
      const since = Date.now();
      await alice.page.click('[data-testid="restore"]');
      const want = expected(twoTracksSong, 'live');
      for (const mate of [alice, bob]) {
        await until(
          mate.page,
          `${mate.name}'s arrangement is the restored one`,
          (w) => {
            const d = document;
            const area = d.querySelector<HTMLElement>('.arrangement-area')!;
            const tracks = [...area.querySelectorAll<HTMLInputElement>('[data-testid="track-name"]')].map((el) => el.value);
            return (
              area.dataset.view === 'live' &&
              area.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === w.clips.length &&
              JSON.stringify(tracks) === JSON.stringify(w.tracks)
            );
          },
          want,
        );
      }
      console.log(`# restore reached both bandmates after ${Date.now() - since} ms`);
      for (const mate of [alice, bob]) {
        assert.deepEqual(await arrangement(mate.page), want, mate.name);
        // The old title is back too: the whole song, not only the arrangement.
        assert.equal(await mate.page.inputValue('[data-testid="song-title"]'), twoTracksSong.meta.title);
        await until(
          mate.page,
          `${mate.name}'s timeline shows the restore`,
          (seq) => {
            const first = document.querySelector<HTMLElement>('[data-testid="history-entry"]');
            return first?.dataset.label === `restored #${seq}` && first.dataset.author === 'alice';
          },
          twoTracksSeq,
        );
      }
      const now = await serverSong();
      assert.deepEqual(expected(now, 'live'), want, 'the server agrees');
    });

    test("replay steps through the states in order, each one the server's state at that seq", async () => {
      // Record every seq the replay banner shows, from the page itself: a mutation observer runs
      // after each DOM change, before any later task (a check over CDP included), so the record
      // always holds the banner's latest seq (an animation-frame probe could lag a frame behind).
      await read(alice.page, () => {
        const g = globalThis;
        g.__replaySeqs = [];
        const record = () => {
          const seq = document.querySelector<HTMLElement>('[data-testid="replay-banner"]')?.dataset.seq;
          if (seq && g.__replaySeqs.at(-1) !== Number(seq)) g.__replaySeqs.push(Number(seq));
        };
        g.__replayObserver = new MutationObserver(record);
        g.__replayObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-seq'] });
      });
      const since = Date.now();
      await alice.page.click('[data-testid="replay"]');
      await alice.page.waitForSelector('[data-testid="replay-banner"]', { timeout: WAIT_MS });
      await alice.page.click('[data-testid="replay-speed-16"]');
      const lastSeq = (await timeline(alice.page))[0]!.seq;
      await until(
        alice.page,
        'the replay reaches the end and stops',
        (last) => {
          const b = document.querySelector<HTMLElement>('[data-testid="replay-banner"]');
          return b?.dataset.seq === String(last) && b.dataset.playing === 'false';
        },
        lastSeq,
        60_000,
      );
      const shown = await read(alice.page, () => {
        const g = globalThis;
        g.__replayObserver.disconnect();
        return g.__replaySeqs as number[];
      });
      console.log(`# replay at 16x: ${shown.length} of ${lastSeq} states drawn in ${Date.now() - since} ms`);
      assert.ok(shown.length >= 2, `several states shown: ${shown}`);
      assert.deepEqual(
        shown,
        [...shown].sort((a, b) => a - b),
        `in order: ${shown}`,
      );
      assert.equal(new Set(shown).size, shown.length);
      assert.equal(shown.at(-1), lastSeq);
      assert.equal((await arrangement(alice.page)).view, 'read-only');

      // Step back through every state: each is the server's state at that seq.
      for (let seq = lastSeq; seq >= 1; seq--) {
        await until(
          alice.page,
          `replay at #${seq}`,
          (s) => document.querySelector<HTMLElement>('[data-testid="replay-banner"]')?.dataset.seq === String(s),
          seq,
        );
        await showsArrangement(alice.page, `replay state #${seq} is the server's`, expected(await serverSong(seq), 'read-only'));
        if (seq === twoTracksSeq + 1) await h.screenshot(alice.page, 'history-replay');
        if (seq > 1) await alice.page.click('[data-testid="replay-back"]');
      }
      assert.equal(await alice.page.isDisabled('[data-testid="replay-back"]'), true, 'at the first state');
      await alice.page.click('[data-testid="back-to-now"]');
      await until(alice.page, 'live again', () => document.querySelector<HTMLElement>('.arrangement-area')!.dataset.view === 'live');
    });

    test('a bookmark named by alice appears for bob', async () => {
      await entryClick(alice.page, twoTracksSeq);
      await until(
        alice.page,
        'the past banner',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        twoTracksSeq,
      );
      await alice.page.fill('[data-testid="bookmark-name"]', 'verse idea');
      const since = Date.now();
      await alice.page.click('[data-testid="bookmark-add"]');
      for (const mate of [alice, bob]) {
        await until(
          mate.page,
          `${mate.name} sees the bookmark inline`,
          (seq) => document.querySelector<HTMLElement>(`[data-testid="history-bookmark"][data-name="verse idea"][data-seq="${seq}"]`),
          twoTracksSeq,
        );
      }
      console.log(`# bookmark seen by the other bandmate after ${Date.now() - since} ms`);
      // A named moment is one click away: bob opens it from its chip.
      await bob.page.click('[data-testid="bookmark-chip"][data-name="verse idea"]');
      await until(
        bob.page,
        'bob views the bookmarked moment',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        twoTracksSeq,
      );
      await showsArrangement(bob.page, 'bob sees the bookmarked song', expected(twoTracksSong, 'read-only'));
      await h.screenshot(bob.page, 'history-bookmark');
      for (const mate of [alice, bob]) await mate.page.click('[data-testid="back-to-now"]');
    });

    test('a viewer sees the history and the past, and cannot restore or name moments', async () => {
      const carol = await h.join(ROOM, 'carol', { role: 'viewer' });
      await openHistory(carol.page);
      await until(
        carol.page,
        "carol's timeline",
        (seq) =>
          document.querySelector<HTMLElement>(`[data-testid="history-entry"][data-seq="${seq}"]`) ||
          document.querySelector<HTMLElement>('[data-testid="history-group"]'),
        twoTracksSeq,
      );
      await entryClick(carol.page, twoTracksSeq);
      await until(
        carol.page,
        'the past banner',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        twoTracksSeq,
      );
      await showsArrangement(carol.page, 'carol sees the past song', expected(twoTracksSong, 'read-only'));
      assert.equal(await carol.page.isDisabled('[data-testid="restore"]'), true);
      assert.match((await carol.page.getAttribute('[data-testid="restore"]', 'title')) ?? '', /Viewers cannot restore/);
      assert.equal(await carol.page.isDisabled('[data-testid="take-back"]'), true);
      assert.match((await carol.page.getAttribute('[data-testid="take-back"]', 'title')) ?? '', /Viewers cannot take back edits/);
      assert.equal(await carol.page.isDisabled('[data-testid="bookmark-name"]'), true);
      assert.deepEqual(carol.errors, []);
    });

    test('a run of small edits by one bandmate folds into one row that opens to every checkpoint', async () => {
      const drums = await read(
        alice.page,
        () => document.querySelector<HTMLElement>('[data-testid="track-header"]')!.dataset.trackId as string,
      );
      await alice.page.locator(`[data-testid="lane"][data-track-id="${drums}"]`).dblclick({ position: { x: 20, y: 20 } });
      await alice.page.waitForSelector('[data-testid="clip"]', { timeout: WAIT_MS });
      // Three nudges: three small "moved clip" checkpoints right after the new clip.
      for (let bar = 2; bar <= 4; bar++) {
        await alice.page.keyboard.press('ArrowRight');
        await until(
          alice.page,
          `clip at bar ${bar}`,
          (b) => document.querySelector<HTMLElement>('[data-testid="clip"]')?.dataset.startBar === String(b - 1),
          bar,
        );
      }
      await until(bob.page, "alice's run folded in bob's timeline", () =>
        document.querySelector<HTMLElement>('[data-testid="history-group"][data-author="alice"][data-count="4"]'),
      );
      const seqs = (await bob.page.getAttribute('[data-testid="history-group"][data-author="alice"]', 'data-seqs'))!.split(' ').map(Number);
      assert.equal(await bob.page.locator(`[data-testid="history-entry"][data-seq="${seqs[0]}"]`).count(), 0, 'folded');
      await bob.page.click('[data-testid="history-group"][data-author="alice"] [data-testid="history-group-toggle"]');
      const inside = await read(bob.page, () =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="history-group"] [data-testid="history-entry"]')].map(
          (el) => `${el.dataset.seq}:${el.dataset.label}`,
        ),
      );
      assert.deepEqual(inside, [
        `${seqs[0]}:moved clip to bar 4`,
        `${seqs[1]}:moved clip to bar 3`,
        `${seqs[2]}:moved clip to bar 2`,
        `${seqs[3]}:added clip`,
      ]);
      // Each one is reachable: the middle one shows the clip at bar 3.
      await entryClick(bob.page, seqs[1]!);
      await until(
        bob.page,
        'the middle of the run',
        (seq) => document.querySelector<HTMLElement>(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"]`),
        seqs[1],
      );
      await showsArrangement(bob.page, "the middle of the run is the server's", expected(await serverSong(seqs[1]!), 'read-only'));
      assert.deepEqual((await arrangement(bob.page)).clips, ['2+4']);
      await bob.page.click('[data-testid="back-to-now"]');
    });

    test("alice takes back bob's edits since a moment: her later edit stays, both pages follow; taking back that entry undoes it", async () => {
      const S = await getLastSeq(h.server, ROOM, viewerToken);
      const tracksAt = (await serverSong(S)).tracks.length;
      await bob.page.click('[data-testid="add-track-lead"]');
      await waitForSeq(h.server, ROOM, viewerToken, S + 1, WAIT_MS);
      await typeInto(alice.page, 'song-title', 'Taken Back');
      await waitForHistoryLabel(h.server, ROOM, viewerToken, 'renamed song to "Taken Back"', WAIT_MS);
      assert.equal((await serverSong()).tracks.length, tracksAt + 1, "bob's lead track is in");

      await entryClick(alice.page, S);
      await until(
        alice.page,
        'the past banner with take-back choices',
        (seq) =>
          document.querySelector(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"] [data-testid="take-back-source"]`),
        S,
      );
      // Offered: bob's edits and alice's since S (in the order they first edited), and entry S alone.
      await until(
        alice.page,
        'the choices name both bandmates',
        (seq) => {
          const options = [...document.querySelectorAll<HTMLOptionElement>('[data-testid="take-back-source"] option')].map((o) => o.value);
          return JSON.stringify(options) === JSON.stringify(['author:bob', 'author:alice', `entry:${seq}`]);
        },
        S,
      );
      await alice.page.selectOption('[data-testid="take-back-source"]', 'author:bob');
      await alice.page.click('[data-testid="take-back"]');
      const label = `took back bob's 1 edit since #${S}`;
      await waitForHistoryLabel(h.server, ROOM, viewerToken, label, WAIT_MS);
      const T = (await getHistory(h.server, ROOM, viewerToken)).entries.find((e) => e.label === label)!.seq;
      for (const mate of [alice, bob]) {
        await until(
          mate.page,
          `${mate.name}: bob's track is taken back, alice's title stays`,
          (n) =>
            document.querySelector<HTMLElement>('.arrangement-area')?.dataset.view === 'live' &&
            document.querySelectorAll('[data-testid="track-header"]').length === n &&
            document.querySelector<HTMLInputElement>('[data-testid="song-title"]')!.value === 'Taken Back',
          tracksAt,
        );
        await until(
          mate.page,
          `${mate.name}'s timeline shows the take-back`,
          (label) => {
            const first = document.querySelector<HTMLElement>('[data-testid="history-entry"]');
            return first?.dataset.label === label && first.dataset.author === 'alice';
          },
          label,
        );
      }

      // Undo: the take-back's own entry, taken back alone.
      await entryClick(alice.page, T);
      await until(
        alice.page,
        'the take-back entry in the banner',
        (seq) =>
          document.querySelector(`[data-testid="past-banner"][data-seq="${seq}"][data-status="ready"] [data-testid="take-back-source"]`),
        T,
      );
      await alice.page.selectOption('[data-testid="take-back-source"]', `entry:${T}`);
      await alice.page.click('[data-testid="take-back"]');
      await waitForSeq(h.server, ROOM, viewerToken, T + 1, WAIT_MS);
      for (const mate of [alice, bob]) {
        await until(
          mate.page,
          `${mate.name}: bob's track is back`,
          (n) =>
            document.querySelector<HTMLElement>('.arrangement-area')?.dataset.view === 'live' &&
            document.querySelectorAll('[data-testid="track-header"]').length === n,
          tracksAt + 1,
        );
      }
      const now = await serverSong();
      assert.equal(now.tracks.length, tracksAt + 1);
      assert.equal(now.meta.title, 'Taken Back');
    });

    test('no page errors', () => {
      assert.deepEqual([...alice.errors, ...bob.errors], []);
    });
  });
}
