/**
 * The desktop app's page features in real Chromium, with a fake preload bridge (`window.riffroom`
 * set before the page loads, so the page picks the Electron platform; the Electron binary cannot
 * run here): a cancelled save dialog says nothing was saved, a clip's drag-out grip hands the
 * clip's MIDI bytes to the bridge (and cancels the page's own drag), the Host a jam dialog (links,
 * copy, LAN address, stop hosting) and the Join a jam dialog (the main process's problem shown
 * inline, Join only for a good link), menu commands opening them. In a plain browser tab: no jam
 * buttons, and the grip makes a Chromium DownloadURL drag of the same MIDI file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMidi } from 'midi-file';
import type { Page } from 'playwright-core';
import type { RendererCommand, RiffroomBridge, SessionInfo } from '../../electron/contract.ts';
import { addClip, addTrack, initSong, setTitle } from '../../core/song/edits.ts';
import { testToken } from '../support/server-process.ts';
import { connectClient, disconnect, type Client } from '../support/yjs-clients.ts';
import { browserMissing, startRendererHarness, type RendererHarness } from './harness.ts';
import type { BridgeCall } from '../page-surface.d.ts';

const ROOM = 'desk-night';
const NOTES = [0, 1, 2, 3].map((i) => ({ pitch: 40 + i, tick: i * 480, duration: 400, velocity: 90 + i }));

/** The fake bridge, installed before the page's scripts run. Calls are recorded on window.bridgeCalls. */
function installFakeBridge(): void {
  const w = globalThis;
  const calls: BridgeCall[] = [];
  w.bridgeCalls = calls;
  const listeners: ((c: RendererCommand) => void)[] = [];
  w.sendMenuCommand = (c) => listeners.forEach((l) => l(c));
  const solo: SessionInfo = {
    mode: 'solo',
    project: { name: 'Desk Song', path: '/home/me/Desk Song.riffroom' },
    invite: null,
    browserLink: null,
    lanAddress: null,
    inviteExpires: null,
  };
  const hosting: SessionInfo = {
    ...solo,
    mode: 'hosting',
    invite: 'http://192.168.1.20:4455/?room=desk&token=inv.ite',
    browserLink: 'http://192.168.1.20:4455/?room=desk&token=inv.ite',
    lanAddress: '192.168.1.20',
    inviteExpires: Math.floor(Date.now() / 1000) + 7 * 86400,
  };
  let info = solo;
  const bridge: RiffroomBridge = {
    version: 1,
    platform: 'linux',
    files: {
      save: async (r) => (
        calls.push({ call: 'save', name: r.name, size: r.bytes.byteLength }),
        { saved: w.saveAnswer === 'saved', name: w.saveAnswer === 'saved' ? 'Chosen.mid' : undefined }
      ),
      open: async () => null,
      dragOut: async (r) => void calls.push({ call: 'dragOut', trackName: r.trackName, clipName: r.clipName, bytes: Array.from(r.bytes) }),
    },
    session: {
      info: async () => info,
      hostJam: async () => (calls.push({ call: 'hostJam' }), (info = hosting)),
      stopHosting: async () => (calls.push({ call: 'stopHosting' }), (info = solo)),
      copyLink: async (r) => void calls.push({ call: 'copyLink', which: r.which }),
      checkJoinLink: async (r) => {
        calls.push({ call: 'checkJoinLink', link: r.link });
        if (r.link.includes('token=good'))
          return { ok: true, room: 'their-song', host: '10.0.0.9:4455', name: 'alice', role: 'editor', expires: 0 };
        return {
          ok: false,
          problem: 'The token in this link is damaged (was the link cut off when it was copied?). Ask the host for a new invite.',
        };
      },
      joinJam: async (r) => void calls.push({ call: 'joinJam', link: r.link }),
    },
    share: {
      tokenInfo: async (r) => (
        calls.push({ call: 'tokenInfo', origin: r.origin }),
        { hasToken: false, note: 'Riffroom keeps the token encrypted with your system’s keychain, for this server only.' }
      ),
      online: async (r) => {
        calls.push({ call: 'shareOnline', ...r });
        if (r.room === 'desk-night')
          return {
            ok: false,
            problem: 'exists',
            message: 'https://jam.example.org already has a room named "desk-night". Choose another name, like "desk-night-2".',
            suggestion: 'desk-night-2',
          };
        return { ok: true };
      },
    },
    inference: { connect() {}, release() {}, onStatus: () => () => {} },
    onCommand: (l) => (listeners.push(l), () => {}),
  };
  w.riffroom = bridge;
}

