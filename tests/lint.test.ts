/**
 * The linter and the formatter, run as part of the suite (biome.jsonc says which rules and why):
 * `biome ci` checks every tracked TS/TSX/JS file, lint and format, and changes nothing. A failure
 * lists what it found; `node_modules/.bin/biome check --write .` applies the formatter and the
 * safe fixes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIOME = `${ROOT}node_modules/.bin/biome`;

test('biome ci: no lint diagnostic (warnings included) and every file formatted', { timeout: 120_000 }, () => {
  assert.ok(existsSync(BIOME), `${BIOME} is missing: npm ci installs it (devDependency @biomejs/biome)`);
  const run = spawnSync(BIOME, ['ci', '--colors=off', '--error-on-warnings', '--max-diagnostics=40', '.'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, `biome ci failed:\n${(run.stdout + run.stderr).slice(-12_000)}`);
});

test('the check can fail: biome ci refuses a file with a lint error or odd formatting, passes a clean one', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-lint-'));
  try {
    const probe = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return spawnSync(BIOME, ['ci', '--colors=off', join(dir, name)], { cwd: ROOT, encoding: 'utf8' });
    };
    assert.equal(probe('clean.ts', 'const x = 1;\nexport { x };\n').status, 0, 'a clean file passes');
    assert.notEqual(probe('debugger.ts', 'const x = 1;\nif (x === 2) debugger;\nexport { x };\n').status, 0, '`debugger` is refused');
    assert.notEqual(probe('spacing.ts', 'const   x = 1\nexport { x }\n').status, 0, 'unformatted code is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
