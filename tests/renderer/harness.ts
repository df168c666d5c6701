/**
 * What the renderer's browser tests share: the renderer built once into a temp folder, a real
 * sync server process serving it (stopped and restarted on the same port and data for offline
 * tests), tokens, and Debian's Chromium driven by playwright-core. Each bandmate is a browser
 * context of its own (own storage, own websocket), like two people on two machines.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as Y from 'yjs';
import { buildRenderer } from '../../renderer/build.ts';
import type { Role } from '../../sync-server/contract.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from '../support/server-process.ts';
import { waitFor } from '../support/yjs-clients.ts';
import type { TestCerts } from '../support/test-certs.ts';

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
export const SCREENSHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (bash scripts/setup-browser.sh installs it as root with apt)`;
}

export interface Bandmate {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and console errors of the page, for assertions and failure messages. */
  errors: string[];
}

export interface RendererHarness {
  readonly webDir: string;
  readonly browser: Browser;
  readonly server: ServerProcess;
  /** The link a bandmate opens: a personal token (`name`, `role`) in the fragment. */
  link(room: string, name: string, role?: Role): string;
  /** A new browser context with the room open. */
  join(
    room: string,
    name: string,
    options?: { role?: Role; viewport?: { width: number; height: number }; beforeOpen?: (context: BrowserContext) => Promise<unknown> },
  ): Promise<Bandmate>;
  /** A page of its own at `url` (bad links). */
  open(url: string): Promise<Bandmate>;
  /** Stops the server process (SIGTERM, as a host closing the session). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restartServer(): Promise<void>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `tls`: the server serves https and wss with the test certificate, and Chromium trusts that
 * certificate's key (--ignore-certificate-errors-spki-list: that key only, not any certificate).
 */
export async function startRendererHarness(options: { tls?: TestCerts } = {}): Promise<RendererHarness> {
  const webDir = mkdtempSync(join(tmpdir(), 'riffroom-renderer-'));
  await buildRenderer(webDir);
  const dataDir = tempDataDir('riffroom-renderer-data-');
  const args = ['--web', webDir, ...(options.tls ? ['--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile] : [])];
  let server = await startServerProcess({ dataDir, args });
  const port = server.port;
  const scheme = options.tls ? 'https' : 'http';
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...(options.tls ? [`--ignore-certificate-errors-spki-list=${options.tls.spki}`] : [])],
  });
  const contexts: BrowserContext[] = [];

  const open = async (
    url: string,
    name = 'guest',
    viewport = { width: 1440, height: 900 },
    beforeOpen?: (context: BrowserContext) => Promise<unknown>,
  ): Promise<Bandmate> => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    // Routes (a websocket held back, say) go in before the page loads.
    await beforeOpen?.(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => void errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A stopped server makes the browser log failed websocket/fetch attempts: expected noise.
      if (m.type() === 'error' && !/WebSocket|Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text()))
        errors.push(`console: ${m.text()}`);
    });
    await page.goto(url);
    return { name, context, page, errors };
  };

  const harness: RendererHarness = {
    webDir,
    browser,
    get server() {
      return server;
    },
    // As the app makes links: the token in the fragment (the page takes it out of the address).
    link: (room, name, role = 'editor') => `${scheme}://127.0.0.1:${port}/?room=${room}#token=${testToken(room, role, name)}`,
    async join(room, name, options = {}) {
      const mate = await open(harness.link(room, name, options.role), name, options.viewport, options.beforeOpen);
      await mate.page.waitForSelector('[data-testid="app"]');
      return mate;
    },
    open: (url) => open(url),
    async stopServer() {
      await server.kill('SIGTERM');
    },
    async restartServer() {
      server = await startServerProcess({ dataDir, port, args });
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await server.kill('SIGTERM');
      rmSync(webDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Runs `fn` in the page and returns its result (a serialisable value). */
export function read<R, A = undefined>(page: Page, fn: (arg: A) => R, arg?: A): Promise<R> {
  return page.evaluate(fn as (arg: unknown) => R, arg as unknown) as Promise<R>;
}

/** Waits until `fn` is truthy in the page; a timeout names `what` was awaited. */
export async function until<A>(page: Page, what: string, fn: (arg: A) => unknown, arg?: A, timeout = 15_000): Promise<void> {
  try {
    await page.waitForFunction(fn as (arg: unknown) => unknown, arg as unknown, { timeout, polling: 100 });
  } catch (error) {
    throw new Error(`${what}: not within ${timeout} ms\n${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Plays `key` once on the computer keyboard of a page with musical typing on: down, then up once
 * the page has played the note (the jam probes' `played` list grew, jam-probes.ts), then done
 * once it has played the release. Each step waits for the page, not for a set time.
 */
export async function tapKey(page: Page, key: string): Promise<void> {
  const played = () => read(page, () => globalThis.riffroomJamProbes?.played?.length ?? 0);
  for (const step of ['down', 'up'] as const) {
    const before = await played();
    await page.keyboard[step](key);
    await until(page, `the page played key ${key} ${step}`, (n) => globalThis.riffroomJamProbes.played.length > n, before, 5000);
  }
}

/**
 * Starts counting the edits the page makes to its room's document (local Yjs transactions that
 * change it) and returns a reader of the count. An edit runs synchronously in the handler of the
 * input that makes it, and Playwright's input calls resolve once the page has handled the event:
 * after them, a count of 0 means no edit was made, without waiting a while to see.
 */
export async function countLocalEdits(page: Page): Promise<() => Promise<number>> {
  const key = Math.random().toString(36).slice(2);
  await read(
    page,
    (k) => {
      const counts = (globalThis.__localEdits ??= {});
      counts[k] = 0;
      globalThis.riffroomJam.session.doc.on('update', (_u: unknown, _origin: unknown, _doc: unknown, tr: { local: boolean }) => {
        if (tr.local) counts[k]++;
      });
    },
    key,
  );
  return () => read(page, (k) => globalThis.__localEdits[k], key);
}

/**
 * Waits until `doc` (a stock y-websocket client's document in the test) holds everything the
 * page's room document has now: the page's edits have reached that bandmate, so reading `doc`
 * shows them. The page's state vector is read from its Yjs store (each client's next clock, as
 * Y.encodeStateVector computes it): the page's bundle does not expose Yjs itself.
 */
export async function untilDocHas(page: Page, doc: Y.Doc, what: string, timeoutMs = 10_000): Promise<void> {
  const want = await read(page, () =>
    [...globalThis.riffroomJam.session.doc.store.clients].map(([client, structs]) => {
      const last = structs[structs.length - 1];
      return [client, last.id.clock + last.length] as [number, number];
    }),
  );
  const missing = () => {
    const have = Y.decodeStateVector(Y.encodeStateVector(doc));
    return want.filter(([client, clock]) => (have.get(client) ?? 0) < clock);
  };
  await waitFor(
    () => missing().length === 0,
    timeoutMs,
    `${what}: the page's updates of clients ${missing()
      .map(([c]) => c)
      .join(', ')} never arrived`,
  );
}
