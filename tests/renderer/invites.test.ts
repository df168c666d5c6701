/**
 * Joining from an invite in real Chromium (the built renderer served by a real sync server
 * process): the page asks the name, trades the invite for a personal token of its own (POST
 * /join), takes the token out of the address bar, and sends tokens only as websocket
 * subprotocols and Authorization headers, never in a URL; a reload comes back as the same
 * identity without asking again; two guests from one invite are two people; a join that fails
 * says why in words; and a token that cannot be renewed ends with the page saying why.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { initSong } from '../../core/song/edits.ts';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { TEST_SECRET, testToken } from '../support/server-process.ts';
import { connectClient, disconnect, type Client } from '../support/yjs-clients.ts';
import { browserMissing, read, startRendererHarness, until, type Bandmate, type RendererHarness } from './harness.ts';

const ROOM = 'invite-night';

function invite(room: string, seconds = 7 * 86_400, role: 'editor' | 'viewer' = 'editor'): string {
  return signToken(TEST_SECRET, { room, role, name: 'editor', exp: Math.floor(Date.now() / 1000) + seconds, invite: true });
}

const idOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { id: string }).id;

/** The identity the page runs under: its session's token (renewed or not, the id stays). */
const pageIdentity = (page: Page) =>
  read(page, () => {
    const claims = globalThis.riffroomJam.session.token.claims;
    return { id: claims.id as string, name: claims.name as string, invite: claims.invite === true };
  });

/** Records every websocket and HTTP request URL of the page, to check no token is in one. */
function watchUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('websocket', (ws) => void urls.push(ws.url()));
  page.on('request', (r) => void urls.push(r.url()));
  return urls;
}

async function answerName(mate: Bandmate, name: string): Promise<void> {
  await mate.page.waitForSelector('[data-testid="name-prompt"]', { timeout: 15_000 });
  await mate.page.fill('[data-testid="name-input"]', name);
  await mate.page.press('[data-testid="name-input"]', 'Enter');
}

async function connected(mate: Bandmate): Promise<void> {
  await mate.page.waitForSelector('[data-testid="app"]', { timeout: 15_000 });
  await mate.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 15_000 });
}

