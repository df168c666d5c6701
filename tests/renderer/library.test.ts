/**
 * The riff library in real Chromium against a real sync server: alice saves a bass riff and an
 * AI lead from "Song A" to her library (this browser's IndexedDB), filters and searches them,
 * asks "More like this", saves a prompt preset, then opens "Song B" (another key and tempo): the
 * library and the preset are there, the riff auditions transposed into Song B's key (the notes
 * the audio engine schedules are read), and Insert (or a drag onto a lane) puts it in Song B as
 * one labelled edit that a bandmate on a stock y-websocket client receives. The library is exported to one file and
 * imported by bob in another browser; a damaged file is refused, changing nothing. The preset,
 * recalled, makes a riff with the AI bandmate and remembers it. A last test
 * holds the IndexedDB store itself to the LibraryStore contract inside the page.
 *
 * Waits are on DOM conditions and on the server's history, never on time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { decodeLibraryFile } from '../../core/library/library-file.ts';
import { addClip, addTrack, initSong, setChords, setTitle } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { testToken } from '../support/server-process.ts';
import { waitForHistoryLabel } from '../support/room-api.ts';
import { connectClient, disconnect, waitFor, type Client } from '../support/yjs-clients.ts';
import { libraryClip, preset } from '../support/library-fixtures.ts';
import { browserMissing, read, startRendererHarness, until, type Bandmate, type RendererHarness } from './harness.ts';

const SONG_A = 'library-song-a';
const SONG_B = 'library-song-b';
const UI_MS = 15_000;
/** A funk bass line in E minor, two bars. */
const BASS = [0, 360, 720, 960, 1200, 1680].flatMap((tick, i) => [
  { pitch: [40, 40, 47, 45, 43, 50][i]!, tick, duration: 200, velocity: 100 },
  { pitch: [40, 40, 47, 45, 43, 50][i]!, tick: tick + 1920, duration: 200, velocity: 96 },
]);
const LEAD = [0, 480, 960, 1440].map((tick, i) => ({ pitch: 64 + [0, 3, 7, 5][i]!, tick, duration: 400, velocity: 90 }));

const items = (page: Page) =>
  read(page, () => [...document.querySelectorAll<HTMLElement>('[data-testid="lib-item"]')].map((el) => el.dataset.name!));
const untilCount = (page: Page, n: number, what: string) =>
  until(
    page,
    what,
    (count) => document.querySelector<HTMLElement>('[data-testid="library-panel"]')?.dataset.count === String(count),
    n,
    UI_MS,
  );
/** Until the list shows exactly `names`, in order: a count alone can be the list before the last filter took effect. */
const untilItems = (page: Page, names: string[], what: string) =>
  until(
    page,
    what,
    (expected) =>
      JSON.stringify([...document.querySelectorAll<HTMLElement>('[data-testid="lib-item"]')].map((el) => el.dataset.name)) ===
      JSON.stringify(expected),
    names,
    UI_MS,
  );
const noticeText = (page: Page) => read(page, () => document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? '');

async function selectClip(page: Page, clipId: string): Promise<void> {
  await page.click(`[data-testid="clip"][data-clip-id="${clipId}"]`);
}

