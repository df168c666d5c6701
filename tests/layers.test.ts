/**
 * DESIGN.md's layers, enforced: every import of the tree against the one table (tests/layers.ts).
 * The checker's own cases first, so a checker that found nothing could not pass unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { forbidden, importsOf, layerViolations, sourceFiles } from './layers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the checker reads static, type-only, re-export, dynamic and worker-entry imports, resolved from the file', () => {
  const text = [
    "import { a } from '../../inference/engine/request.ts';",
    "import type { B } from '../core/time.ts';",
    "export { c } from './local.ts';",
    "const d = await import('../../sync-server/server.ts');",
    "new Worker(new URL('./thread.ts', import.meta.url));",
    "import 'side-effect-package';",
  ].join('\n');
  assert.deepEqual(
    importsOf('renderer/generator/x.ts', text).map((e) => e.to),
    [
      'inference/engine/request.ts',
      'renderer/core/time.ts',
      'renderer/generator/local.ts',
      'side-effect-package',
      'sync-server/server.ts',
      'renderer/generator/thread.ts',
    ],
  );
});

test('the table forbids what DESIGN.md forbids and allows the boundaries', () => {
  const why = (from: string, to: string, kind: 'file' | 'package' = 'file') => forbidden({ from, to, kind });
  assert.match(why('renderer/generator/x.ts', 'inference/engine/request.ts')!, /renderer may import/);
  assert.match(why('renderer/platform/x.ts', 'electron/main/index.ts')!, /renderer may import/);
  assert.match(why('core/song/x.ts', 'inference/contract.ts')!, /core may import core\//);
  assert.match(why('core/song/x.ts', 'node:fs', 'package')!, /core may not import the package node:fs/);
  assert.match(why('sync-server/x.ts', 'renderer/app/x.ts')!, /sync-server may import/);
  assert.match(why('inference/engine/x.ts', 'sync-server/contract.ts')!, /inference may import/);
  assert.match(why('electron/main/x.ts', 'inference/web/worker.ts')!, /electron may import/);
  for (const [from, to] of [
    ['renderer/generator/x.ts', 'inference/contract.ts'],
    ['renderer/platform/x.ts', 'inference/web/worker-transport.ts'],
    ['renderer/platform/x.ts', 'electron/contract.ts'],
    ['renderer/share/x.ts', 'sync-server/client/transfer-client.ts'],
    ['electron/main/x.ts', 'sync-server/server.ts'],
    ['electron/main/x.ts', 'inference/node/host.ts'],
    ['renderer/build.ts', 'inference/web/build.ts'],
    ['renderer/x.test.ts', 'sync-server/server.ts'],
    ['tests/x.ts', 'electron/main/index.ts'],
  ])
    assert.equal(why(from!, to!), null, `${from} → ${to}`);
});

test('every import of the tree keeps to the layers', () => {
  const files = sourceFiles(ROOT);
  assert.ok(files.length > 500 && files.includes('renderer/jam/jam-session.ts'), `read ${files.length} files`);
  assert.deepEqual(layerViolations(ROOT), []);
});
