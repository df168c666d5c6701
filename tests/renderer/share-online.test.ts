/**
 * "Share online…" and "Keep a local copy" in a browser page (Chromium, the built app), between
 * two real server processes: the band's server (A, serving the page; the room has history by
 * two bandmates) and a hosted server (B, its own secret; a creator token from its CLI).
 * - A bad creator token is refused in words; with the right one the room's whole log goes to B
 *   and the page continues there as the owner (the importer), where the invites dialog mints an
 *   editor and a viewer invite on B, and the history shows the old entries with their authors.
 * - Sharing under a name B has is refused with another name offered.
 * - Keep a local copy downloads a .riffroom that the desktop's project reader opens, with the
 *   same entries and the same hash chain as the band's original; an editor is told only the
 *   owner can.
 * Run twice: the hosted server on SQLite (one node's default) and on PostgreSQL (`--store`, a
 * throwaway cluster; skipped with the reason where PostgreSQL is not installed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { addClip, addTrack, initSong, setTempo } from '../../core/song/edits.ts';
import { inspectProject } from '../../electron/project/project-file.ts';
import { RoomLog } from '../../sync-server/store/room-log.ts';
import { startServerProcess, testToken, type ServerProcess } from '../support/server-process.ts';
import { connectClient, disconnect } from '../support/yjs-clients.ts';
import { getLastSeq, waitForServerState } from '../support/room-api.ts';
import { findPostgresBinaries, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { browserMissing, startRendererHarness, until, type RendererHarness } from './harness.ts';

const CLI = fileURLToPath(new URL('../../sync-server/cli.ts', import.meta.url));
const HOSTED_SECRET = 'hosted-secret-for-share-online-test-0123456789';
const ROOM = 'band-song';
const missing = browserMissing();
const postgres = findPostgresBinaries();
const HOSTED_STORES = [
  { store: 'sqlite', skip: missing ?? false },
  { store: 'postgres', skip: missing ?? ('why' in postgres ? postgres.why : false) },
] as const;

for (const { store, skip } of HOSTED_STORES)
  describe(`share online and keep a local copy (browser page, hosted server on ${store})`, { skip }, () => {
    let harness: RendererHarness;
    let hosted: ServerProcess;
    let database: PostgresCluster | undefined;
    let creator: string;
    let lastSeq: number;

    before(async () => {
      harness = await startRendererHarness();
      const storeArgs: string[] = [];
      if (store === 'postgres') {
        database = await startPostgresCluster();
        storeArgs.push('--store', await database.createDatabase('hosted'));
      }
      hosted = await startServerProcess({ args: ['--web', harness.webDir, ...storeArgs], env: { RIFFROOM_SECRET: HOSTED_SECRET } });
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [CLI, 'token', '--data', hosted.dataDir, '--server-role', 'creator', '--name', 'Alice'],
        {
          env: { ...process.env, RIFFROOM_SECRET: HOSTED_SECRET },
        },
      );
      creator = stdout.trim().split('\n').pop()!.trim();
      // History by two bandmates on the band's server, through stock providers.
      const ann = await connectClient(harness.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'Ann'));
      initSong(ann.doc, { title: 'Shared song' });
      const track = addTrack(ann.doc, { role: 'bass', name: 'Bass' });
      const owner = testToken(ROOM, 'owner', 'Alice');
      await waitForServerState(harness.server, ROOM, owner, ann.doc);
      const ben = await connectClient(harness.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'Ben'));
      addClip(ben.doc, {
        trackId: track,
        startBar: 0,
        lengthBars: 2,
        name: 'Riff',
        notes: [{ pitch: 40, tick: 0, duration: 240, velocity: 90 }],
      });
      setTempo(ben.doc, 97);
      await waitForServerState(harness.server, ROOM, owner, ben.doc);
      lastSeq = await getLastSeq(harness.server, ROOM, owner);
      disconnect(ann);
      disconnect(ben);
    });
    after(async () => {
      await hosted?.kill();
      await database?.stop();
      await harness?.close();
    });

    test('shares the room to the hosted server; the page continues there with invites and the old history', async () => {
      const alice = await harness.join(ROOM, 'Alice', { role: 'owner' });
      const { page } = alice;
      await page.click('[data-testid="share-online"]');
      await page.fill('[data-testid="share-server"]', 'http://jam.example.org');
      await page.waitForSelector('[data-testid="share-server-problem"]:has-text("Use https://")');
      await page.fill('[data-testid="share-server"]', hosted.url);
      await until(page, 'the token note', () =>
        document.querySelector<HTMLElement>('[data-testid="share-token-note"]')?.textContent?.includes('only until it is closed'),
      );
      await page.fill('[data-testid="share-token"]', 'not-a-token');
      await page.click('[data-testid="share-submit"]');
      await page.waitForSelector('[data-testid="share-error"]:has-text("did not accept the token")');

      await page.fill('[data-testid="share-token"]', creator);
      await page.click('[data-testid="share-submit"]');
      await page.waitForURL((url) => url.href.startsWith(hosted.url), { timeout: 15_000 });
      await page.waitForSelector('[data-testid="app"]');
      const editorLink = await page.locator('[data-testid="invite-editor-link"]').inputValue({ timeout: 15_000 });
      assert.ok(editorLink.startsWith(`${hosted.url}/?room=${ROOM}#token=`), editorLink);
      assert.ok((await page.locator('[data-testid="invite-viewer-link"]').inputValue()).startsWith(`${hosted.url}/?room=${ROOM}#token=`));
      assert.ok(!page.url().includes('token='), `no token left in the address: ${page.url()}`);
      assert.ok(!page.url().includes('shared='), page.url());
      await page.click('[data-testid="invites-close"]');

      await page.click('[data-testid="tab-history"]');
      await until(page, 'the old entries with their authors', () => {
        const authors = new Set(
          [...document.querySelectorAll<HTMLElement>('[data-testid="history-panel"] [data-author], [data-author]')].map((e) =>
            e.getAttribute('data-author'),
          ),
        );
        return authors.has('Ann') && authors.has('Ben');
      });
      await harness.screenshot(page, 'share-online-hosted');

      // The name is taken on B now: another is offered.
      await page.click('[data-testid="share-online"]');
      await page.fill('[data-testid="share-server"]', hosted.url);
      await page.fill('[data-testid="share-token"]', creator);
      await page.click('[data-testid="share-submit"]');
      await page.waitForSelector(`[data-testid="share-error"]:has-text('already has a room named "${ROOM}"')`);
      await page.click('[data-testid="share-use-suggestion"]');
      assert.equal(await page.locator('[data-testid="share-room"]').inputValue(), `${ROOM}-2`);
      await page.click('[data-testid="share-dialog"] button:has-text("Cancel")');

      // Keep a local copy of the hosted room: it opens as a project with the same chain.
      const download = page.waitForEvent('download', { timeout: 60_000 });
      await page.click('[data-testid="keep-copy"]');
      const file = join(mkdtempSync(join(tmpdir(), 'riffroom-kept-')), `${ROOM}.riffroom`);
      const got = await download;
      assert.equal(got.suggestedFilename(), `${ROOM}.riffroom`);
      await got.saveAs(file);
      const info = inspectProject(file, { writable: true, verifyHistory: true });
      assert.equal(info.lastSeq, lastSeq);
      const kept = new RoomLog(file, { create: false, readOnly: true });
      const original = new RoomLog(join(harness.server.dataDir, 'rooms', `${ROOM}.riffroom`), { create: false, readOnly: true });
      try {
        assert.deepEqual(
          kept.history(0, 100).map((e) => [e.seq, e.author, e.label, e.time]),
          original.history(0, 100).map((e) => [e.seq, e.author, e.label, e.time]),
        );
        assert.deepEqual(new Set(kept.history(0, 100).map((e) => e.author)), new Set(['Ann', 'Ben']));
        assert.deepEqual(Buffer.from(kept.lastEntryHash), Buffer.from(original.lastEntryHash));
      } finally {
        kept.close();
        original.close();
      }
      assert.deepEqual(alice.errors, []);
    });

    test('an editor is told that only the owner can keep a copy or share', async () => {
      const ben = await harness.join(ROOM, 'Ben', { role: 'editor' });
      await ben.page.click('[data-testid="keep-copy"]');
      await ben.page.waitForSelector("text=Only the room's owner can keep a local copy of this room");
      await ben.page.click('[data-testid="share-online"]');
      await ben.page.waitForSelector('[data-testid="share-error"]:has-text("Only the room\'s owner can share this room online")');
    });
  });