/** The fake bridge's calls named `call`, in order. */
const calls = <C extends BridgeCall['call']>(page: Page, call: C) =>
  page.evaluate((c) => globalThis.bridgeCalls.filter((x) => x.call === c), call) as Promise<Extract<BridgeCall, { call: C }>[]>;
const notice = (page: Page) => page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? '');

/** Fires dragstart on the clip's grip with a fresh DataTransfer; what the page put in it, and whether it cancelled the drag. */
async function dragOut(page: Page, clipId: string): Promise<{ prevented: boolean; downloadUrl: string; text: string }> {
  await page.hover(`[data-testid="clip"][data-clip-id="${clipId}"]`);
  return page.evaluate((id) => {
    const d = document;
    const grip = d.querySelector<HTMLElement>(`[data-testid="clip"][data-clip-id="${id}"] [data-testid="clip-drag-out"]`);
    const data = new DataTransfer();
    const event = new DragEvent('dragstart', { bubbles: true, cancelable: true, dataTransfer: data });
    grip!.dispatchEvent(event);
    return { prevented: event.defaultPrevented, downloadUrl: data.getData('DownloadURL'), text: data.getData('text/plain') };
  }, clipId);
}

const missing = browserMissing();
if (missing) {
  test('the desktop page features in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  let carol: Client;
  let bassClip = '';
  before(async () => {
    h = await startRendererHarness();
    carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
    initSong(carol.doc);
    setTitle(carol.doc, 'Desk Song');
    const bass = addTrack(carol.doc, { role: 'bass', name: 'Bass/../../x' });
    bassClip = addClip(carol.doc, { trackId: bass, startBar: 0, lengthBars: 2, name: 'Groove', notes: NOTES });
  });
  after(async () => {
    if (carol) disconnect(carol);
    await h?.close();
  });

  describe('in the Electron window (fake bridge)', { timeout: 180_000 }, () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      const context = await h.browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(installFakeBridge);
      page = await context.newPage();
      errors = [];
      page.on('pageerror', (e) => void errors.push(e.message));
      await page.goto(h.link(ROOM, 'dana'));
      await page.waitForSelector('[data-testid="app"]');
      await page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 30_000 });
      await page.waitForSelector(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
    });

    test('Share online goes through the bridge (a taken name offers another); Keep a local copy saves through the save dialog', async () => {
      const context = await h.browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(installFakeBridge);
      const owner = await context.newPage();
      await owner.goto(h.link(ROOM, 'me', 'owner'));
      await owner.waitForSelector('[data-testid="app"]');
      await owner.click('[data-testid="share-online"]');
      await owner.fill('[data-testid="share-server"]', 'jam.example.org');
      await owner.waitForSelector('[data-testid="share-token-note"]:has-text("encrypted with your system")');
      await owner.fill('[data-testid="share-token"]', 'creator-token');
      await owner.click('[data-testid="share-submit"]');
      await owner.waitForSelector('[data-testid="share-error"]:has-text(\'already has a room named "desk-night"\')');
      await owner.click('[data-testid="share-use-suggestion"]');
      await owner.click('[data-testid="share-submit"]');
      await owner.waitForFunction(() => globalThis.bridgeCalls.filter((c) => c.call === 'shareOnline').length === 2);
      const shared = await calls(owner, 'shareOnline');
      assert.deepEqual(
        shared.map((c) => [c.origin, c.room, c.creatorToken]),
        [
          ['https://jam.example.org', 'desk-night', 'creator-token'],
          ['https://jam.example.org', 'desk-night-2', 'creator-token'],
        ],
      );
      assert.equal(
        await owner.evaluate(() => sessionStorage.getItem('riffroom:reopen-invites')),
        '1',
        'the invites dialog reopens after the window moves',
      );
      await owner.reload();
      await owner.waitForSelector('[data-testid="invites-dialog"]');
      await owner.click('[data-testid="invites-close"]');
      await owner.evaluate(() => void (globalThis.saveAnswer = 'saved'));
      await owner.click('[data-testid="keep-copy"]');
      await owner.waitForFunction(() => globalThis.bridgeCalls.some((c) => c.call === 'save'));
      const [save] = await calls(owner, 'save');
      assert.equal(save.name, `${ROOM}.riffroom`);
      assert.ok(save.size > 1000, String(save.size));
      await context.close();
    });

    test('a cancelled save dialog reports nothing saved; a save reports the chosen name', async () => {
      // Every notice the page shows from here on, recorded as the DOM changes (a mutation observer
      // runs after each change, before any later task): a "Saved …" for the cancelled save would
      // be in it before the second save's notice.
      await page.evaluate(() => {
        const g = globalThis;
        g.__notices = [] as string[];
        new MutationObserver(() => {
          const text = document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent;
          if (text && g.__notices.at(-1) !== text) g.__notices.push(text);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.click('[data-testid="file-menu"]');
      await page.click('[data-testid="file-export-song-midi"]');
      await page.waitForFunction(() => globalThis.bridgeCalls.some((c) => c.call === 'save'));
      await page.evaluate(() => void (globalThis.saveAnswer = 'saved'));
      await page.click('[data-testid="file-menu"]');
      await page.click('[data-testid="file-export-song-midi"]');
      await page.waitForFunction(() => globalThis.__notices.includes('Saved Chosen.mid'));
      assert.deepEqual(
        await page.evaluate(() => globalThis.__notices),
        ['Saved Chosen.mid'],
        'cancelled: no "Saved …" before the saved one',
      );
      assert.equal(await notice(page), 'Saved Chosen.mid');
      assert.deepEqual(
        (await calls(page, 'save')).map((c) => c.name),
        ['Desk Song.mid', 'Desk Song.mid'],
      );
    });

    test("dragging a clip out by its grip hands the clip as MIDI to the bridge and cancels the page's drag", async () => {
      const result = await dragOut(page, bassClip);
      assert.equal(result.prevented, true, "the OS drags the file main writes, not the page's drag");
      await page.waitForFunction(() => globalThis.bridgeCalls.some((c) => c.call === 'dragOut'));
      const [call] = await calls(page, 'dragOut');
      assert.equal(call.trackName, 'Bass/../../x', 'names are sent as they are; main makes the file name safe');
      assert.equal(call.clipName, 'Groove');
      const midi = parseMidi(Uint8Array.from(call.bytes));
      const ons = midi.tracks
        .flat()
        .filter((e) => e.type === 'noteOn' && e.velocity > 0)
        .map((e) => e.type === 'noteOn' && e.noteNumber);
      assert.deepEqual(
        ons,
        NOTES.map((n) => n.pitch),
      );
      assert.equal(
        await page.locator(`[data-testid="clip"][data-clip-id="${bassClip}"]`).getAttribute('data-start-bar'),
        '0',
        'the clip did not move',
      );
    });

    test('Host a jam: start, the links with Copy, the LAN address, then stop hosting', async () => {
      await page.click('[data-testid="host-jam"]');
      await page.waitForSelector('[data-testid="host-jam-dialog"]');
      assert.match((await page.textContent('[data-testid="host-jam-dialog"]')) ?? '', /Desk Song/);
      await page.click('[data-testid="host-start"]');
      await page.waitForSelector('[data-testid="host-invite-link"]');
      assert.equal(await page.inputValue('[data-testid="host-invite-link"]'), 'http://192.168.1.20:4455/?room=desk&token=inv.ite');
      assert.equal(await page.inputValue('[data-testid="host-browser-link"]'), 'http://192.168.1.20:4455/?room=desk&token=inv.ite');
      assert.match((await page.textContent('[data-testid="host-reach"]')) ?? '', /192\.168\.1\.20/);
      assert.match((await page.textContent('[data-testid="host-expires"]')) ?? '', /in 7 days/);
      assert.equal(
        await page.evaluate(() => sessionStorage.getItem('riffroom:reopen-host-dialog')),
        '1',
        'reopens after the window reloads',
      );
      await page.click('[data-testid="host-invite-copy"]');
      await page.click('[data-testid="host-browser-copy"]');
      assert.deepEqual(
        (await calls(page, 'copyLink')).map((c) => c.which),
        ['invite', 'browser'],
      );
      assert.equal(await page.textContent('[data-testid="host-invite-copy"]'), 'Copied');
      await page.click('[data-testid="host-close"]');
      assert.equal(await page.textContent('[data-testid="host-jam"]'), '● Hosting');
      await page.click('[data-testid="host-jam"]');
      await page.click('[data-testid="host-stop"]');
      await page.waitForSelector('[data-testid="host-jam-dialog"]', { state: 'detached' });
      assert.equal(await page.textContent('[data-testid="host-jam"]'), 'Host a jam');
      assert.equal((await calls(page, 'stopHosting')).length, 1);
    });

    test("Join a jam (from the menu): a bad link's problem inline, Join only for a good one", async () => {
      await page.evaluate(() => globalThis.sendMenuCommand('join-jam'));
      await page.waitForSelector('[data-testid="join-jam-dialog"]');
      assert.equal(await page.isDisabled('[data-testid="join-submit"]'), true);
      await page.fill('[data-testid="join-link"]', 'http://10.0.0.9:4455/?room=their-song&token=broken');
      await page.waitForSelector('[data-testid="join-error"]');
      assert.match((await page.textContent('[data-testid="join-error"]')) ?? '', /token in this link is damaged/);
      assert.equal(await page.isDisabled('[data-testid="join-submit"]'), true);
      await page.fill('[data-testid="join-link"]', 'http://10.0.0.9:4455/?room=their-song&token=good');
      await page.waitForSelector('[data-testid="join-preview"]');
      assert.equal(await page.textContent('[data-testid="join-preview"]'), 'Room "their-song" on 10.0.0.9:4455, as alice (editor).');
      assert.equal(await page.locator('[data-testid="join-error"]').count(), 0);
      await page.click('[data-testid="join-submit"]');
      await page.waitForFunction(() => globalThis.bridgeCalls.some((c) => c.call === 'joinJam'));
      assert.deepEqual(
        (await calls(page, 'joinJam')).map((c) => c.link),
        ['http://10.0.0.9:4455/?room=their-song&token=good'],
      );
      assert.deepEqual(errors, []);
    });
  });

  describe('in a browser tab', { timeout: 120_000 }, () => {
    test('no jam buttons; the grip drags the clip out as a DownloadURL of the same MIDI file', async () => {
      const erin = await h.join(ROOM, 'erin');
      const page = erin.page;
      await page.waitForSelector(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
      assert.equal(await page.locator('[data-testid="host-jam"]').count(), 0);
      assert.equal(await page.locator('[data-testid="join-jam"]').count(), 0);
      const result = await dragOut(page, bassClip);
      assert.equal(result.prevented, false);
      const match = /^audio\/midi:(.+\.mid):(blob:.+)$/.exec(result.downloadUrl);
      assert.ok(match, result.downloadUrl);
      assert.equal(match[1], 'Bass x - Groove.mid', 'no path syntax in the name');
      assert.equal(result.text, 'Bass x - Groove.mid');
      const bytes = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), match[2]!);
      const ons = parseMidi(Uint8Array.from(bytes))
        .tracks.flat()
        .filter((e) => e.type === 'noteOn' && e.velocity > 0);
      assert.equal(ons.length, NOTES.length);
      assert.deepEqual(erin.errors, []);
    });
  });
}
