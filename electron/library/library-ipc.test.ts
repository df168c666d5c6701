import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { libraryClip, preset } from '../../tests/support/library-fixtures.ts';
import { IpcInputError } from '../main/ipc-validate.ts';
import { DesktopLibrary } from './desktop-library.ts';
import { answerLibraryRequest, parseLibraryRequest } from './library-ipc.ts';
import { LIBRARY_FILE } from './sqlite-library-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'riffroom-library-ipc-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('checked requests reach the desktop library and come back', async () => {
  const library = new DesktopLibrary(join(dir, 'a'));
  const call = (value: unknown) => answerLibraryRequest(library, parseLibraryRequest(value));
  const status = (await call({ op: 'status' })) as { location: string; notice: null; problem: null };
  assert.equal(status.location, join(dir, 'a', LIBRARY_FILE));
  assert.equal(status.notice, null);
  await call({ op: 'saveClip', clip: libraryClip({ id: 'c1' }) });
  await call({ op: 'savePreset', preset: preset({ id: 'p1' }) });
  assert.deepEqual(
    ((await call({ op: 'listClips', query: { role: 'bass', tempo: { min: 100, max: 120 } } })) as { id: string }[]).map((c) => c.id),
    ['c1'],
  );
  assert.equal(((await call({ op: 'listPresets' })) as unknown[]).length, 1);
  library.close();
});

test('anything else from the window is refused before the store sees it', () => {
  const refused = (value: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseLibraryRequest(value),
      (e: Error) => e instanceof IpcInputError && pattern.test(e.message),
      JSON.stringify(value)?.slice(0, 60),
    );
  refused(null, /must be an object/);
  refused({ op: 'dropTables' }, /unknown operation/);
  refused({ op: 'getClip', id: '../../etc/passwd' }, /bad id/);
  refused({ op: 'getClip', id: 'x', extra: 1 }, /unexpected field/);
  refused({ op: 'listClips', query: { role: 'kazoo' } }, /unknown role/);
  refused({ op: 'listClips', query: { text: 'x'.repeat(201) } }, /at most 200/);
  refused({ op: 'saveClip', clip: { ...libraryClip(), notes: [{ pitch: 999, tick: 0, duration: 1, velocity: 1 }] } }, /note pitch/);
  refused(JSON.parse('{"op":"status","__proto__":{"x":1}}'), /unexpected field/);
});

test('a damaged library file: the first status carries the notice, once', () => {
  const damaged = join(dir, 'b');
  const library = new DesktopLibrary(damaged);
  mkdirSync(damaged, { recursive: true });
  writeFileSync(library.path, 'not a database');
  const first = library.status();
  assert.match(first.notice ?? '', /kept as .*library\.corrupt-/);
  assert.equal(library.status().notice, null, 'said once');
  library.close();
});
