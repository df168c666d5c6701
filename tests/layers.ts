/**
 * The layers of ../shared/DESIGN.md ("may import"), as the one table the code is checked against
 * (tests/layers.test.ts reads every import of the tree and fails on an edge it forbids), in the
 * way VS Code checks its layers. Relative imports, `export … from`, dynamic `import('…')` and
 * worker entries (`new URL('./x.ts', import.meta.url)`) are edges; type-only imports count too (a
 * type names the module it lives in, and moving it later breaks the promise all the same).
 *
 * Beyond DESIGN.md's table, made explicit here:
 * - Every runtime boundary has one contract file both sides import (DESIGN.md): the renderer may
 *   import the sync server's (`sync-server/contract.ts`) and its HTTP clients
 *   (`sync-server/client/`), the desktop's IPC contract (`electron/contract.ts`), and the AI
 *   bandmate's client and contract (`inference/client.ts`, `inference/contract.ts`, which re-exports
 *   the request and note types the UI needs) besides the web host (`inference/web/`).
 * - Build tools are Node scripts that make the web client and the app, not part of either:
 *   `renderer/build.ts`, the `node/` folders under `renderer/`, `electron/build.ts` and
 *   `electron/launch.ts` may import what they build from.
 * - `models/` holds the training pipeline beside the shipped models: it uses the tokenizer and the
 *   engine (`inference/`) and `core/`.
 * - Tests (`tests/`, every `*.test.ts`), benchmarks (`bench/`) and `scripts/` may import anything.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** What a file may import: project paths (a folder ends with '/') and, for core/, no Node or Electron. */
interface Layer {
  name: string;
  /** Which files are in it (first match wins: the order of LAYERS matters). */
  holds: (file: string) => boolean;
  /** Project paths it may import (prefixes; a file path must match exactly). */
  mayImport: readonly string[] | 'anything';
  /** Packages it must not import (core/ stays pure). */
  forbiddenPackages?: (spec: string) => boolean;
}

const NODE_BUILTIN = /^(node:|fs$|path$|os$|child_process$|worker_threads$|crypto$|url$|http$|https$|net$|stream$|zlib$|util$|events$)/;

export const LAYERS: readonly Layer[] = [
  { name: 'tests', holds: (f) => f.startsWith('tests/') || f.endsWith('.test.ts') || f.endsWith('.test.tsx'), mayImport: 'anything' },
  { name: 'tools', holds: (f) => f.startsWith('bench/') || f.startsWith('scripts/'), mayImport: 'anything' },
  {
    name: 'build tools',
    holds: (f) =>
      f === 'renderer/build.ts' || /^renderer\/(.+\/)?node\//.test(f) || f === 'electron/build.ts' || f === 'electron/launch.ts',
    mayImport: ['core/', 'renderer/', 'inference/', 'electron/', 'sync-server/', 'models/'],
  },
  {
    name: 'core',
    holds: (f) => f.startsWith('core/'),
    mayImport: ['core/'],
    forbiddenPackages: (spec) => NODE_BUILTIN.test(spec) || spec === 'electron' || spec === 'react' || spec.startsWith('react-dom'),
  },
  { name: 'inference', holds: (f) => f.startsWith('inference/'), mayImport: ['core/', 'inference/'] },
  { name: 'sync-server', holds: (f) => f.startsWith('sync-server/'), mayImport: ['core/', 'sync-server/'] },
  {
    name: 'renderer',
    holds: (f) => f.startsWith('renderer/'),
    mayImport: [
      'core/',
      'renderer/',
      'inference/web/',
      'inference/client.ts',
      'inference/contract.ts',
      'sync-server/contract.ts',
      'sync-server/client/',
      'electron/contract.ts',
    ],
  },
  {
    name: 'electron',
    holds: (f) => f.startsWith('electron/'),
    mayImport: ['core/', 'electron/', 'sync-server/', 'inference/node/', 'inference/client.ts', 'inference/contract.ts'],
  },
  { name: 'models', holds: (f) => f.startsWith('models/'), mayImport: ['core/', 'inference/', 'models/'] },
];

export const SOURCE_FOLDERS = ['core', 'inference', 'sync-server', 'renderer', 'electron', 'models', 'bench', 'scripts', 'tests'];

export interface Edge {
  from: string;
  /** A project path (resolved) or a package name. */
  to: string;
  kind: 'file' | 'package';
}

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const WORKER_URL = /new URL\(\s*['"](\.{1,2}\/[^'"]+\.m?tsx?)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** The imports of one file's text (comments are not stripped: a commented-out import is rare and harmless to check). */
export function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  for (const pattern of [IMPORT, DYNAMIC, WORKER_URL]) {
    for (const match of text.matchAll(pattern)) {
      const spec = match[1]!;
      if (spec.startsWith('.'))
        edges.push({
          from: file,
          to: normalize(join(dirname(file), spec))
            .split(sep)
            .join('/'),
          kind: 'file',
        });
      else edges.push({ from: file, to: spec, kind: 'package' });
    }
  }
  return edges;
}

export function layerOf(file: string): Layer | null {
  return LAYERS.find((l) => l.holds(file)) ?? null;
}

/** Why an edge is forbidden, or null. */
export function forbidden(edge: Edge): string | null {
  const layer = layerOf(edge.from);
  if (!layer) return `${edge.from} is in no layer (tests/layers.ts)`;
  if (edge.kind === 'package') return layer.forbiddenPackages?.(edge.to) ? `${layer.name} may not import the package ${edge.to}` : null;
  if (layer.mayImport === 'anything') return null;
  if (edge.to.startsWith('node_modules/')) return null;
  const ok = layer.mayImport.some((p) => (p.endsWith('/') ? edge.to.startsWith(p) : edge.to === p));
  return ok ? null : `${layer.name} may import ${layer.mayImport.join(', ')}`;
}

/** Every source file of the project (relative paths), not node_modules or built output. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = `${dir}/${name}`;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (/\.(m?ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const folder of SOURCE_FOLDERS) walk(folder);
  return out.sort();
}

/** The forbidden edges of the tree at `root`. */
export function layerViolations(root: string): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(root)) {
    for (const edge of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      const why = forbidden(edge);
      if (why) out.push(`${edge.from} → ${edge.to}: ${why}`);
    }
  }
  return out;
}

export function relativeTo(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
