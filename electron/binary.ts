/**
 * Where the Electron binary is, without requiring the `electron` package (requiring it downloads
 * the binary when it is missing). `npm ci` installs the package without the binary wherever
 * install scripts are off or the download is skipped (ELECTRON_SKIP_BINARY_DOWNLOAD, as
 * scripts/setup.sh sets it); electron/launch.ts fetches it on first start where it can.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ELECTRON_PACKAGE = new URL('../node_modules/electron/', import.meta.url).pathname;

export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string };

export function findElectronBinary(packageDir: string = ELECTRON_PACKAGE): ElectronBinary {
  if (!existsSync(join(packageDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed (npm ci)' };
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      ok: false,
      reason: 'the Electron binary is not downloaded (node_modules/electron/path.txt is missing; `npx install-electron --no` fetches it)',
    };
  }
  const relative = readFileSync(pathFile, 'utf8').trim();
  const path = override ? join(override, relative) : join(packageDir, 'dist', relative);
  if (!existsSync(path)) return { ok: false, reason: `the Electron binary ${path} is missing` };
  return { ok: true, path };
}
