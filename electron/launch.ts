/**
 * `npm start` (scripts/start.sh): builds the renderer and the shell, then opens the desktop app.
 * Where the Electron binary is not downloaded yet it fetches it once (electron's own installer,
 * from GitHub's releases); where that cannot work (offline, no display) it says why and exits
 * with code 3, and scripts/start.sh starts the browser session host instead.
 *
 *   node electron/launch.ts [project.riffroom]
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import process from 'node:process';
import { buildRenderer } from '../renderer/build.ts';
import { ELECTRON_PACKAGE, findElectronBinary } from './binary.ts';
import { buildElectron } from './build.ts';

export const CANNOT_LAUNCH = 3;
const root = new URL('../', import.meta.url).pathname;

function cannot(reason: string): never {
  console.error(`riffroom: cannot open the desktop app: ${reason}`);
  process.exit(CANNOT_LAUNCH);
}

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
  cannot('no display (DISPLAY and WAYLAND_DISPLAY are unset)');

let binary = findElectronBinary();
if (!binary.ok) {
  console.error(`riffroom: ${binary.reason}; downloading it once…`);
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const download = spawnSync(process.execPath, [join(ELECTRON_PACKAGE, 'install.js')], { stdio: 'inherit', env, timeout: 10 * 60_000 });
  binary = findElectronBinary();
  if (download.status !== 0 || !binary.ok)
    cannot(`the Electron download failed (${binary.ok ? `exit ${download.status}` : binary.reason})`);
}

await buildRenderer();
await buildElectron();
const args = [root, ...process.argv.slice(2)];
// Chromium refuses to run as root with its OS sandbox (containers, CI): say so, and run without it.
if (process.getuid?.() === 0) {
  console.error("riffroom: running as root: Chromium's OS sandbox is off (--no-sandbox); run as a normal user for it");
  args.unshift('--no-sandbox');
}
const child = spawn(binary.path, args, { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
