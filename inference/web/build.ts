/**
 * Builds the inference Web Worker for the browser:
 *
 *   node inference/web/build.ts --out <dir>
 *
 * writes <dir>/inference-worker.js (an ES module worker: `new Worker(url, { type: 'module' })`)
 * and, beside it, the onnxruntime-web runtime files it loads (.mjs glue and .wasm binary), so the
 * page serves everything itself and nothing is fetched from a CDN. Start the worker with
 * wasmUrl = <dir>'s URL (worker-config.ts). The renderer's build calls buildInferenceWorker().
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { RUNTIME_FILES } from './runtime-files.ts';

export const WORKER_FILE = 'inference-worker.js';

/**
 * With the 'onnxruntime-web-use-extern-wasm' condition the runtime's glue is not inlined into the
 * bundle but imported from wasmPaths, where wasm threads also load it from as their worker script.
 * Both builds are copied: JSEP where WebGPU has an adapter, plain otherwise (runtime-files.ts).
 */
export { RUNTIME_FILES };

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url).pathname;

/** esbuild settings shared by every bundle that runs the engine on onnxruntime-web. */
export function webBundleOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['onnxruntime-web-use-extern-wasm'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export interface BuiltWorker {
  worker: string;
  runtimeFiles: string[];
  bytes: number;
}

export async function buildInferenceWorker(outDir: string): Promise<BuiltWorker> {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const worker = join(out, WORKER_FILE);
  await esbuild.build({ ...webBundleOptions(), entryPoints: [WORKER_ENTRY], outfile: worker });
  const require = createRequire(import.meta.url);
  // The package's main entry sits in dist/, beside the runtime files.
  const dist = dirname(require.resolve('onnxruntime-web'));
  const runtimeFiles = RUNTIME_FILES.map((name) => {
    const target = join(out, name);
    copyFileSync(join(dist, name), target);
    return target;
  });
  const bytes = [worker, ...runtimeFiles].reduce((n, file) => n + statSync(file).size, 0);
  return { worker, runtimeFiles, bytes };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) {
    console.error('usage: node inference/web/build.ts --out <dir>');
    process.exit(2);
  }
  const built = await buildInferenceWorker(values.out);
  console.log(`inference worker: ${built.worker} + ${built.runtimeFiles.length} runtime files, ${(built.bytes / 2 ** 20).toFixed(1)} MiB`);
}
