/**
 * The one test suite every LibraryStore passes (core/library/types.ts): the in-memory store
 * (core/library/memory-store.test.ts), the desktop's SQLite file
 * (electron/library/sqlite-library-store.test.ts) and the window's bridge store in front of it
 * (renderer/library/library-bridge.test.ts). The browser's IndexedDB store runs in Chromium, where
 * node:test is not: tests/renderer/library.test.ts holds it to the same contract inside the page.
 * It speaks only the interface: save and read back exactly, replace by id, filter, newest first,
 * delete, presets by name, snapshot and import.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LibraryClip, LibraryStore, PromptPreset } from '../../core/library/types.ts';
import { libraryClip, preset } from './library-fixtures.ts';

export interface LibraryStoreHarness {
  /** A new, empty store. */
  open(): Promise<LibraryStore>;
  /** The same store again after closing it (its data read back from where it lives). */
  reopen?(store: LibraryStore): Promise<LibraryStore>;
}

export function libraryStoreSuite(name: string, harness: LibraryStoreHarness): void {
  describe(`${name}: the LibraryStore contract`, () => {
    test('a saved clip reads back exactly, and survives reopening', async () => {
      let store = await harness.open();
      const clip = libraryClip({ id: 'clip-a', name: 'Funky bass' });
      await store.saveClip(clip);
      assert.deepEqual(await store.getClip('clip-a'), clip);
      if (harness.reopen) {
        store = await harness.reopen(store);
        assert.deepEqual(await store.getClip('clip-a'), clip);
      }
      assert.equal(await store.getClip('nope'), null);
    });

    test('saving an id again replaces it; delete removes it', async () => {
      const store = await harness.open();
      await store.saveClip(libraryClip({ id: 'x', name: 'one' }));
      await store.saveClip(libraryClip({ id: 'x', name: 'two' }));
      assert.deepEqual(
        (await store.listClips()).map((c) => c.name),
        ['two'],
      );
      await store.deleteClip('x');
      assert.deepEqual(await store.listClips(), []);
    });

    test('lists newest first, filtered by the query', async () => {
      const store = await harness.open();
      const older = libraryClip({ id: 'old', name: 'Old groove', role: 'drums', savedAt: '2026-01-01T00:00:00.000Z' });
      const newer = libraryClip({ id: 'new', name: 'New bass', savedAt: '2026-02-01T00:00:00.000Z', tags: ['verse'] });
      const ai = libraryClip({
        id: 'ai',
        name: 'AI lead',
        role: 'lead',
        savedAt: '2026-03-01T00:00:00.000Z',
        provenance: { source: 'model', author: 'bob', sourceSong: 'Song B', model: { id: 'm', sha256: 'abc' }, seed: 7, settings: {} },
      });
      for (const c of [older, newer, ai]) await store.saveClip(c);
      assert.deepEqual(
        (await store.listClips()).map((c) => c.id),
        ['ai', 'new', 'old'],
      );
      assert.deepEqual(
        (await store.listClips({ role: 'bass' })).map((c) => c.id),
        ['new'],
      );
      assert.deepEqual(
        (await store.listClips({ origin: 'ai' })).map((c) => c.id),
        ['ai'],
      );
      assert.deepEqual(
        (await store.listClips({ origin: 'human' })).map((c) => c.id),
        ['new', 'old'],
      );
      assert.deepEqual(
        (await store.listClips({ text: 'verse' })).map((c) => c.id),
        ['new'],
      );
      assert.deepEqual(
        (await store.listClips({ author: 'bob' })).map((c) => c.id),
        ['ai'],
      );
      assert.deepEqual((await store.listClips({ tempo: { min: 100, max: 130 } })).map((c) => c.id).length, 3);
      assert.deepEqual(await store.listClips({ tempo: { min: 150, max: 200 } }), []);
    });

    test('presets: saved, listed by name, replaced by id, deleted', async () => {
      const store = await harness.open();
      const b: PromptPreset = preset({ id: 'p2', name: 'B-side bass' });
      const a: PromptPreset = preset({ id: 'p1', name: 'A funk' });
      await store.savePreset(b);
      await store.savePreset(a);
      assert.deepEqual(
        (await store.listPresets()).map((p) => p.name),
        ['A funk', 'B-side bass'],
      );
      await store.savePreset({
        ...a,
        lastRiff: {
          name: 'riff',
          notes: [{ pitch: 40, tick: 0, duration: 240, velocity: 90 }],
          lengthBars: 1,
          meter: { numerator: 4, denominator: 4 },
          madeAt: a.updatedAt,
        },
      });
      assert.equal((await store.listPresets())[0]!.lastRiff?.notes.length, 1);
      await store.deletePreset('p1');
      assert.deepEqual(
        (await store.listPresets()).map((p) => p.id),
        ['p2'],
      );
    });

    test('a snapshot imports into another store whole', async () => {
      const from = await harness.open();
      const clips: LibraryClip[] = [libraryClip({ id: 'c1' }), libraryClip({ id: 'c2', savedAt: '2026-05-01T00:00:00.000Z' })];
      for (const c of clips) await from.saveClip(c);
      await from.savePreset(preset({ id: 'p' }));
      const snapshot = await from.snapshot();
      const to = await harness.open();
      assert.deepEqual(await to.importSnapshot(snapshot), { clips: 2, presets: 1 });
      assert.deepEqual(await to.snapshot(), snapshot);
    });
  });
}
