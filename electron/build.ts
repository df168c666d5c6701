/**
 * Bundles the desktop shell with esbuild into electron/dist/ (gitignored):
 *
 *   node electron/build.ts [--renderer]     (--renderer: also build renderer/dist)
 *
 * - main.mjs           the main process (package.json "main"), ESM
 * - preload.cjs        the window's preload: one CommonJS file, as a sandboxed preload must be
 * - inference-host.mjs the inference utility process (inference/node/host.ts)
 * - session-host.mjs   the session host utility process (electron/session/host.ts)
 * - log-check-worker.mjs the worker its server checks uploaded projects in
 * npm packages stay external (node_modules ships with the app; onnxruntime-node is native).
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

export const ELECTRON_DIST = new URL('./dist/', import.meta.url).pathname;
const here = (path: string): string => new URL(path, import.meta.url).pathname;

export async function buildElectron(outDir: string = ELECTRON_DIST): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    // The bundles are entries themselves; no module's own `import.meta.main` block may run twice.
    define: { 'import.meta.main': 'false' },
  } as const;
  await Promise.all([
    esbuild.build({
      ...common,
      format: 'esm',
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      entryPoints: {
        main: here('./main/index.ts'),
        'inference-host': here('./utility/inference-host.ts'),
        'session-host': here('../electron/session/host.ts'),
        // The worker the session host's server checks uploaded projects in (sync-server/store/log-check-off-thread.ts).
        'log-check-worker': here('../sync-server/store/log-check-worker.ts'),
      },
    }),
    esbuild.build({
      ...common,
      format: 'cjs',
      platform: 'browser',
      external: ['electron'],
      packages: undefined,
      outfile: `${outDir}/preload.cjs`,
      entryPoints: [here('./preload/index.ts')],
    }),
  ]);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { renderer: { type: 'boolean' } } });
  const started = performance.now();
  if (values.renderer) {
    const { buildRenderer } = await import('../renderer/build.ts');
    await buildRenderer();
  }
  await buildElectron();
  console.log(`electron: main, preload, inference and session hosts in ${ELECTRON_DIST} (${Math.round(performance.now() - started)} ms)`);
}
