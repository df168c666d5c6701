/**
 * The sampled instruments' files beside the web client's index.html (renderer/build.ts calls it):
 * spessasynth_lib's AudioWorklet processor and the offline render's Web Worker (offline-worker.ts,
 * bundled on its own), at the URLs bank-source.ts names. The bank itself is renderer/build.ts's
 * (ensureBank).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { OFFLINE_WORKER_URL, PROCESSOR_FILE, PROCESSOR_URL } from '../bank-source.ts';

export async function buildSamplerAssets(outDir: string): Promise<{ bytes: number }> {
  const out = resolve(outDir);
  const target = (url: string) => join(out, ...url.split('/'));
  for (const url of [PROCESSOR_URL, OFFLINE_WORKER_URL]) mkdirSync(dirname(target(url)), { recursive: true });
  copyFileSync(fileURLToPath(PROCESSOR_FILE), target(PROCESSOR_URL));
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../offline-worker.ts', import.meta.url))],
    outfile: target(OFFLINE_WORKER_URL),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120'],
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const bytes = [PROCESSOR_URL, OFFLINE_WORKER_URL].reduce((n, url) => n + statSync(target(url)).size, 0);
  return { bytes };
}
