/**
 * The export dialog's watermark in real Chromium: with a part the AI bandmate generated in the
 * song, the Watermark box is checked by default and says why; the saved WAV carries the mark
 * (core/watermark's detector finds it and reads its payload, at least 30 dB below the music in
 * every 1/3-octave band second by second; Check a file… names the export) and the notice names
 * its payload; with the box unchecked, the file carries none.
 * The song is 12 bars (about 25 s) so that the detector has enough music to go on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { markBandLevels } from '../../core/watermark/band-levels.ts';
import { detectWatermark } from '../../core/watermark/index.ts';
import { addClip, addTrack, initSong, setTempo, setTitle } from '../../core/song/edits.ts';
import { decodeWav } from '../../renderer/audio/wav.ts';
import { testToken } from '../support/server-process.ts';
import { connectClient, disconnect, type Client } from '../support/yjs-clients.ts';
import { browserMissing, startRendererHarness, type Bandmate, type RendererHarness } from './harness.ts';

const ROOM = 'watermark-night';
const BARS = 12;

async function exportWav(page: Page, watermark: boolean): Promise<{ bytes: Uint8Array; notice: string }> {
  await page.click('[data-testid="file-menu"]');
  await page.click('[data-testid="file-export-wav"]');
  await page.waitForSelector('[data-testid="export-wav-dialog"]');
  await page.check('[data-testid="wav-range-song"]');
  assert.equal(await page.isChecked('[data-testid="export-watermark"]'), true, 'on by default: the AI wrote a part');
  assert.match((await page.textContent('[data-testid="export-watermark-detail"]')) ?? '', /written by the AI bandmate/);
  // Plain words on what the user owns and what the model learned from.
  assert.match((await page.textContent('[data-testid="export-ownership"]')) ?? '', /is yours.*learned from the datasets/s);
  if (!watermark) await page.uncheck('[data-testid="export-watermark"]');
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 180_000 }),
    page.click('[data-testid="wav-render"]').then(async () => {
      await page.waitForSelector('[data-testid="loudness-before"]', { timeout: 180_000 });
      await page.click('[data-testid="export-save"]');
    }),
  ]);
  await page.waitForSelector('[data-testid="export-wav-dialog"]', { state: 'detached', timeout: 10_000 });
  // This export's notice (an earlier one may still be on screen): marked exports name their payload.
  const notice = await page.waitForFunction(
    (marked) =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="notice"]')]
        .map((n) => n.textContent ?? '')
        .find((text) => text.startsWith('Saved Mark Test') && text.includes('watermarked') === marked),
    watermark,
    { timeout: 10_000 },
  );
  return { bytes: new Uint8Array(readFileSync((await file.path())!)), notice: String(await notice.jsonValue()) };
}

const missing = browserMissing();
if (missing) {
  test('the export watermark in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('the export watermark, in Chromium', { timeout: 600_000 }, () => {
    let carol: Client;
    let alice: Bandmate;

    before(async () => {
      carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
      const doc = carol.doc;
      initSong(doc);
      setTitle(doc, 'Mark Test');
      setTempo(doc, 120);
      const drums = addTrack(doc, { role: 'drums', name: 'Drums' });
      const keys = addTrack(doc, { role: 'keys', name: 'Keys' });
      const beat = [0, 480, 960, 1440].flatMap((tick, i) => [
        { pitch: i % 2 ? 38 : 36, tick, duration: 120, velocity: 110 },
        { pitch: 42, tick: tick + 240, duration: 120, velocity: 70 },
      ]);
      addClip(doc, { trackId: drums, startBar: 0, lengthBars: 1, notes: beat });
      for (let bar = 1; bar < BARS; bar++) addClip(doc, { trackId: drums, startBar: bar, lengthBars: 1, notes: beat });
      const chord = [60, 64, 67].map((pitch) => ({ pitch, tick: 0, duration: 1900, velocity: 80 }));
      for (let bar = 0; bar < BARS; bar++) {
        addClip(doc, {
          trackId: keys,
          startBar: bar,
          lengthBars: 1,
          notes: chord.map((n) => ({ ...n, pitch: n.pitch + [0, 5, 7, 3][bar % 4]! })),
          provenance: { source: 'model', detail: { model: 'riffroom-bandmate-v2' } },
        });
      }
      alice = await h.join(ROOM, 'alice');
      await alice.page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 30_000 });
      await alice.page.waitForFunction((n) => document.querySelectorAll('[data-testid="clip"]').length === n, 2 * BARS, {
        timeout: 10_000,
      });
    });

    after(() => {
      if (carol) disconnect(carol);
    });

    test('on by default for a song with AI parts: the WAV carries the mark; unchecked, it does not', async (t) => {
      const marked = await exportWav(alice.page, true);
      assert.match(marked.notice, /watermarked [0-9a-f]{16}/);
      const payload = BigInt(`0x${/watermarked ([0-9a-f]{16})/.exec(marked.notice)![1]}`);
      const plain = await exportWav(alice.page, false);
      assert.doesNotMatch(plain.notice, /watermarked/);

      const a = decodeWav(marked.bytes);
      const b = decodeWav(plain.bytes);
      const found = detectWatermark(a.channels, a.sampleRate);
      t.diagnostic(
        `marked: found ${found.found}, confidence ${found.confidence.toFixed(1)}, payload ${found.payload?.toString(16) ?? 'unread'}`,
      );
      assert.equal(found.found, true);
      assert.equal(found.payload, payload, 'the payload names this export');
      const none = detectWatermark(b.channels, b.sampleRate);
      assert.equal(none.found, false, `unmarked confidence ${none.confidence.toFixed(1)}`);
      // Two renders of the same song differ by a few 16-bit steps: far below the mark.
      const levels = markBandLevels(b.channels[0]!, a.channels[0]!, a.sampleRate);
      t.diagnostic(`mark below the music: min ${levels.minDb.toFixed(1)} dB, median ${levels.medianDb.toFixed(1)} dB`);
      assert.ok(levels.minDb >= 30, `closest band-second ${levels.minDb.toFixed(1)} dB`);

      // File ▸ Check a file… looks for the mark in audio too.
      const checkWatermarkOf = async (name: string, bytes: Uint8Array) => {
        const [chooser] = await Promise.all([
          alice.page.waitForEvent('filechooser'),
          alice.page.click('[data-testid="file-menu"]').then(() => alice.page.click('[data-testid="file-check"]')),
        ]);
        await chooser.setFiles({ name, mimeType: 'audio/wav', buffer: Buffer.from(bytes) });
        const line = await alice.page.waitForSelector('[data-testid="check-file-watermark"]:not([data-status="searching"])', {
          timeout: 60_000,
        });
        const shown = { status: await line.getAttribute('data-status'), text: (await line.textContent()) ?? '' };
        await alice.page.click('[data-testid="check-file-close"]');
        await alice.page.waitForSelector('[data-testid="check-file-dialog"]', { state: 'detached', timeout: 5000 });
        return shown;
      };
      const checkedMarked = await checkWatermarkOf('marked.wav', marked.bytes);
      assert.equal(checkedMarked.status, 'found', checkedMarked.text);
      assert.match(checkedMarked.text, /^The audio carries Riffroom's watermark/);
      assert.match(checkedMarked.text, new RegExp(`naming export ${payload.toString(16).padStart(16, '0')}`));
      const checkedPlain = await checkWatermarkOf('plain.wav', plain.bytes);
      assert.deepEqual(checkedPlain, { status: 'none', text: 'No Riffroom watermark found in the audio.' });
    });
  });
}
