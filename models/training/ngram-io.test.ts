import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitNgram } from './ngram.ts';
import { loadNgram, readShard, saveNgram } from './ngram-io.ts';

const SEP = 3;

function writeShard(dir: string, split: string, examples: number[][]): void {
  const tokens = examples.flat();
  const bin = Buffer.alloc(tokens.length * 2);
  tokens.forEach((t, i) => bin.writeUInt16LE(t, 2 * i));
  const idx = Buffer.alloc(examples.length * 8);
  let offset = 0;
  examples.forEach((e, i) => {
    idx.writeUInt32LE(offset, 8 * i);
    idx.writeUInt32LE(e.length, 8 * i + 4);
    offset += e.length;
  });
  writeFileSync(join(dir, `${split}.bin`), bin);
  writeFileSync(join(dir, `${split}.idx`), idx);
}

test('readShard yields the examples, and can be iterated twice', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ngram-io-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const examples = [
    [1, 4, SEP, 10, 11, 2],
    [1, 5, SEP, 600, 2],
    [1, SEP, 2],
  ];
  writeShard(dir, 'valid', examples);
  const shard = readShard(dir, 'valid');
  assert.deepEqual(
    [...shard].map((e) => Array.from(e)),
    examples,
  );
  assert.equal([...shard].length, 3);

  writeFileSync(join(dir, 'train.bin'), Buffer.alloc(4));
  writeFileSync(join(dir, 'train.idx'), Buffer.from(new Uint32Array([0, 3]).buffer));
  assert.throws(() => [...readShard(dir, 'train')], /runs past/);
});

test('saveNgram / loadNgram round-trip through gzip', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ngram-io-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const examples = Array.from({ length: 50 }, (_, i) => [1, 4 + (i % 3), SEP, 10, 11 + (i % 4), 12, 2]);
  writeShard(dir, 'train', examples);
  const model = fitNgram(readShard(dir, 'train'), { vocabSize: 40, sepId: SEP, minCount: { 3: 1, 4: 1 } });
  const path = join(dir, 'model.ngram.gz');
  saveNgram(path, model);
  const bytes = readFileSync(path);
  assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
  const back = loadNgram(path);
  assert.deepEqual(back.data, model.data);
  for (let w = 0; w < 40; w++) assert.equal(back.logProb([4, SEP, 10], w), model.logProb([4, SEP, 10], w));
});
