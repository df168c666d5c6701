import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../../core/random.ts';
import { listZipEntries, readZip, readZipEntry, ZipFormatError } from './zip.ts';
import { makeZip } from './zip-fixture.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sample = path.resolve(repoRoot, '../shared/datasets/openewld/dataset/[Traditional]/Red_River_Valley/Red_River_Valley.mxl');
const skipSample = fs.existsSync(sample) ? false : `OpenEWLD sample ${sample} is missing`;

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Runs `read` and requires that it either succeeds or throws a ZipFormatError, nothing else. */
function readsOrRefuses(read: () => unknown): 'read' | 'refused' {
  try {
    read();
    return 'read';
  } catch (error) {
    assert.ok(error instanceof ZipFormatError, `expected a ZipFormatError, got ${(error as Error)?.stack}`);
    return 'refused';
  }
}

test('stored and deflated entries round-trip; directories are skipped; a comment is allowed', () => {
  const text = 'Lead sheet '.repeat(200);
  const zip = makeZip(
    [
      { name: 'META-INF/', data: '', method: 'store' },
      { name: 'stored.txt', data: 'plain', method: 'store' },
      { name: 'deflated.xml', data: text },
      { name: 'empty.txt', data: '' },
      { name: 'Für Elise.xml', data: 'ü' },
    ],
    'a comment',
  );
  const files = readZip(zip);
  assert.deepEqual([...files.keys()], ['stored.txt', 'deflated.xml', 'empty.txt', 'Für Elise.xml']);
  assert.equal(decode(files.get('stored.txt')!), 'plain');
  assert.equal(decode(files.get('deflated.xml')!), text);
  assert.equal(files.get('empty.txt')!.byteLength, 0);
  assert.equal(decode(files.get('Für Elise.xml')!), 'ü');
  const entries = listZipEntries(zip);
  assert.equal(entries.find((e) => e.name === 'deflated.xml')!.method, 8);
  assert.ok(entries.find((e) => e.name === 'deflated.xml')!.compressedSize < text.length);
});

test('a real .mxl lists its container and score and inflates the score', { skip: skipSample }, () => {
  const bytes = fs.readFileSync(sample);
  const entries = listZipEntries(bytes);
  assert.deepEqual(
    entries.map((e) => e.name),
    ['META-INF/container.xml', 'Red River Valley.xml'],
  );
  const score = decode(readZipEntry(bytes, entries[1]!));
  assert.equal(score.length > 10_000, true);
  assert.match(score, /^<\?xml/);
  assert.match(score, /<\/score-partwise>\s*$/);
  assert.match(decode(readZipEntry(bytes, entries[0]!)), /full-path='Red River Valley.xml'/);
});

test('every truncation of an archive is refused with a ZipFormatError', () => {
  const zip = makeZip([
    { name: 'a.xml', data: '<a>'.repeat(300) },
    { name: 'b.txt', data: 'bee', method: 'store' },
  ]);
  for (let length = 0; length < zip.length; length++) {
    assert.equal(
      readsOrRefuses(() => readZip(zip.subarray(0, length))),
      'refused',
      `cut at ${length}`,
    );
  }
  // Bytes lost from the front leave the end record intact but every offset wrong.
  for (const cut of [1, 10, 30, 100])
    assert.equal(
      readsOrRefuses(() => readZip(zip.subarray(cut))),
      'refused',
    );
});

test('truncated and corrupted copies of a real .mxl are refused, never hang', { skip: skipSample }, () => {
  const bytes = new Uint8Array(fs.readFileSync(sample));
  const original = decode(readZip(bytes).get('Red River Valley.xml')!);
  const started = performance.now();
  for (let i = 0; i < 200; i++) {
    const length = Math.floor((bytes.length * i) / 200);
    assert.equal(
      readsOrRefuses(() => readZip(bytes.subarray(0, length))),
      'refused',
    );
  }
  // Random byte flips: the archive must read back unchanged (the flip hit a field nothing checks,
  // such as a timestamp) or be refused; CRC-32 catches flips inside the compressed data.
  const random = seededRandom(11);
  const outcomes = { read: 0, refused: 0 };
  for (let trial = 0; trial < 300; trial++) {
    const copy = bytes.slice();
    for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
      copy[Math.floor(random() * copy.length)]! ^= 1 + Math.floor(random() * 255);
    }
    const outcome = readsOrRefuses(() => {
      const score = readZip(copy).get('Red River Valley.xml');
      if (score) assert.equal(decode(score), original);
    });
    outcomes[outcome]++;
  }
  assert.ok(outcomes.refused > 250, JSON.stringify(outcomes));
  assert.ok(performance.now() - started < 20_000, 'reading broken archives took too long');
});

test('garbage, lying sizes and unsupported features give clear errors', () => {
  assert.throws(() => listZipEntries(new Uint8Array(0)), /too short/);
  assert.throws(() => listZipEntries(new TextEncoder().encode('this is not a zip archive at all')), /not a zip archive/);

  const zip = makeZip([{ name: 'a.txt', data: 'hello hello hello' }]);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const central = view.getUint32(zip.length - 22 + 16, true);

  const moreEntries = zip.slice();
  new DataView(moreEntries.buffer).setUint16(zip.length - 22 + 10, 2, true);
  assert.throws(() => listZipEntries(moreEntries), ZipFormatError);

  const hugeSize = zip.slice();
  new DataView(hugeSize.buffer).setUint32(central + 24, 0x7fffffff, true);
  assert.throws(() => readZip(hugeSize), /too large/);

  const wrongSize = zip.slice();
  new DataView(wrongSize.buffer).setUint32(central + 24, 5, true);
  assert.throws(() => readZip(wrongSize), ZipFormatError);

  const method = zip.slice();
  new DataView(method.buffer).setUint16(central + 10, 14, true); // LZMA
  assert.throws(() => readZip(method), /compression method 14/);

  const encrypted = zip.slice();
  new DataView(encrypted.buffer).setUint16(central + 8, 0x801, true);
  assert.throws(() => readZip(encrypted), /encrypted/);

  const zip64 = zip.slice();
  new DataView(zip64.buffer).setUint32(zip.length - 22 + 16, 0xffffffff, true);
  assert.throws(() => listZipEntries(zip64), /ZIP64/);
});
