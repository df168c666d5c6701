/**
 * Teacher mode in Chromium (the room owner and a student, each a browser context of its own, the
 * built renderer served by a real sync server process): the owner sets the room's rules in the
 * Jam panel. Transport locked: the student's play/stop is refused, by the page and by the server,
 * and the student is told why. Live only: the student's editing UI is read-only (an edit tried
 * changes nothing in the shared document) while their live notes still reach the owner, and the
 * Record button is off with the rule's reason; a take armed before "play live only" is not
 * written when it ends (the page says why; the server never has to close the connection).
 * Spotlight: the spotlighted track is soloed in both pages' mix, as their audio engines hear it.
 * Own track: the owner gives a track to the student, picked by identity (the track's ownerId in
 * the document); the student's edit of that track's clip lands in the shared document, an edit of
 * another track's clip is taken back (the document, as the owner sees it, unchanged); a take can
 * be recorded only into the student's own track (the Record button says so for another's).
 * Waits on conditions throughout (CI has two busy cores).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { addClip, addTrack, initSong } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { testToken } from '../support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from '../support/yjs-clients.ts';
import { browserMissing, countLocalEdits, startRendererHarness, type Bandmate, type RendererHarness, read, tapKey } from './harness.ts';

const ROOM = 'jam-teacher';

type Mix = { id: string; name: string; solo: boolean; audible: boolean }[];

const text = (page: Page, testid: string) =>
  read(page, (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)?.textContent ?? '', testid);
const playing = (page: Page) => read(page, () => !!globalThis.riffroomJam?.getState().transport?.playing);
const heardMix = (page: Page) => read(page, () => globalThis.riffroomJamProbes.heardMix() as Mix);

/** Plays `keys` on the computer keyboard (musical typing on), each press and release seen by the page. */
async function playKeys(page: Page, keys: string[]): Promise<void> {
  for (const key of keys) {
    const n = await read(page, () => globalThis.riffroomJamProbes.played.length);
    await page.keyboard.down(key);
    await page.waitForFunction((m: number) => globalThis.riffroomJamProbes.played.length > m, n, { timeout: 2000 });
    await page.keyboard.up(key);
    await page.waitForFunction((m: number) => globalThis.riffroomJamProbes.played.length > m + 1, n, { timeout: 2000 });
  }
}

const recordPhase = (page: Page, phase: string, timeout: number) =>
  page.waitForSelector(`[data-testid="record"][data-phase="${phase}"]`, { timeout });

async function openJamTab(mate: Bandmate): Promise<void> {
  await mate.page.click('[data-testid="tab-jam"]');
  await mate.page.waitForSelector('[data-testid="jam-status"][data-status="live"]', { timeout: 15_000 });
}

/** Waits until `page`'s jam view has rules matching `want` (they arrive from the server). */
async function rulesArrive(page: Page, want: Record<string, unknown>): Promise<void> {
  await page.waitForFunction(
    (w: Record<string, unknown>) => {
      const rules = new Map(Object.entries(globalThis.riffroomJam?.getState().rules ?? {}));
      return Object.entries(w).every(([k, v]) => rules.get(k) === v);
    },
    want,
    { timeout: 10_000 },
  );
}

