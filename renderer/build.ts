/**
 * Builds the renderer for the Electron window and for browser guests:
 *
 *   node renderer/build.ts [--out <dir>]        (default renderer/dist/)
 *
 * writes <dir>/index.html, the app bundle and its stylesheet under <dir>/assets/ (names carry a
 * content hash, so a server may cache them for good), and, beside index.html, the inference
 * worker with its onnxruntime-web files (inference/web/build.ts), the export's mastering worker
 * (mastering-worker.js, renderer/export/mastering-worker.ts), the sound bank
 * (riffroom-bank.sf3, audio/bank/build.ts), the third-party licences
 * (third-party-licenses.txt, from THIRD_PARTY_LICENSES.md) and the About box's facts (about.json,
 * from the shipped model's card: about/about-info.ts). index.html names the shipped model's
 * id in a <meta>; the sync server serves that model at /models/<id>/. The sampled instruments'
 * synth processor and offline render worker go under <dir>/sampler/ (audio/sampler/node/build.ts).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { SHIPPED_MODEL_ID } from '../inference/node/shipped-model.ts';
import { buildInferenceWorker } from '../inference/web/build.ts';
import { MODEL_META } from './platform/model-meta.ts';
import { ABOUT_FILE, aboutInfo } from './about/about-info.ts';
import { MASTERING_WORKER_FILE } from './export/mastering-work.ts';
import { ensureBank } from './audio/bank/build.ts';
import { buildSamplerAssets } from './audio/sampler/node/build.ts';

const MASTERING_WORKER_ENTRY = new URL('./export/mastering-worker.ts', import.meta.url).pathname;

export const DEFAULT_OUT = new URL('./dist/', import.meta.url).pathname;
const ENTRY = new URL('./main.tsx', import.meta.url).pathname;
const STYLES = new URL('./styles/app.css', import.meta.url).pathname;
const LICENSES = new URL('../THIRD_PARTY_LICENSES.md', import.meta.url).pathname;
const MODEL_CARD = new URL(`../models/${SHIPPED_MODEL_ID}/model.json`, import.meta.url).pathname;
const PACKAGE = new URL('../package.json', import.meta.url).pathname;
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
/** The licences' name in the built client: .txt, so the server sends it as text to read. */
export const LICENSES_FILE = 'third-party-licenses.txt';

export interface BuiltRenderer {
  outDir: string;
  script: string;
  stylesheet: string;
  /** Bytes of the app bundle + stylesheet, and of everything written (the worker's wasm included). */
  appBytes: number;
  totalBytes: number;
  /** Bytes of the sound bank (in totalBytes too). */
  bankBytes: number;
}

function indexHtml(script: string, stylesheet: string, modelId: string): string {
  // Relative URLs: the same files work from the sync server's / and from a file:// in Electron.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<meta name="${MODEL_META}" content="${modelId}">
<title>Riffroom</title>
<link rel="stylesheet" href="${stylesheet}">
</head>
<body>
<div id="root"></div>
<noscript>Riffroom needs JavaScript.</noscript>
<script type="module" src="${script}"></script>
</body>
</html>
`;
}

/** The export's mastering worker beside index.html (renderer/export/mastering-work.ts loads it). Its bytes. */
async function buildMasteringWorker(out: string): Promise<number> {
  const file = join(out, MASTERING_WORKER_FILE);
  await esbuild.build({
    entryPoints: [MASTERING_WORKER_ENTRY],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120'],
    minify: !process.env.RIFFROOM_UNMINIFIED,
    logLevel: 'warning',
  });
  return statSync(file).size;
}

export async function buildRenderer(outDir: string = DEFAULT_OUT): Promise<BuiltRenderer> {
  const out = resolve(outDir);
  const assets = join(out, 'assets');
  // Old hashed bundles would pile up otherwise.
  rmSync(assets, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { main: ENTRY, app: STYLES },
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120'],
    jsx: 'automatic',
    minify: !process.env.RIFFROOM_UNMINIFIED, // unminified: readable names in a profile
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.entries(result.metafile.outputs);
  const find = (entry: string, ext: string): string => {
    const hit = outputs.find(([file, o]) => o.entryPoint !== undefined && resolve(o.entryPoint) === entry && file.endsWith(ext));
    if (!hit) throw new Error(`renderer build: no ${ext} output for ${entry}`);
    return relative(out, resolve(hit[0]));
  };
  const script = find(ENTRY, '.js');
  const stylesheet = find(STYLES, '.css');
  writeFileSync(join(out, 'index.html'), indexHtml(script, stylesheet, SHIPPED_MODEL_ID));
  const worker = await buildInferenceWorker(out);
  const masteringBytes = await buildMasteringWorker(out);
  // The bank is rebuilt only when it is not the one audio/bank/bank.json records.
  const bankBytes = statSync(await ensureBank(out)).size;
  copyFileSync(LICENSES, join(out, LICENSES_FILE));
  writeFileSync(join(out, ABOUT_FILE), JSON.stringify(aboutInfo(readJson(MODEL_CARD), readJson(PACKAGE), LICENSES_FILE)));
  const sampler = await buildSamplerAssets(out);
  const appBytes = statSync(join(out, script)).size + statSync(join(out, stylesheet)).size;
  const written = outputs.reduce((n, [file]) => n + statSync(resolve(file)).size, 0);
  return {
    outDir: out,
    script,
    stylesheet,
    appBytes,
    bankBytes,
    totalBytes: written + worker.bytes + masteringBytes + sampler.bytes + bankBytes,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const started = performance.now();
  const built = await buildRenderer(values.out ?? DEFAULT_OUT);
  const mib = (n: number): string => (n / 2 ** 20).toFixed(2);
  console.log(
    `renderer: ${built.outDir}/index.html, ${basename(built.script)} + ${basename(built.stylesheet)} ${mib(built.appBytes)} MiB ` +
      `(${mib(built.totalBytes)} MiB with the inference worker, the sampler and the ${mib(built.bankBytes)} MiB sound bank) in ${Math.round(performance.now() - started)} ms`,
  );
}
