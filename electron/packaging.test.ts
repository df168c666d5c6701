/**
 * Checks electron-builder.yml against what the app needs at run time, so that dropping a line
 * (the onnxruntime unpack, a model file, a platform's binary filter, the file association) fails
 * here instead of in a user's installed app. No YAML library is installed, so a tiny parser for
 * the block-style subset the file uses reads it (and refuses anything else).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_EXTENSION } from './project/project-file.ts';
import { SHIPPED_MODEL_ID } from '../inference/node/shipped-model.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

/** Parses block maps, block lists ("- x", "- key: v" items) and plain or quoted scalars. */
export function parseYamlSubset(text: string): Yaml {
  const lines: { indent: number; text: string; n: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const body = stripComment(raw).replace(/\s+$/, '');
    if (body.trim() === '') return;
    if (raw.includes('\t')) throw new Error(`line ${i + 1}: tabs are not allowed`);
    lines.push({ indent: body.length - body.trimStart().length, text: body.trim(), n: i + 1 });
  });
  let at = 0;
  const block = (indent: number): Yaml => {
    const first = lines[at];
    if (!first || first.indent !== indent) throw new Error(`line ${first?.n}: expected indentation ${indent}`);
    if (first.text.startsWith('- ') || first.text === '-') {
      const list: Yaml[] = [];
      while (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith('-')) {
        const line = lines[at]!;
        const rest = line.text.slice(1).trimStart();
        if (/^[^"'][^:]*:(\s|$)/.test(rest)) {
          // "- key: value" opens a map whose other keys sit at the same column as `key`.
          lines[at] = { indent: indent + (line.text.length - rest.length), text: rest, n: line.n };
          list.push(block(lines[at]!.indent));
        } else {
          at++;
          list.push(scalar(rest, line.n));
        }
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    while (at < lines.length && lines[at]!.indent === indent) {
      const line = lines[at]!;
      const m = /^([A-Za-z0-9_$.-]+):(?:\s+(.*))?$/.exec(line.text);
      if (!m) throw new Error(`line ${line.n}: not a "key: value" line: ${line.text}`);
      at++;
      if (m[2] !== undefined) map[m[1]!] = scalar(m[2], line.n);
      else if (at < lines.length && lines[at]!.indent > indent) map[m[1]!] = block(lines[at]!.indent);
      else map[m[1]!] = null;
    }
    return map;
  };
  const doc = block(0);
  if (at !== lines.length) throw new Error(`line ${lines[at]!.n}: unexpected indentation`);
  return doc;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function scalar(text: string, n: number): Yaml {
  if (/^".*"$/.test(text)) return JSON.parse(text) as string;
  if (/^'.*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^[[{]/.test(text)) throw new Error(`line ${n}: flow collections are not supported by this check; use block style`);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

const config = parseYamlSubset(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** electron-builder's reading of a `files` list: included by a positive pattern and not excluded by a later "!" one. */
function included(path: string, patterns: string[]): boolean {
  let result = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchesGlob(path, p.slice(1))) result = false;
    } else if (matchesGlob(path, p)) {
      result = true;
    }
  }
  return result;
}

const matchesAny = (path: string, patterns: string[]) => patterns.some((p) => matchesGlob(path, p));

test('the tiny YAML reader reads what electron-builder would', () => {
  assert.deepEqual(parseYamlSubset('a: 1\nb:\n  - x\n  - "!y" # c\n  - k: v\n    w: true\nc:\n  d: e # f\n'), {
    a: 1,
    b: ['x', '!y', { k: 'v', w: true }],
    c: { d: 'e' },
  });
  assert.throws(() => parseYamlSubset('a: [x, y]\n'), /flow collections/);
  assert.throws(() => parseYamlSubset('a:\n  b: 1\n c: 2\n'), /indentation/);
});

test('app identity, targets and the bundled main entry', () => {
  assert.equal(config.appId, 'app.riffroom.desktop');
  assert.equal(config.productName, 'Riffroom');
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.mac.target, ['dmg']);
  assert.deepEqual(config.win.target, ['nsis']);
  const main = config.extraMetadata?.main ?? pkg.main;
  assert.equal(main, 'electron/dist/main.mjs', 'the app starts from the bundled main process (electron/build.ts)');
  if (pkg.main) assert.equal(pkg.main, main, 'package.json and the packaged app agree on the entry');
  for (const bundle of [main, 'electron/dist/preload.cjs', 'electron/dist/session-host.mjs', 'electron/dist/inference-host.mjs']) {
    assert.ok(included(bundle, config.files), `${bundle} is packaged`);
  }
  assert.ok(included('renderer/dist/index.html', config.files), 'the built renderer is packaged');
  assert.ok(included('renderer/dist/riffroom-bank.sf3', config.files), 'the sound bank is packaged');
  assert.ok(included('renderer/dist/about.json', config.files), "the About box's model card and data licences are packaged");
  assert.ok(included('THIRD_PARTY_LICENSES.md', config.files), 'the third-party licences are packaged');
  assert.ok(!included('electron/project/project-file.test.ts', config.files), 'tests are not packaged');
  assert.ok(!included('models/training/prepare.ts', config.files), 'the training pipeline is not packaged');
});

test('icons: build/icon.png is a real PNG of at least 512x512 and every platform uses it', () => {
  const png = readFileSync(join(ROOT, 'build/icon.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  assert.ok(png.readUInt32BE(16) >= 512 && png.readUInt32BE(20) >= 512);
  assert.equal(config.directories.buildResources, 'build');
  for (const platform of ['linux', 'mac', 'win']) assert.equal(config[platform].icon, 'build/icon.png', platform);
});

test('.riffroom project files are associated with the app', () => {
  const association = (config.fileAssociations as Record<string, string>[]).find((a) => a.ext === PROJECT_EXTENSION.slice(1));
  assert.ok(association, 'a fileAssociations entry for .riffroom');
  assert.equal(association.role, 'Editor');
  assert.ok(association.name);
});

test('every onnxruntime-node binary is unpacked from the asar (libonnxruntime.so.1 included)', () => {
  const binaries = filesUnder('node_modules/onnxruntime-node/bin');
  assert.ok(
    binaries.some((f) => f.endsWith('/libonnxruntime.so.1')),
    'the installed package has libonnxruntime.so.1',
  );
  const unpack = config.asarUnpack as string[];
  for (const file of binaries) assert.ok(matchesAny(file, unpack), `${file} is unpacked`);
  // Why the whole folder: the pattern people reach for misses the versioned library.
  assert.equal(matchesGlob('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', '**/*.so'), false);
  for (const file of binaries)
    assert.ok(included(file, [...config.files, 'node_modules/**']), `${file} is not excluded for every platform`);
});

test('the shipped model is packaged whole and unpacked', () => {
  const card = JSON.parse(readFileSync(join(ROOT, 'models', SHIPPED_MODEL_ID, 'model.json'), 'utf8'));
  const needed = new Set(['model.json', card.weights.file, card.vocabulary.file, ...readdirSync(join(ROOT, 'models', SHIPPED_MODEL_ID))]);
  for (const name of needed) {
    const path = `models/${SHIPPED_MODEL_ID}/${name}`;
    assert.ok(existsSync(join(ROOT, path)), `${path} exists`);
    assert.ok(included(path, config.files), `${path} is packaged`);
    assert.ok(matchesAny(path, config.asarUnpack), `${path} is unpacked`);
  }
});

test('each platform ships only its own onnxruntime binaries', () => {
  const binaries = filesUnder('node_modules/onnxruntime-node/bin');
  const own = { linux: 'linux', mac: 'darwin', win: 'win32' } as const;
  for (const [platform, os] of Object.entries(own)) {
    const patterns = [...config.files, 'node_modules/**', ...(config[platform].files ?? [])];
    for (const file of binaries) {
      const osDir = /\/napi-v\d+\/([^/]+)\//.exec(file)?.[1];
      assert.equal(included(file, patterns), osDir === os, `${platform}: ${file} ${osDir === os ? 'included' : 'excluded'}`);
    }
  }
});

test('native modules: SQLite is node:sqlite (nothing to rebuild), and rebuilding for Electron stays on', () => {
  assert.notEqual(config.npmRebuild, false);
  const deps = { ...pkg.dependencies };
  for (const addon of ['better-sqlite3', 'sqlite3'])
    assert.ok(!(addon in deps), `${addon} would need an Electron rebuild; the server uses node:sqlite`);
  const roomLog = readFileSync(join(ROOT, 'sync-server/store/room-log.ts'), 'utf8');
  assert.match(roomLog, /from 'node:sqlite'/);
  assert.ok('onnxruntime-node' in deps, 'onnxruntime-node is a production dependency, so electron-builder packages it');
});