const missing = browserMissing();
if (missing) {
  test('teacher mode in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe("teacher mode: the owner's room rules, in Chromium", { timeout: 240_000 }, () => {
    let teacher: Bandmate;
    let student: Bandmate;
    /** A third client watching the shared document (the owner's; it writes nothing after the setup). */
    let doc: Client;
    let keys = '';
    let bass = '';
    let clip = '';
    let bassClip = '';

    before(async () => {
      doc = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'owner', 'carol'));
      initSong(doc.doc, { bpm: 120 });
      keys = addTrack(doc.doc, { role: 'keys', name: 'Keys' });
      bass = addTrack(doc.doc, { role: 'bass', name: 'Bass' });
      clip = addClip(doc.doc, { trackId: keys, startBar: 0, lengthBars: 1, notes: [{ pitch: 60, tick: 0, duration: 480, velocity: 90 }] });
      bassClip = addClip(doc.doc, {
        trackId: bass,
        startBar: 0,
        lengthBars: 1,
        notes: [{ pitch: 36, tick: 0, duration: 480, velocity: 90 }],
      });
      teacher = await h.join(ROOM, 'tina', { role: 'owner' });
      student = await h.join(ROOM, 'sam');
      for (const mate of [teacher, student]) {
        await mate.page.waitForFunction(() => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 2, undefined, {
          timeout: 10_000,
        });
        await openJamTab(mate);
      }
      // Only the owner gets the rule controls; the student a summary.
      await teacher.page.waitForSelector('[data-testid="rule-lock"]');
      await student.page.waitForSelector('[data-testid="rules-summary"]');
      assert.equal(await student.page.locator('[data-testid="rule-lock"]').count(), 0);
    });

    after(() => {
      if (doc) disconnect(doc);
    });

    test("transport locked: the student's play and stop are refused, and the student is told why", async () => {
      // A controlled checkbox: it turns on when the server's rules come back.
      await teacher.page.click('[data-testid="rule-lock"]');
      await teacher.page.waitForSelector('[data-testid="rule-lock"]:checked', { timeout: 10_000 });
      await rulesArrive(student.page, { transportLocked: true });
      await student.page.waitForSelector('[data-testid="jam-transport-locked"]', { timeout: 5000 });
      assert.match(await text(student.page, 'rules-summary'), /Transport locked/);

      // Play in the student's page: refused there, with the reason.
      await student.page.click('[data-testid="play"]');
      await student.page.waitForFunction(
        () =>
          /^The transport is locked by the room owner/.test(
            document.querySelector<HTMLElement>('[data-testid="jam-message"]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 5000 },
      );
      // Asked of the server directly (a page that skipped the check): the server refuses too.
      await read(student.page, () => globalThis.riffroomJam.client.request({ action: 'play', fromBar: 0 }));
      await student.page.waitForFunction(
        () => /^Refused: /.test(document.querySelector<HTMLElement>('[data-testid="jam-message"]')?.textContent ?? ''),
        undefined,
        { timeout: 5000 },
      );
      console.log(`# the student is told: ${await text(student.page, 'jam-message')}`);
      for (const mate of [teacher, student]) assert.equal(await playing(mate.page), false, `${mate.name}: nothing plays`);

      // The owner may: both pages play.
      await teacher.page.click('[data-testid="play"]');
      for (const mate of [teacher, student])
        await mate.page.waitForSelector('[data-testid="play"][aria-pressed="true"]', { timeout: 10_000 });
      // The student's stop is refused; the transport the server decides stays playing everywhere.
      const revision = await read(teacher.page, () => globalThis.riffroomJam.getState().transport!.revision);
      await read(student.page, () => globalThis.riffroomJam.client.request({ action: 'stop' }));
      await student.page.click('[data-testid="play"]');
      await student.page.waitForFunction(
        () =>
          /^The transport is locked by the room owner/.test(
            document.querySelector<HTMLElement>('[data-testid="jam-message"]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 5000 },
      );
      // The server answers in order: one more round trip (a refused request) proves the stop was handled.
      await read(student.page, () => {
        globalThis.__refusals = 0;
        globalThis.riffroomJam.client.onRefused(() => void (globalThis.__refusals += 1));
        globalThis.riffroomJam.client.request({ action: 'tempo', bpm: 90 });
      });
      await student.page.waitForFunction(() => globalThis.__refusals >= 1, undefined, { timeout: 5000 });
      for (const mate of [teacher, student]) {
        assert.equal(await playing(mate.page), true, `${mate.name}: still playing`);
        assert.equal(
          await read(mate.page, () => globalThis.riffroomJam.getState().transport!.revision),
          revision,
          `${mate.name}: no transport change`,
        );
        assert.equal(await read(mate.page, () => globalThis.riffroomJam.getState().transport!.bpm), 120);
      }
    });

    test("live only: the student's editing UI is read-only, an edit changes nothing, live notes still reach the owner", async () => {
      await teacher.page.selectOption('[data-testid="rule-students"]', 'live-only');
      await rulesArrive(student.page, { students: 'live-only' });
      await student.page.waitForFunction(
        () => /play live only/.test(document.querySelector<HTMLElement>('[data-testid="rules-summary"]')?.textContent ?? ''),
        undefined,
        { timeout: 5000 },
      );
      // The editing UI is read-only (a new runner once the rules arrive).
      await student.page.waitForFunction(
        () => document.querySelector<HTMLButtonElement>('[data-testid="add-track-drums"]')?.disabled === true,
        undefined,
        { timeout: 5000 },
      );
      assert.equal(await teacher.page.locator('[data-testid="add-track-drums"]').isDisabled(), false, 'the owner still edits');

      // An edit tried: select the Keys clip and press Delete.
      const before = JSON.stringify(readSong(doc.doc));
      const edits = await countLocalEdits(student.page);
      await student.page.click(`[data-testid="clip"][data-clip-id="${clip}"]`);
      await student.page.keyboard.press('Delete');
      await student.page.waitForFunction(
        () => /play live only/.test(document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? ''),
        undefined,
        { timeout: 5000 },
      );
      console.log(`# the student is told: ${await text(student.page, 'notice')}`);
      // No edit was made in the student's page (edits run in the input's handler), so none can
      // still be on its way to the shared document.
      assert.equal(await edits(), 0, "the student's page made no edit");
      // Still in the student's page and in the shared document; the server never had to close the student's connection.
      assert.equal(await student.page.locator(`[data-testid="clip"][data-clip-id="${clip}"]`).count(), 1);
      assert.equal(await student.page.locator('[data-testid="connection"]').getAttribute('data-status'), 'connected');

      // Live notes: on, and played on the computer keyboard.
      await student.page.click('[data-testid="musical-typing"]');
      await student.page.waitForSelector('[data-testid="musical-typing"][aria-pressed="true"]');
      await student.page.mouse.click(5, 5);
      const seen = await read(teacher.page, () => globalThis.riffroomJamProbes.received.length);
      for (const key of ['a', 'g']) await tapKey(student.page, key);
      await teacher.page.waitForFunction(
        (n: number) => globalThis.riffroomJamProbes.received.slice(n).filter((x) => x.kind === 'on' && x.from === 'sam').length >= 2,
        seen,
        { timeout: 5000 },
      );
      const got = await read(
        teacher.page,
        (n: number) =>
          globalThis.riffroomJamProbes.received
            .slice(n)
            .filter((x) => x.kind === 'on')
            .map((x) => x.pitch),
        seen,
      );
      assert.deepEqual(got, [60, 67]);
      // Nothing the student did reached the document.
      assert.equal(JSON.stringify(readSong(doc.doc)), before);
      assert.ok(readSong(doc.doc).clips.some((c) => c.id === clip));
      await student.page.click('[data-testid="musical-typing"]');
      // Recording a take is editing: the Record button is off, and says why.
      assert.equal(await student.page.locator('[data-testid="record"]').isDisabled(), true);
      assert.match(await text(student.page, 'record-rule'), /play live only/);
      assert.match((await student.page.locator('[data-testid="record"]').getAttribute('title')) ?? '', /play live only/);
      assert.equal(await teacher.page.locator('[data-testid="record"]').isDisabled(), false, 'the owner still records');
      // Restoring a past moment and naming one are writes too: the history panel says why not.
      await student.page.click('[data-testid="tab-history"]');
      for (const toggle of await student.page.locator('[data-testid="history-group-toggle"][aria-expanded="false"]').all())
        await toggle.click();
      await student.page.locator('[data-testid="history-entry"] > .entry-button').first().click();
      await student.page.waitForSelector('[data-testid="past-banner"][data-status="ready"]');
      assert.equal(await student.page.locator('[data-testid="restore"]').isDisabled(), true, 'the student cannot restore');
      assert.match(
        (await student.page.locator('[data-testid="restore"]').getAttribute('title')) ?? '',
        /^The room's rules let students play live only/,
      );
      assert.match((await student.page.locator('[data-testid="bookmark-form"]').getAttribute('title')) ?? '', /play live only/);
      assert.equal(await student.page.locator('[data-testid="bookmark-add"]').isDisabled(), true);
      await student.page.click('[data-testid="back-to-now"]');
      await student.page.click('[data-testid="tab-jam"]');
    });

    test('live only: a take armed before the rule is not written when it ends; the page says why and stays connected', async () => {
      await teacher.page.selectOption('[data-testid="rule-students"]', 'edit');
      await rulesArrive(student.page, { students: 'edit' });
      // A two-bar loop: the take lasts two bars, time enough for the rule to arrive while it runs.
      await read(teacher.page, () => globalThis.riffroomJam.client.request({ action: 'loop', loop: { startBar: 0, endBar: 2 } }));
      await student.page.waitForFunction(() => globalThis.riffroomJam.getState().transport?.loop?.endBar === 2, undefined, {
        timeout: 5000,
      });
      const before = JSON.stringify(readSong(doc.doc));
      await student.page.selectOption('[data-testid="jam-track"]', keys);
      await student.page.click('[data-testid="musical-typing"]');
      await student.page.waitForSelector('[data-testid="musical-typing"][aria-pressed="true"]');
      await student.page.click('[data-testid="record"]');
      await student.page.mouse.click(5, 5);
      await recordPhase(student.page, 'recording', 10_000);
      await teacher.page.selectOption('[data-testid="rule-students"]', 'live-only');
      await rulesArrive(student.page, { students: 'live-only' });
      // Played during the take (live notes are still allowed): the take has notes to write.
      if ((await student.page.locator('[data-testid="record"]').getAttribute('data-phase')) === 'recording')
        await playKeys(student.page, ['a', 'd']);
      await recordPhase(student.page, 'off', 10_000);
      const message = await text(student.page, 'jam-message');
      console.log(`# the student is told: ${message}`);
      assert.match(message, /^The take was not kept: .*play live only/);
      // Not written: the shared document as it was, and the server never closed the student (4403).
      assert.equal(JSON.stringify(readSong(doc.doc)), before);
      assert.equal(await student.page.locator('[data-testid="connection"]').getAttribute('data-status'), 'connected');
      assert.equal(await student.page.locator('[data-testid="record"]').isDisabled(), true);
      await student.page.click('[data-testid="musical-typing"]');
    });

    test("spotlight: the spotlighted track is soloed in both pages' mix, and back when it is off", async () => {
      // All audible before (playing: the engines compile the song).
      for (const mate of [teacher, student]) {
        await mate.page.waitForFunction(
          () => {
            const mix = globalThis.riffroomJamProbes.heardMix();
            return mix.length === 2 && mix.every((t) => t.audible);
          },
          undefined,
          { timeout: 10_000 },
        );
      }
      await teacher.page.selectOption('[data-testid="rule-spotlight"]', bass);
      await rulesArrive(student.page, { spotlightTrackId: bass });
      assert.match(await text(student.page, 'rules-summary'), /spotlight on Bass/);
      for (const mate of [teacher, student]) {
        await mate.page.waitForFunction(
          (id: string) => {
            const mix = globalThis.riffroomJamProbes.heardMix();
            return mix.length === 2 && mix.every((t) => t.audible === (t.id === id) && t.solo === (t.id === id));
          },
          bass,
          { timeout: 10_000 },
        );
        const mix = await heardMix(mate.page);
        assert.deepEqual(
          mix.map((t) => [t.name, t.solo, t.audible]).sort(),
          [
            ['Bass', true, true],
            ['Keys', false, false],
          ],
          mate.name,
        );
      }
      // The document is not changed by a spotlight (it is the mix only).
      assert.ok(readSong(doc.doc).tracks.every((t) => !t.solo));
      await teacher.page.selectOption('[data-testid="rule-spotlight"]', '');
      for (const mate of [teacher, student]) {
        await mate.page.waitForFunction(
          () => {
            const mix = globalThis.riffroomJamProbes.heardMix();
            return mix.length === 2 && mix.every((t) => t.audible && !t.solo);
          },
          undefined,
          { timeout: 10_000 },
        );
      }
      await h.screenshot(student.page, 'jam-teacher-student');
    });

    test("own track: the owner gives Bass to the student; the student's Bass edit lands, a Keys edit is taken back", async () => {
      await teacher.page.selectOption('[data-testid="rule-students"]', 'own-track');
      await rulesArrive(student.page, { students: 'own-track' });
      await student.page.waitForFunction(
        () => /your own track/.test(document.querySelector<HTMLElement>('[data-testid="rules-summary"]')?.textContent ?? ''),
        undefined,
        { timeout: 5000 },
      );
      // The student's editing UI is editable again (a new runner once the rules arrive).
      await student.page.waitForFunction(
        () => document.querySelector<HTMLButtonElement>('[data-testid="add-track-drums"]')?.disabled === false,
        undefined,
        { timeout: 5000 },
      );
      // Only the owner gets the control; the student is not offered it.
      assert.equal(await student.page.locator('[data-testid="rule-owner"]').count(), 0);
      // Picked by identity: the student's id (the jam welcome's, the token's), not their name.
      const samId = await read(student.page, () => globalThis.riffroomJam.getState().me!.id);
      const ownerSelect = `[data-testid="rule-owner"][data-track-id="${bass}"]`;
      await teacher.page.waitForSelector(`${ownerSelect} option[value="${samId}"]`, { state: 'attached', timeout: 5000 });
      await teacher.page.selectOption(ownerSelect, samId);
      const ownerOf = (id: string) => readSong(doc.doc).tracks.find((t) => t.id === id)?.ownerId ?? null;
      await waitFor(() => ownerOf(bass) === samId, 10_000, 'Bass is given to sam in the shared document');
      assert.equal(readSong(doc.doc).tracks.find((t) => t.id === bass)!.owner, 'sam');
      assert.equal(ownerOf(keys), null, "Keys stays nobody's");
      await student.page.waitForSelector(`[data-testid="track-header"][data-track-id="${bass}"] [data-testid="track-owner"]`, {
        timeout: 5000,
      });
      assert.equal(
        await student.page.locator(`[data-testid="track-header"][data-track-id="${bass}"] [data-testid="track-owner"]`).textContent(),
        'sam',
      );
      assert.equal(
        await student.page.locator(`[data-testid="track-header"][data-track-id="${keys}"] [data-testid="track-owner"]`).count(),
        0,
      );

      const startBar = (id: string) => readSong(doc.doc).clips.find((c) => c.id === id)?.startBar;
      const clipLeft = (page: Page, id: string) =>
        read(
          page,
          (i: string) =>
            (document.querySelector<HTMLElement>(`[data-testid="clip"][data-clip-id="${i}"]`)?.style.left ?? null) as string | null,
          id,
        );
      const keysBefore = JSON.stringify(readSong(doc.doc).clips.find((c) => c.id === clip));
      const keysLeft = await clipLeft(teacher.page, clip);
      const bassLeft = await clipLeft(teacher.page, bassClip);
      assert.ok(keysLeft && bassLeft);
      // The student's own track: nudge the Bass clip one bar right; it lands in the shared document.
      await student.page.click(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
      await student.page.keyboard.press('ArrowRight');
      await waitFor(() => startBar(bassClip) === 1, 10_000, "the student's Bass edit lands");
      // Not theirs: the Keys clip. Refused, taken back, and the student is told why.
      await student.page.click(`[data-testid="clip"][data-clip-id="${clip}"]`);
      await student.page.keyboard.press('ArrowRight');
      await student.page.waitForFunction(
        () => /own track/.test(document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? ''),
        undefined,
        { timeout: 5000 },
      );
      console.log(`# the student is told: ${await text(student.page, 'notice')}`);
      // One more edit of their own after it: the student's updates arrive in order, so once this
      // lands the refused edit and its undo have arrived too.
      await student.page.click(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
      await student.page.keyboard.press('ArrowLeft');
      await waitFor(() => startBar(bassClip) === 0, 10_000, "the student's second Bass edit lands");
      assert.equal(
        JSON.stringify(readSong(doc.doc).clips.find((c) => c.id === clip)),
        keysBefore,
        'the Keys clip is unchanged in the shared document',
      );
      // The owner's page has every update of the student's once the Bass clip is back where it was.
      await teacher.page.waitForFunction(
        ([i, left]: [string, string]) =>
          document.querySelector<HTMLElement>(`[data-testid="clip"][data-clip-id="${i}"]`)?.style.left === left,
        [bassClip, bassLeft!] as [string, string],
        { timeout: 5000 },
      );
      for (const mate of [teacher, student])
        assert.equal(await clipLeft(mate.page, clip), keysLeft, `${mate.name}: the Keys clip is where it was`);
    });

    test("own track: a take is recorded only into the student's own track; the Record button says why not for another's", async () => {
      await student.page.selectOption('[data-testid="jam-track"]', keys);
      await student.page.waitForFunction(
        () => /Keys is not your track/.test(document.querySelector<HTMLElement>('[data-testid="record-rule"]')?.textContent ?? ''),
        undefined,
        { timeout: 5000 },
      );
      assert.equal(await student.page.locator('[data-testid="record"]').isDisabled(), true);
      await student.page.selectOption('[data-testid="jam-track"]', bass);
      await student.page.waitForSelector('[data-testid="record"]:not([disabled])', { timeout: 5000 });
      assert.equal(await student.page.locator('[data-testid="record-rule"]').count(), 0);
      const takes = () => readSong(doc.doc).clips.filter((c) => c.name === 'Take');
      assert.equal(takes().length, 0);
      await student.page.click('[data-testid="musical-typing"]');
      await student.page.waitForSelector('[data-testid="musical-typing"][aria-pressed="true"]');
      await student.page.click('[data-testid="record"]');
      await student.page.mouse.click(5, 5);
      await recordPhase(student.page, 'recording', 10_000);
      await playKeys(student.page, ['a', 'g']);
      await recordPhase(student.page, 'off', 10_000);
      await waitFor(() => takes().length === 1, 10_000, 'the take reaches the shared document');
      assert.equal(takes()[0]!.trackId, bass, "on the student's own track");
      assert.ok(takes()[0]!.notes.length >= 1);
      assert.match(await text(student.page, 'jam-message'), /^recorded \d+ notes?/);
      await student.page.click('[data-testid="musical-typing"]');
    });

    test('the owner stops; no page errors', async () => {
      await teacher.page.click('[data-testid="play"]');
      for (const mate of [teacher, student])
        await mate.page.waitForSelector('[data-testid="play"][aria-pressed="false"]', { timeout: 10_000 });
      assert.deepEqual(teacher.errors, []);
      assert.deepEqual(student.errors, []);
    });
  });
}
