/**
 * node bench/audio/mastering-worker.ts — the export's mastering step in Chromium, as the export
 * dialog runs it: measuring 3 minutes of 44.1 kHz stereo and correcting it to −14 LUFS, in the Web
 * Worker (mastering-worker.js) and, for comparison, on the main thread; with the longest
 * main-thread task meanwhile (PerformanceObserver "longtask"): what the page stops for.
 * Results in bench/results/mastering-worker.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../../tests/audio/audio-page.ts';
import { MASTERING_WORKER_FILE } from '../../renderer/export/mastering-work.ts';

const missing = chromiumMissing();
if (missing) throw new Error(`bench mastering-worker: ${missing}`);
const dir = mkdtempSync(join(tmpdir(), 'riffroom-mastering-bench-'));
const common = {
  bundle: true,
  format: 'esm' as const,
  platform: 'browser' as const,
  target: ['chrome120'],
  minify: true,
  logLevel: 'warning' as const,
};
await esbuild.build({
  ...common,
  entryPoints: [fileURLToPath(new URL('../../renderer/export/mastering-worker.ts', import.meta.url))],
  outfile: join(dir, MASTERING_WORKER_FILE),
});
await esbuild.build({
  ...common,
  entryPoints: [fileURLToPath(new URL('./mastering-worker-page.ts', import.meta.url))],
  outfile: join(dir, 'page.js'),
});
writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="page.js"></script>');
const server = createServer((req, res) => {
  const name = (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').slice(1).split('?')[0]!;
  try {
    const body = readFileSync(join(dir, name));
    res.writeHead(200, { 'content-type': name.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => typeof (globalThis as any).benchMastering === 'function');
  const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
  const results = {
    audio: { seconds: 180, sampleRate: 44100, channels: 2, signal: 'musicLike seed 1', correction: 'streaming (-14 LUFS)' },
    // First runs (what one export pays), then a second of each.
    worker: round(await page.evaluate(() => (globalThis as any).benchMastering('worker'))),
    main: round(await page.evaluate(() => (globalThis as any).benchMastering('main'))),
    workerAgain: round(await page.evaluate(() => (globalThis as any).benchMastering('worker'))),
    mainAgain: round(await page.evaluate(() => (globalThis as any).benchMastering('main'))),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg(), chromium: browser.version() },
    at: new Date().toISOString(),
  };
  const out = fileURLToPath(new URL('../results/mastering-worker.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
