import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { unzipSync } from 'fflate';
import { seededRandom } from '../random.ts';
import { crc32, listZipEntries, readZipAsync, readZipEntryAsync, readZipEntrySync, writeZip, ZipFormatError } from './zip.ts';

function randomBytes(seed: number, length: number): Uint8Array {
  const random = seededRandom(seed);
  // Half text-like (compressible), half noise.
  return Uint8Array.from({ length }, (_v, i) => (i % 2 ? Math.floor(random() * 256) : 97 + (i % 7)));
}

test('CRC-32 agrees with zlib', () => {
  for (const [seed, length] of [
    [1, 0],
    [2, 1],
    [3, 1000],
    [4, 70_000],
  ]) {
    const data = randomBytes(seed!, length!);
    assert.equal(crc32(data), zlib.crc32(data) >>> 0);
  }
});

test('what writeZip writes, an independent unzipper (fflate) and our reader both read back', async () => {
  const files = [
    { name: 'mimetype', data: new TextEncoder().encode('application/vnd.recordare.musicxml'), method: 'store' as const },
    { name: 'META-INF/container.xml', data: new TextEncoder().encode('<container/>') },
    { name: 'scores/ünïcode.musicxml', data: randomBytes(5, 50_000) },
    { name: 'empty', data: new Uint8Array(0) },
  ];
  const zip = await writeZip(files);
  const theirs = unzipSync(zip);
  const ours = await readZipAsync(zip);
  const entries = listZipEntries(zip);
  for (const f of files) {
    assert.deepEqual(theirs[f.name], f.data, `fflate reads ${f.name}`);
    assert.deepEqual(ours.get(f.name), f.data, `we read ${f.name}`);
    assert.deepEqual(readZipEntrySync(zip, entries.find((e) => e.name === f.name)!), f.data, `we read ${f.name} synchronously`);
  }
  assert.deepEqual(
    entries.map((e) => [e.name, e.method]),
    [
      ['mimetype', 0],
      ['META-INF/container.xml', 8],
      ['scores/ünïcode.musicxml', 8],
      ['empty', 8],
    ],
  );
  assert.ok(entries[2]!.compressedSize < 50_000 * 0.8, 'deflated');
});

test('corrupt or lying entries are refused with a ZipFormatError, never a hang', async () => {
  const data = randomBytes(6, 20_000);
  const zip = await writeZip([{ name: 'a.musicxml', data }]);
  const entry = listZipEntries(zip)[0]!;
  for (const at of [40, 200, 1000, 5000]) {
    const broken = zip.slice();
    broken[at] ^= 0x5a;
    await assert.rejects(readZipEntryAsync(broken, entry), ZipFormatError, `byte ${at} flipped`);
    assert.throws(() => readZipEntrySync(broken, entry), ZipFormatError, `byte ${at} flipped, read synchronously`);
  }
  // A size field that understates what the data inflates to: stopped past the stated size.
  await assert.rejects(readZipEntryAsync(zip, { ...entry, uncompressedSize: 100 }), /more than the 100 bytes|expected 100 bytes/);
  assert.throws(() => readZipEntrySync(zip, { ...entry, uncompressedSize: 100 }), /CRC-32 mismatch/, 'cut at the stated size, then caught');
  await assert.rejects(readZipEntryAsync(zip, { ...entry, method: 12 }), /compression method 12/);
});
