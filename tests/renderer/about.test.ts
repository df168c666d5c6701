/**
 * The About box in real Chromium, from the built client: it shows the shipped model's id and
 * sha256 as its card states them, the datasets it learned from with their licences (the Groove
 * MIDI Dataset's credit among them, CC BY 4.0), the plain words on what the user owns, and a link
 * to the third-party licences that the server serves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SHIPPED_MODEL_ID } from '../../inference/node/shipped-model.ts';
import { browserMissing, startRendererHarness, type RendererHarness, read } from './harness.ts';

const card = JSON.parse(readFileSync(new URL(`../../models/${SHIPPED_MODEL_ID}/model.json`, import.meta.url), 'utf8')) as {
  weights: { sha256: string };
};

const missing = browserMissing();
if (missing) {
  test('the About box in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('the About box, in Chromium', { timeout: 120_000 }, () => {
    test("names the model, its data and their licences, the Groove credit, and what the user owns; the licences' link works", async () => {
      const { page, errors } = await h.join('about-room', 'alice');
      await page.click('[data-testid="open-about"]');
      await page.waitForSelector('[data-testid="about-datasets"] li', { timeout: 15_000 });
      const shown = await read(page, () => ({
        model: document.querySelector('[data-testid="about-model"]')!.textContent!,
        datasets: [...document.querySelectorAll('[data-testid="about-datasets"] li')].map((li) => li.textContent!),
        text: document.querySelector('[data-testid="about-dialog"]')!.textContent!,
        licenses: document.querySelector<HTMLAnchorElement>('[data-testid="about-licenses"]')!.href,
      }));
      assert.match(shown.model, new RegExp(`${SHIPPED_MODEL_ID} · sha256 ${card.weights.sha256}`));
      const groove = shown.datasets.find((d) => d.startsWith('Groove MIDI Dataset'));
      assert.ok(groove, shown.datasets.join(' | '));
      assert.match(groove, /\(CC BY 4\.0\) — Groove MIDI Dataset, Gillick et al\. 2019/);
      assert.ok(
        shown.datasets.some((d) => d.startsWith('POP909 (MIT)')),
        shown.datasets.join(' | '),
      );
      assert.match(shown.text, /What you make in Riffroom is yours/);
      const res = await fetch(shown.licenses);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /MuseScore_General/);
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="about-dialog"]', { state: 'detached', timeout: 5000 });
      assert.deepEqual(errors, []);
    });
  });
}