const missing = browserMissing();
if (missing) {
  test('invites in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  let host: Client;
  let origin = '';

  before(async () => {
    h = await startRendererHarness();
    origin = new URL(h.link(ROOM, 'x')).origin;
    host = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'owner', 'olga'));
    initSong(host.doc, { title: 'Invite Night' });
  });
  after(async () => {
    if (host) disconnect(host);
    await h?.close();
  });

  describe('joining from an invite, in Chromium', { timeout: 240_000 }, () => {
    test('the name is asked, the guest joins as an identity of their own, the token leaves the address; a reload keeps it', async () => {
      const inv = invite(ROOM);
      const guest = await h.open(`${origin}/?room=${ROOM}#token=${inv}`);
      const urls = watchUrls(guest.page);
      await answerName(guest, 'Sam');
      // The address bar no longer carries the invite (read once, then replaced), the room stays.
      assert.equal(guest.page.url(), `${origin}/?room=${ROOM}`);
      await connected(guest);
      const me = await pageIdentity(guest.page);
      assert.equal(me.name, 'Sam');
      assert.equal(me.invite, false, 'a personal token, not the invite');
      assert.notEqual(me.id, idOf(inv), "an identity of its own, not the invite's");
      await guest.page.waitForSelector('[data-testid="bandmate"][data-name="Sam"]');
      // The server knows the guest by that id: the jam channel's welcome names it.
      await guest.page.click('[data-testid="tab-jam"]');
      await guest.page.waitForSelector(`[data-testid="jam-peer"][data-you="yes"][data-id="${me.id}"]`, { timeout: 15_000 });

      await guest.page.reload();
      await connected(guest);
      assert.equal(await guest.page.locator('[data-testid="name-prompt"]').count(), 0, 'not asked again');
      const again = await pageIdentity(guest.page);
      assert.equal(again.id, me.id, 'the same identity after a reload');
      assert.equal(again.name, 'Sam');
      assert.equal(guest.page.url(), `${origin}/?room=${ROOM}`);

      const leaked = urls.filter((u) => u.includes(inv) || u.includes('token='));
      assert.deepEqual(leaked, [], 'no token in any websocket or request URL');
      assert.ok(
        urls.some((u) => u.startsWith('ws://') && u.endsWith(`/${ROOM}`)),
        urls.join('\n'),
      );
      assert.deepEqual(guest.errors, []);
      await h.screenshot(guest.page, 'invite-joined');
      await guest.context.close();
    });

    test('two guests from one invite are two people: both listed, with different ids', async () => {
      const inv = invite(ROOM);
      const a = await h.open(`${origin}/?room=${ROOM}#token=${inv}`);
      const b = await h.open(`${origin}/?room=${ROOM}#token=${inv}`);
      // The same name on purpose: the server tells them apart by id, not by name.
      await answerName(a, 'Kim');
      await answerName(b, 'Kim');
      await connected(a);
      await connected(b);
      const [ida, idb] = [(await pageIdentity(a.page)).id, (await pageIdentity(b.page)).id];
      assert.notEqual(ida, idb);
      for (const mate of [a, b]) {
        await mate.page.click('[data-testid="tab-jam"]');
        await until(
          mate.page,
          'both Kims in the jam panel',
          (ids: string[]) =>
            ids.every((id) => document.querySelector<HTMLElement>(`[data-testid="jam-peer"][data-name="Kim"][data-id="${id}"]`)),
          [ida, idb],
        );
        await until(
          mate.page,
          'both Kims in presence',
          () => document.querySelectorAll<HTMLElement>('[data-testid="bandmate"][data-name="Kim"]').length === 2,
        );
      }
      assert.deepEqual([...a.errors, ...b.errors], []);
      await a.context.close();
      await b.context.close();
    });

    test('a join that fails says why in words: no network, too many joins; then it goes through', async () => {
      const inv = invite(ROOM);
      const guest = await h.open(`${origin}/?room=${ROOM}#token=${inv}`);
      await guest.page.route('**/api/rooms/*/join', (route) => route.abort('connectionrefused'));
      await answerName(guest, 'Lee');
      await until(guest.page, 'the network failure explained', () =>
        /^Cannot reach the sync server at .+ Check your network connection/.test(
          document.querySelector<HTMLElement>('[data-testid="join-error"]')?.textContent ?? '',
        ),
      );
      await guest.page.unroute('**/api/rooms/*/join');
      await guest.page.route('**/api/rooms/*/join', (route) =>
        route.fulfill({
          status: 429,
          headers: { 'retry-after': '3', 'content-type': 'application/json' },
          body: JSON.stringify({ error: 'too many requests' }),
        }),
      );
      await guest.page.click('[data-testid="name-join"]');
      await until(guest.page, 'the rate limit explained', () =>
        /Too many people joined from here just now.*Wait 3 s, then try again\./.test(
          document.querySelector<HTMLElement>('[data-testid="join-error"]')?.textContent ?? '',
        ),
      );
      await guest.page.unroute('**/api/rooms/*/join');
      await guest.page.click('[data-testid="name-join"]');
      await connected(guest);
      assert.equal((await pageIdentity(guest.page)).name, 'Lee');
      await guest.context.close();
    });

    test('an invite that has expired is explained before anything is asked', async () => {
      const guest = await h.open(`${origin}/?room=${ROOM}#token=${invite(ROOM, -60)}`);
      await guest.page.waitForSelector('[data-testid="join-problem"]', { timeout: 15_000 });
      assert.match(
        (await guest.page.locator('[data-testid="join-problem"]').textContent()) ?? '',
        /This invite expired on .+ Ask the host for a new one\./,
      );
      await guest.context.close();
    });

    test('a token that cannot be renewed runs out: the page says why, in the banner and the jam panel, and stops', async () => {
      // An invite ending soon: the guest's own token ends with it and cannot be renewed.
      const guest = await h.open(`${origin}/?room=${ROOM}#token=${invite(ROOM, 15)}`);
      await answerName(guest, 'Max');
      await connected(guest);
      await guest.page.click('[data-testid="tab-jam"]');
      await until(
        guest.page,
        'the connection banner says the invite expired',
        () =>
          /^Your invite expired at \d{1,2}:\d\d( [AP]M)?\. Ask the host for a new link\.$/.test(
            document.querySelector<HTMLElement>('[data-testid="connection-problem"]')?.textContent ?? '',
          ),
        undefined,
        40_000,
      );
      assert.equal(await guest.page.locator('[data-testid="connection"]').getAttribute('data-status'), 'offline');
      assert.match((await guest.page.locator('[data-testid="connection-banner"]').textContent()) ?? '', /^Not connected\./);
      await until(guest.page, 'the jam panel says so too', () =>
        /^Your invite expired at /.test(document.querySelector<HTMLElement>('[data-testid="jam-message"]')?.textContent ?? ''),
      );
      await h.screenshot(guest.page, 'invite-expired');
      assert.deepEqual(guest.errors, []);
      await guest.context.close();
    });
  });
}
