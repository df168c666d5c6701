/**
 * The page in Chromium over https: a real server process with a certificate the real openssl made
 * for 127.0.0.1 (Chromium trusts that key alone, --ignore-certificate-errors-spki-list). A guest
 * opens an https invite link, gives a name, joins (POST /join over https) and reaches the room
 * over wss, with no token in any URL; edits cross with a stock y-websocket bandmate over wss.
 * SIGTERM restarts the server: the page says "The server is restarting; reconnecting…", keeps an
 * edit made meanwhile, and is back by itself when a new server process starts on the same port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { initSong } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { tokenProtocols } from '../../sync-server/contract.ts';
import { TEST_SECRET, testToken } from '../support/server-process.ts';
import { makeTestCerts, opensslMissing, trustingWebSocket, type TestCerts } from '../support/test-certs.ts';
import { connectClient, disconnect, waitFor, type Client } from '../support/yjs-clients.ts';
import { browserMissing, until, startRendererHarness, type Bandmate, type RendererHarness } from './harness.ts';

const ROOM = 'secure-night';

const problemText = (page: Page) =>
  page
    .locator('[data-testid="connection-problem"]')
    .textContent({ timeout: 1000 })
    .catch(() => null);

async function setTitle(page: Page, title: string): Promise<void> {
  await page.fill('[data-testid="song-title"]', title);
  await page.press('[data-testid="song-title"]', 'Enter');
}

const missing = browserMissing() ?? opensslMissing();
if (missing) {
  test('the page over https in Chromium', (t) => t.skip(missing));
} else {
  let certs: TestCerts;
  let h: RendererHarness;
  let host: Client;
  let guest: Bandmate;
  const urls: string[] = [];

  before(async () => {
    certs = makeTestCerts();
    h = await startRendererHarness({ tls: certs });
    host = await connectClient(h.server.wsUrl, ROOM, '', {
      protocols: tokenProtocols(testToken(ROOM, 'owner', 'olga')),
      WebSocket: trustingWebSocket(certs.ca),
    });
    initSong(host.doc, { title: 'Secure Night' });
  });
  after(async () => {
    if (host) disconnect(host);
    await h?.close();
    certs?.remove();
  });

  describe('the page over https and wss, in Chromium', { timeout: 240_000 }, () => {
    test('an https invite link: the guest joins over https, reaches the room over wss, no token in any URL', async () => {
      assert.match(h.server.url, /^https:\/\//);
      const invite = signToken(TEST_SECRET, {
        room: ROOM,
        role: 'editor',
        name: 'editor',
        exp: Math.floor(Date.now() / 1000) + 3600,
        invite: true,
      });
      guest = await h.open(`${h.server.url}/?room=${ROOM}#token=${invite}`);
      guest.page.on('websocket', (ws) => void urls.push(ws.url()));
      guest.page.on('request', (r) => void urls.push(r.url()));
      await guest.page.waitForSelector('[data-testid="name-prompt"]', { timeout: 15_000 });
      await guest.page.fill('[data-testid="name-input"]', 'Sam');
      await guest.page.press('[data-testid="name-input"]', 'Enter');
      await guest.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 15_000 });
      await until(
        guest.page,
        "the host's title shows",
        () => document.querySelector<HTMLInputElement>('[data-testid="song-title"]')?.value === 'Secure Night',
      );
      assert.equal(guest.page.url(), `${h.server.url}/?room=${ROOM}`, 'the invite left the address bar');
      const isolated = await guest.page.evaluate(() => crossOriginIsolated as boolean);
      assert.equal(isolated, true, 'COOP/COEP hold over https');

      await setTitle(guest.page, 'Secure Night (Sam)');
      await waitFor(
        () => readSong(host.doc).meta.title === 'Secure Night (Sam)',
        5000,
        "the guest's edit reached the stock bandmate over wss",
      );
      assert.ok(
        urls.some((u) => u === `wss://127.0.0.1:${h.server.port}/${ROOM}`),
        urls.join('\n'),
      );
      assert.ok(
        urls.some((u) => u.startsWith(`https://127.0.0.1:${h.server.port}/api/rooms/${ROOM}/join`)),
        urls.join('\n'),
      );
      assert.deepEqual(
        urls.filter((u) => u.includes('token=') || u.includes(invite)),
        [],
        'no token in any websocket or request URL',
      );
      assert.ok(
        urls.every((u) => !u.startsWith('ws://') && !u.startsWith('http://')),
        'nothing in clear text',
      );
      await h.screenshot(guest.page, 'tls-joined');
    });

    test('SIGTERM: "The server is restarting; reconnecting…", an edit made meanwhile arrives once it is back', async () => {
      await h.stopServer();
      await until(
        guest.page,
        'the page says the server restarts',
        () =>
          document.querySelector<HTMLElement>('[data-testid="connection-problem"]')?.textContent ===
          'The server is restarting; reconnecting…',
      );
      await h.screenshot(guest.page, 'tls-restarting');
      await setTitle(guest.page, 'Written while it restarted');
      assert.equal(await problemText(guest.page), 'The server is restarting; reconnecting…', 'the same words while it is away');

      await h.restartServer();
      await guest.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 20_000 });
      await waitFor(
        () => readSong(host.doc).meta.title === 'Written while it restarted',
        15_000,
        'the edit made while the server was away reached the bandmate',
      );
      assert.deepEqual(guest.errors, []);
    });
  });
}
