/**
 * A real Chromium page running the audio engine, for the audio tests and the audio benchmark:
 * the engine, Tone.js and the test songs bundled by esbuild into a temp dir, served from
 * 127.0.0.1 by node:http, opened by playwright-core with autoplay allowed (no user gesture in a
 * headless run). `inPage(fn, arg)` runs `fn` in the page, where `globalThis.riffroomAudio` holds
 * the bundle's exports (see PAGE_ENTRY).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { BANK_URL, OFFLINE_WORKER_URL, PROCESSOR_FILE, PROCESSOR_URL } from '../../renderer/audio/sampler/bank-source.ts';
import { ensureBank } from '../../renderer/audio/bank/build.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (bash scripts/setup-browser.sh installs it as root with apt)`;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What the page exposes as globalThis.riffroomAudio. */
const PAGE_ENTRY = `
import * as engine from './renderer/audio/tone/index.ts';
import * as fixtures from './renderer/audio/fixtures.ts';
import * as Tone from 'tone';
import * as sampler from './renderer/audio/sampler/index.ts';
import * as recorder from './tests/audio/page-recorder.ts';
globalThis.riffroomAudio = { ...engine, fixtures, Tone, sampler, recorder };
`;

export type InPage = <A, R>(fn: (arg: A) => Promise<R> | R, arg: A) => Promise<R>;

export interface AudioPage {
  inPage: InPage;
  /** Bundle size, bytes, and how long bundling and opening took. */
  bundleBytes: number;
  setupMs: number;
  close(): Promise<void>;
}

/** `entry`: the bundle's source (default PAGE_ENTRY); it must set globalThis.riffroomAudio. */
export async function openAudioPage(entry: string = PAGE_ENTRY): Promise<AudioPage> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-audio-'));
  const page = join(dir, 'page.js');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'audio-test-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: page,
    logLevel: 'warning',
  });
  // The offline render's Web Worker, bundled on its own (as the app's build does).
  const worker = join(dir, 'offline-worker.js');
  await esbuild.build({
    entryPoints: [join(root, 'renderer/audio/sampler/offline-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: worker,
    logLevel: 'warning',
  });
  const bundleBytes = readFileSync(page).length;
  const bankPath = await ensureBank();
  let server: Server | null = null;
  let browser: Browser | null = null;
  try {
    server = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/')
        return void res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end('<!doctype html><meta charset="utf-8"><title>riffroom audio</title><script type="module" src="/page.js"></script>');
      if (path === '/page.js') return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(page));
      // The sampled instruments' bank and synth processor, where the page asks for them.
      if (path === `/${PROCESSOR_URL}`)
        return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(PROCESSOR_FILE));
      if (path === `/${OFFLINE_WORKER_URL}`)
        return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(worker));
      if (path === `/${BANK_URL}`)
        return void res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(readFileSync(bankPath));
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const tab = await browser.newPage();
    const log: string[] = [];
    tab.on('console', (m) => void log.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => void log.push(`pageerror: ${e.message}`));
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => 'riffroomAudio' in globalThis, undefined, { timeout: 30_000 });
    const inPage: InPage = async (fn, arg) => {
      try {
        // Playwright types the argument as a serialised copy; plain data is itself.
        return await tab.evaluate(fn as unknown as (arg: unknown) => Promise<never>, arg as unknown);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- page console ---\n${log.slice(-30).join('\n')}`);
      }
    };
    const opened = { browser, server };
    return {
      inPage,
      bundleBytes,
      setupMs: performance.now() - started,
      async close() {
        await opened.browser.close();
        opened.server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
