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
import { buildRenderer } from '../../renderer/build.ts';
import type { Role } from '../../sync-server/contract.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from '../support/server-process.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
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
  join(room: string, name: string, options?: { role?: Role; viewport?: { width: number; height: number }; beforeOpen?: (context: BrowserContext) => Promise<unknown> }): Promise<Bandmate>;
  /** A page of its own at `url` (bad links). */
  open(url: string): Promise<Bandmate>;
  /** Stops the server process (SIGTERM, as a host closing the session). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restartServer(): Promise<void>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startRendererHarness(): Promise<RendererHarness> {
  const webDir = mkdtempSync(join(tmpdir(), 'riffroom-renderer-'));
  await buildRenderer(webDir);
  const dataDir = tempDataDir('riffroom-renderer-data-');
  const args = ['--web', webDir];
  let server = await startServerProcess({ dataDir, args });
  const port = server.port;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];

  const open = async (url: string, name = 'guest', viewport = { width: 1440, height: 900 }, beforeOpen?: (context: BrowserContext) => Promise<unknown>): Promise<Bandmate> => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    // Routes (a websocket held back, say) go in before the page loads.
    await beforeOpen?.(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => void errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A stopped server makes the browser log failed websocket/fetch attempts: expected noise.
      if (m.type() === 'error' && !/WebSocket|Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text())) errors.push(`console: ${m.text()}`);
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
    link: (room, name, role = 'editor') => `http://127.0.0.1:${port}/?room=${room}#token=${testToken(room, role, name)}`,
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
