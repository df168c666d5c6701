/**
 * The desktop window's library end to end, short of Electron itself: the page's bridge store
 * (library-bridge.ts) → a structured clone (what IPC carries) → the main process's checks and
 * answer (electron/library/library-ipc.ts) → the SQLite file. Held to the same store suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DesktopLibrary } from '../../electron/library/desktop-library.ts';
import { answerLibraryRequest, parseLibraryRequest } from '../../electron/library/library-ipc.ts';
import type { RiffroomBridge } from '../../electron/contract.ts';
import { libraryStoreSuite } from '../../tests/support/library-store-suite.ts';
import { libraryClip } from '../../tests/support/library-fixtures.ts';
import { bridgeLibraryStore, electronLibrary } from './library-bridge.ts';

const dirs: string[] = [];
const libraries: DesktopLibrary[] = [];
test.after(() => {
  for (const l of libraries) l.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fakeBridge(): NonNullable<RiffroomBridge['library']> {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-library-bridge-'));
  dirs.push(dir);
  const library = new DesktopLibrary(dir);
  libraries.push(library);
  return {
    // IPC clones the request and the answer; main checks the request before the store sees it.
    call: async (request) => structuredClone(await answerLibraryRequest(library, parseLibraryRequest(structuredClone(request)))) as never,
  };
}

libraryStoreSuite('desktop library over the bridge', { open: async () => bridgeLibraryStore(fakeBridge()) });

test("the window's status names the file; a clip the main process refuses rejects the call", async () => {
  const service = electronLibrary(fakeBridge());
  const { store, status } = await service.ready();
  assert.match(status.location, /library\.sqlite$/);
  assert.equal(status.notice, null);
  await assert.rejects(store.saveClip({ ...libraryClip(), role: 'kazoo' as never }), /library: .*unknown role/);
  assert.deepEqual(await store.listClips(), []);
});