const missing = browserMissing();
if (missing) {
  test('the riff library in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('the riff library, in Chromium', { timeout: 300_000 }, () => {
    let carolA: Client;
    let carolB: Client;
    let alice: Bandmate;
    let page: Page;
    let bassClip = '';
    let leadClip = '';

    before(async () => {
      carolA = await connectClient(h.server.wsUrl, SONG_A, testToken(SONG_A, 'editor', 'carol'));
      initSong(carolA.doc, { key: { tonic: 4, mode: 'minor' }, bpm: 112 });
      setTitle(carolA.doc, 'Song A');
      setChords(carolA.doc, 0, 1920 * 4, [
        { tick: 0, duration: 1920, symbol: 'Em' },
        { tick: 1920, duration: 1920, symbol: 'C' },
        { tick: 3840, duration: 3840, symbol: 'D' },
      ]);
      const bass = addTrack(carolA.doc, { role: 'bass', name: 'Bass' });
      const lead = addTrack(carolA.doc, { role: 'lead', name: 'Lead' });
      bassClip = addClip(carolA.doc, { trackId: bass, startBar: 0, lengthBars: 2, name: 'Funk walk', notes: BASS });
      leadClip = addClip(carolA.doc, {
        trackId: lead,
        startBar: 2,
        lengthBars: 1,
        name: 'AI hook',
        notes: LEAD,
        provenance: {
          source: 'model',
          detail: {
            format: 'riffroom-generator/1',
            requestedBy: 'bob',
            model: { id: 'bandmate-v2', sha256: 'abcd' },
            request: { seed: 31, style: 'pop', role: 'lead' },
          },
        },
      });
      carolB = await connectClient(h.server.wsUrl, SONG_B, testToken(SONG_B, 'editor', 'carol'));
      initSong(carolB.doc, { key: { tonic: 7, mode: 'minor' }, bpm: 90 });
      setTitle(carolB.doc, 'Song B');
      addTrack(carolB.doc, { role: 'keys', name: 'Keys' });

      alice = await h.join(SONG_A, 'alice');
      page = alice.page;
      await page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 30_000 });
      await until(page, 'both clips drawn', () => document.querySelectorAll('[data-testid="clip"]').length === 2, undefined, UI_MS);
      await page.click('[data-testid="tab-library"]');
      await untilCount(page, 0, 'an empty library');
    });

    after(() => {
      for (const c of [carolA, carolB]) if (c) disconnect(c);
    });

    test('saving clips from the arrangement and the editor keeps notes, chords, provenance and tags', async () => {
      await selectClip(page, bassClip);
      await page.fill('[data-testid="lib-tags"]', 'groove, verse');
      await page.click('[data-testid="lib-save"]');
      await untilCount(page, 1, 'the bass riff listed');
      // The second from the editor's title bar.
      await selectClip(page, leadClip);
      await page.click('[data-testid="editor-save-to-library"]');
      await untilCount(page, 2, 'the AI hook listed');
      assert.deepEqual(await items(page), ['AI hook', 'Funk walk'], 'newest first');
      const stored = await read(page, async () => (await globalThis.riffroomLibrary.ready).store.listClips());
      const bass = stored.find((c) => c.name === 'Funk walk')!;
      assert.deepEqual(
        bass.notes.map((n) => [n.tick, n.pitch]),
        [...BASS].sort((a, b) => a.tick - b.tick).map((n) => [n.tick, n.pitch]),
      );
      assert.deepEqual(bass.tags, ['groove', 'verse']);
      assert.deepEqual(
        bass.chords.map((c) => [c.tick, c.symbol]),
        [
          [0, 'Em'],
          [1920, 'C'],
        ],
        'the chords under the clip, from its first bar',
      );
      assert.deepEqual(
        stored.find((c) => c.name === 'AI hook')!.chords.map((c) => [c.tick, c.duration, c.symbol]),
        [[0, 1920, 'D']],
      );
      assert.equal(bass.provenance.sourceSong, 'Song A');
      assert.equal(bass.provenance.author, 'alice');
      const hook = stored.find((c) => c.name === 'AI hook')!;
      assert.equal(hook.provenance.source, 'model');
      assert.equal(hook.provenance.seed, 31);
      assert.equal(hook.provenance.author, 'bob');
      assert.equal(hook.style, 'pop');
      assert.deepEqual(alice.errors, []);
    });

    test('filters and text search narrow the list', async () => {
      const all = ['AI hook', 'Funk walk'];
      await page.selectOption('[data-testid="lib-origin"]', 'ai');
      await untilItems(page, ['AI hook'], 'AI only');
      await page.selectOption('[data-testid="lib-origin"]', '');
      await untilItems(page, all, 'origin cleared');
      await page.selectOption('[data-testid="lib-role"]', 'bass');
      await untilItems(page, ['Funk walk'], 'bass only');
      await page.selectOption('[data-testid="lib-role"]', '');
      await untilItems(page, all, 'role cleared');
      await page.fill('[data-testid="lib-tempo-min"]', '120');
      await untilItems(page, [], 'nothing at 120 BPM or more');
      await untilCount(page, 0, 'the count says none');
      await page.fill('[data-testid="lib-tempo-min"]', '');
      await untilItems(page, all, 'tempo cleared');
      await page.fill('[data-testid="lib-search"]', 'groove');
      await untilCount(page, 1, 'the tag found by search');
      await page.fill('[data-testid="lib-search"]', '');
      await untilItems(page, all, 'search cleared');
      await page.selectOption('[data-testid="lib-author"]', 'bob');
      await untilItems(page, ['AI hook'], "bob's riff");
      await page.selectOption('[data-testid="lib-author"]', '');
      await untilItems(page, all, 'filters cleared');
      await untilCount(page, 2, 'the count says both');
    });

    test('"More like this" finds the clip it came from in the song first, and says why', async () => {
      await page.click('[data-testid="lib-item"][data-name="Funk walk"] [data-testid="lib-more"]');
      await page.waitForSelector('[data-testid="lib-similar"]', { timeout: UI_MS });
      const hits = await read(page, () =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="lib-similar-item"]')].map((el) => ({
          where: el.dataset.where!,
          name: el.dataset.name!,
          score: Number(el.dataset.score),
          why: el.textContent ?? '',
        })),
      );
      const inSong = hits.filter((x) => x.where === 'song');
      assert.equal(inSong[0]?.name, 'Bass: Funk walk');
      assert.equal(inSong[0]?.score, 1);
      assert.match(inSong[0]!.why, /same rhythm on the bar grid 100%/);
      assert.ok(inSong[1]!.score < 0.9, `the lead is less alike: ${inSong[1]?.score}`);
    });

    test('a prompt preset is saved from the AI panel', async () => {
      await page.click('[data-testid="tab-generate"]');
      await page.selectOption('[data-testid="gen-role"]', 'lead');
      await page.fill('[data-testid="gen-seed"]', '777');
      await page.fill('[data-testid="gen-preset-name"]', 'Lead 777');
      await page.click('[data-testid="gen-preset-save"]');
      await page.waitForSelector('[data-testid="gen-preset-active"]', { timeout: UI_MS });
      const presets = await read(page, async () => (await globalThis.riffroomLibrary.ready).store.listPresets());
      assert.deepEqual(
        presets.map((p) => [p.name, p.settings.role, p.settings.seed]),
        [['Lead 777', 'lead', 777]],
      );
    });

    test('in another song: the library and presets are there; audition is transposed; insert and drop are labelled edits', async () => {
      await page.goto(h.link(SONG_B, 'alice'));
      await page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 30_000 });
      // The preset, recalled in this project.
      await until(
        page,
        'the preset listed',
        () => document.querySelectorAll('[data-testid="gen-preset-select"] option').length === 2,
        undefined,
        UI_MS,
      );
      const presetId = await read(
        page,
        () => document.querySelectorAll<HTMLOptionElement>('[data-testid="gen-preset-select"] option')[1]!.value,
      );
      await page.selectOption('[data-testid="gen-preset-select"]', presetId);
      await page.click('[data-testid="gen-preset-recall"]');
      assert.equal(await page.inputValue('[data-testid="gen-seed"]'), '777');
      assert.equal(await page.inputValue('[data-testid="gen-role"]'), 'lead');

      await page.click('[data-testid="tab-library"]');
      await untilCount(page, 2, 'the library in Song B (read back from IndexedDB)');

      // Audition: the notes the engine schedules are the riff moved from E minor to G minor.
      await read(page, () => {
        globalThis.__auditioned = [];
        globalThis.riffroomTransport.onEvent((e) => {
          if (e.kind === 'note' && e.trackId === 'audition') globalThis.__auditioned.push(e.pitch);
        });
      });
      await page.click('[data-testid="lib-item"][data-name="Funk walk"] [data-testid="lib-audition"]');
      await until(page, 'the audition scheduled its notes', (n) => globalThis.__auditioned.length >= n, BASS.length, 60_000);
      const heard = await read(page, () => globalThis.__auditioned.slice(0, 12));
      const expected = [...BASS].sort((a, b) => a.tick - b.tick).map((n) => n.pitch + 3);
      assert.deepEqual(heard, expected);
      assert.match(await noticeText(page), /at 90 BPM, transposed up 3 semitones to G minor/);

      await page.click('[data-testid="lib-item"][data-name="Funk walk"] [data-testid="lib-insert"]');
      const label = 'inserted "Funk walk" from the library (transposed up 3 semitones to G minor)';
      await waitForHistoryLabel(h.server, SONG_B, testToken(SONG_B, 'viewer', 'probe'), label, 10_000);
      await waitFor(() => readSong(carolB.doc).clips.length === 1, 10_000, 'carol never received the inserted clip');
      const song = readSong(carolB.doc);
      const inserted = song.clips[0]!;
      assert.equal(song.tracks.find((t) => t.id === inserted.trackId)?.role, 'bass', 'a bass track was made for it');
      assert.deepEqual(
        inserted.notes.map((n) => n.pitch),
        expected,
      );
      assert.equal(inserted.provenance?.detail?.sourceSong, 'Song A');

      // Dragged from the list onto the Keys lane, at bar 5: it lands there, on that track.
      const barPx = await read(page, () => document.querySelector<HTMLElement>('[data-testid="clip"]')!.getBoundingClientRect().width / 2);
      const keys = song.tracks.find((t) => t.role === 'keys')!;
      await page.dragAndDrop('[data-testid="lib-item"][data-name="AI hook"]', `[data-testid="lane"][data-track-id="${keys.id}"]`, {
        targetPosition: { x: Math.round(4.5 * barPx), y: 10 },
      });
      await waitForHistoryLabel(
        h.server,
        SONG_B,
        testToken(SONG_B, 'viewer', 'probe'),
        'inserted "AI hook" from the library (transposed up 3 semitones to G minor)',
        10_000,
      );
      await waitFor(() => readSong(carolB.doc).clips.length === 2, 10_000, 'carol never received the dropped clip');
      const dropped = readSong(carolB.doc).clips.find((c) => c.name === 'AI hook')!;
      assert.equal(dropped.trackId, keys.id);
      assert.equal(dropped.startBar, 4);
      assert.deepEqual(alice.errors, []);
      await h.screenshot(page, 'library-song-b');
    });

    test('export to one file; bob imports it; a damaged file is refused and changes nothing', async () => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('[data-testid="lib-export"]')]);
      const text = readFileSync((await download.path())!, 'utf8');
      const snapshot = decodeLibraryFile(text);
      assert.deepEqual(
        snapshot.clips.map((c) => c.name),
        ['AI hook', 'Funk walk'],
      );
      assert.equal(snapshot.presets.length, 1);

      const bob = await h.join(SONG_B, 'bob');
      await bob.page.click('[data-testid="tab-library"]');
      await untilCount(bob.page, 0, "bob's empty library");
      const damaged = text.slice(0, text.length / 2);
      const [chooser1] = await Promise.all([bob.page.waitForEvent('filechooser'), bob.page.click('[data-testid="lib-import"]')]);
      await chooser1.setFiles({ name: 'broken.riffroom-library', mimeType: 'application/json', buffer: Buffer.from(damaged) });
      await until(
        bob.page,
        'the refusal shown',
        () => /was not imported/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''),
        undefined,
        UI_MS,
      );
      assert.match(await noticeText(bob.page), /broken\.riffroom-library was not imported: This is not a Riffroom library file/);
      assert.equal(await read(bob.page, async () => (await (await globalThis.riffroomLibrary.ready).store.listClips()).length), 0);

      const [chooser2] = await Promise.all([bob.page.waitForEvent('filechooser'), bob.page.click('[data-testid="lib-import"]')]);
      await chooser2.setFiles({ name: 'alice.riffroom-library', mimeType: 'application/json', buffer: Buffer.from(text) });
      await untilCount(bob.page, 2, "alice's riffs in bob's library");
      assert.match(await noticeText(bob.page), /Imported 2 riffs and 1 presets/);
      assert.deepEqual(bob.errors, []);
    });

    test('a preset remembers the riff it made: the take kept after recalling it', async () => {
      await page.click('[data-testid="tab-generate"]');
      await page.waitForSelector('[data-testid="gen-preset-active"]', { timeout: UI_MS });
      const before = readSong(carolB.doc).clips.length;
      await page.click('[data-testid="gen-generate"]');
      await until(
        page,
        'the variations written',
        () =>
          document.querySelector('[data-testid="gen-variations"][data-phase="done"]') ||
          document.querySelector('[data-testid="gen-error"]'),
        undefined,
        240_000,
      );
      assert.equal(await read(page, () => document.querySelector('[data-testid="gen-error"]')?.textContent ?? null), null);
      await page.click('[data-testid="gen-variation"][data-index="0"] [data-testid="gen-keep"]');
      await until(
        page,
        'the preset shows its riff',
        () => /last riff:/.test(document.querySelector('[data-testid="gen-preset-active"]')?.textContent ?? ''),
        undefined,
        UI_MS,
      );
      await waitFor(() => readSong(carolB.doc).clips.length === before + 1, 10_000, 'carol never received the kept take');
      const kept = readSong(carolB.doc).clips.find(
        (c) => c.provenance?.source === 'model' && c.provenance.detail?.format === 'riffroom-generator/1',
      )!;
      const riff = await read(page, async () => (await (await globalThis.riffroomLibrary.ready).store.listPresets())[0]!.lastRiff);
      assert.ok(riff, 'the preset kept a riff');
      assert.deepEqual(
        riff.notes.map((n) => [n.tick, n.pitch]),
        kept.notes.map((n) => [n.tick, n.pitch]),
      );
      assert.equal(
        (kept.provenance?.detail as { request?: { seed?: number } } | undefined)?.request?.seed,
        777,
        'made with the recalled seed',
      );
      assert.deepEqual(alice.errors, []);
    });

    test('generate more like this: the riff goes into the song and the AI panel writes variations of it', async () => {
      await page.click('[data-testid="tab-library"]');
      await untilCount(page, 2, 'the library listed');
      const had = new Set(readSong(carolB.doc).clips.map((c) => c.id));
      const before = had.size;
      await page.click('[data-testid="lib-item"][data-name="Funk walk"] [data-testid="lib-generate-more"]');
      await waitFor(() => readSong(carolB.doc).clips.length === before + 1, 10_000, 'carol never received the riff');
      const placed = readSong(carolB.doc).clips.find((c) => !had.has(c.id))!;
      // The AI panel is shown and varies the new clip: variations of its bars, none kept yet.
      await until(
        page,
        'variations of the riff written',
        () =>
          document.querySelector('[data-testid="tab-generate"][aria-selected="true"]') &&
          (document.querySelector('[data-testid="gen-variations"][data-phase="done"]') ||
            document.querySelector('[data-testid="gen-error"]')),
        undefined,
        240_000,
      );
      assert.equal(await read(page, () => document.querySelector('[data-testid="gen-error"]')?.textContent ?? null), null);
      const variations = await read(page, () => document.querySelectorAll('[data-testid="gen-variation"]').length);
      assert.ok(variations >= 1, 'at least one variation');
      assert.equal(readSong(carolB.doc).clips.length, before + 1, 'nothing kept without the user');
      assert.equal(
        await read(page, () => document.querySelector<HTMLElement>('[data-testid="clip"][data-selected]')?.dataset.clipId ?? null),
        placed.id,
        'the varied clip is the selection',
      );
      await page.click('[data-testid="gen-discard"]');
      assert.deepEqual(alice.errors, []);
    });

    test('the IndexedDB store keeps the LibraryStore contract', async () => {
      const fresh = await h.join(SONG_A, 'dana');
      const result = await read(
        fresh.page,
        async ({ a, b, p }) => {
          const { store } = await globalThis.riffroomLibrary.ready;
          const out: Record<string, unknown> = {};
          await store.saveClip(a);
          out.readBack = await store.getClip(a.id);
          await store.saveClip({ ...a, name: 'renamed' });
          await store.saveClip(b);
          out.names = (await store.listClips()).map((c) => c.name);
          out.drums = (await store.listClips({ role: 'drums' })).map((c) => c.id);
          out.ai = (await store.listClips({ origin: 'ai' })).map((c) => c.id);
          await store.savePreset(p);
          out.presets = (await store.listPresets()).map((x) => x.name);
          const snapshot = await store.snapshot();
          await store.deleteClip(a.id);
          await store.deletePreset(p.id);
          out.afterDelete = (await store.listClips()).map((c) => c.id);
          out.imported = await store.importSnapshot(snapshot);
          out.restored = JSON.stringify(await store.snapshot()) === JSON.stringify(snapshot);
          out.missing = await store.getClip('nope');
          return out;
        },
        {
          a: libraryClip({ id: 'idb-a', savedAt: '2026-01-01T00:00:00.000Z' }),
          b: libraryClip({
            id: 'idb-b',
            role: 'drums',
            savedAt: '2026-02-01T00:00:00.000Z',
            provenance: { source: 'model', author: 'x', sourceSong: 'S' },
          }),
          p: preset({ id: 'idb-p', name: 'Idb preset' }),
        },
      );
      assert.deepEqual(result, {
        readBack: libraryClip({ id: 'idb-a', savedAt: '2026-01-01T00:00:00.000Z' }),
        names: ['Bass riff', 'renamed'],
        drums: ['idb-b'],
        ai: ['idb-b'],
        presets: ['Idb preset'],
        afterDelete: ['idb-b'],
        imported: { clips: 2, presets: 1 },
        restored: true,
        missing: null,
      });
    });
  });
}
