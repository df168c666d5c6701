/**
 * The desktop app end to end, through Playwright's Electron driver: launch with a fresh project,
 * the window shows the song, the AI bandmate writes a riff (generator panel → inference utility
 * process over its MessagePort), then the project is saved under a new name and reopened, with
 * its history. Runs wherever the Electron binary is installed (`npm start` downloads it once);
 * skips with the reason where it is not (this repository's CI: the npm registry only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findElectronBinary } from '../../electron/binary.ts';

const HAS_CLIPS = "/[1-9]\\d* clips/.test(document.querySelector('.status-line')?.textContent ?? '')";
const binary = findElectronBinary();
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skip = !binary.ok
  ? `no Electron binary here: ${binary.reason}`
  : !display
    ? 'no display (DISPLAY is unset; run under xvfb-run)'
    : false;

test('launch, see the song, generate a riff, save as and reopen with the history', { skip, timeout: 240_000 }, async () => {
  if (!binary.ok) return;
  const { _electron } = await import('playwright-core');
  const { buildRenderer } = await import('../../renderer/build.ts');
  const { buildElectron } = await import('../../electron/build.ts');
  await buildRenderer();
  await buildElectron();
  const home = mkdtempSync(join(tmpdir(), 'riffroom-electron-'));
  const first = join(home, 'First.riffroom');
  const second = join(home, 'Second.riffroom');
  const root = new URL('../../', import.meta.url).pathname;
  const { createProject } = await import('../../electron/project/project-file.ts');
  createProject(first);
  const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root, first];
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config') } as Record<string, string>;
  try {
    let app = await _electron.launch({ executablePath: binary.path, args, env });
    let page = await app.firstWindow();
    await page.getByTestId('app').waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate('typeof window.riffroom'), 'object', 'the bridge is there');
    assert.equal(await page.evaluate('typeof require'), 'undefined', 'no Node in the page');
    assert.equal(await page.evaluate('crossOriginIsolated'), true, 'COOP/COEP: cross-origin isolated');

    // The AI bandmate writes a riff, and it is kept into the song.
    await page.getByRole('tab', { name: /generate/i }).click();
    await page
      .getByRole('button', { name: /^generate$/i })
      .first()
      .click();
    await page.getByRole('button', { name: /keep/i }).first().click({ timeout: 120_000 });
    await page.waitForFunction(HAS_CLIPS);

    // Save As through the menu's handler, answered by a stubbed dialog.
    await app.evaluate(({ dialog }, path) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: path })) as typeof dialog.showSaveDialog;
    }, second);
    await app.evaluate(({ Menu }) => Menu.getApplicationMenu()!.getMenuItemById('save-project-as')!.click());
    await page.waitForURL(/room=Second/, { timeout: 30_000 });
    await app.close();

    // Reopen the saved copy: the riff and the history are there.
    app = await _electron.launch({ executablePath: binary.path, args: [...args.slice(0, -1), second], env });
    page = await app.firstWindow();
    await page.getByTestId('app').waitFor({ timeout: 60_000 });
    await page.waitForFunction(HAS_CLIPS);
    await page.getByRole('tab', { name: /history/i }).click();
    await page
      .getByText(/generated|kept/i)
      .first()
      .waitFor({ timeout: 30_000 });
    await app.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
