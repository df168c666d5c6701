import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VOCAB } from '../../inference/tokenizer/vocabulary.ts';
import { prepare } from './prepare.ts';
import { readShardExamples } from './shards.ts';

const DATA = resolve('../shared/datasets');

/** A small dataset folder: a few real songs of each dataset plus broken files of each kind. */
function smallDatasets(dir: string): void {
  const pop = join(dir, 'pop909/POP909');
  mkdirSync(pop, { recursive: true });
  for (const id of ['001', '002', '003', '004', '005', '006', '007', '008']) symlinkSync(join(DATA, 'pop909/POP909', id), join(pop, id));
  mkdirSync(join(pop, '999'));
  writeFileSync(join(pop, '999/999.mid'), 'MThd garbage');
  cpSync(join(DATA, 'pop909/POP909/001'), join(pop, '998'), { recursive: true });
  writeFileSync(join(pop, '998/beat_midi.txt'), 'not a beat file');
  cpSync(join(DATA, 'pop909/POP909/001/001.mid'), join(pop, '998/998.mid'));

  const groove = join(dir, 'groove_midi/groove');
  mkdirSync(groove, { recursive: true });
  const info = readFileSync(join(DATA, 'groove_midi/groove/info.csv'), 'utf8').split('\n');
  const rows = info.slice(1, 7);
  rows.push('drummer0,drummer0/session0,drummer0/session0/1,rock,100,beat,4-4,missing/file.mid,missing.wav,1.0,train');
  writeFileSync(join(groove, 'info.csv'), `${[info[0], ...rows].join('\n')}\n`);
  for (const row of rows.slice(0, -1)) {
    const file = row.split(',')[7]!;
    mkdirSync(join(groove, file, '..'), { recursive: true });
    symlinkSync(join(DATA, 'groove_midi/groove', file), join(groove, file));
  }

  const ewld = join(dir, 'openewld/dataset/Someone/Broken');
  mkdirSync(ewld, { recursive: true });
  writeFileSync(join(ewld, 'Broken.mxl'), 'PK not really a zip');
}

test('data:prepare on a few files: shards match the manifest, splits by song, bad files reported and skipped', (t) => {
  if (!existsSync(DATA)) return t.skip('../shared/datasets is not beside the project');
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-prepare-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  smallDatasets(join(dir, 'data'));
  const out = join(dir, 'out');
  const manifest = prepare({ data: join(dir, 'data'), out, passes: 2, drumPasses: 2, seed: 3 }) as {
    splits: Record<
      'train' | 'valid',
      { pieces: number; examples: number; tokens: number; byRole: Record<string, unknown>; bySource: Record<string, unknown> }
    >;
    skipped: { file: string; reason: string }[];
    vocabulary: { size: number };
  };

  const skippedFiles = manifest.skipped.map((s) => s.file).join('\n');
  assert.match(skippedFiles, /999\.mid/);
  assert.match(skippedFiles, /998/);
  assert.match(skippedFiles, /missing\/file\.mid/);
  assert.match(skippedFiles, /Broken\.mxl/);
  assert.ok(manifest.skipped.every((s) => s.reason.length > 0));

  const pieces = JSON.parse(readFileSync(join(out, 'pieces.json'), 'utf8')) as { train: string[]; valid: string[] };
  assert.equal(pieces.train.length + pieces.valid.length, 8 + 6);
  assert.equal(pieces.train.filter((id) => pieces.valid.includes(id)).length, 0, 'no song in both splits');

  const sep = VOCAB.id('SEP');
  for (const split of ['train', 'valid'] as const) {
    let examples = 0;
    let tokens = 0;
    for (const example of readShardExamples(out, split)) {
      examples++;
      tokens += example.length;
      assert.equal(example[0], VOCAB.id('BOS'));
      assert.equal(example.at(-1), VOCAB.id('EOS'));
      assert.equal(example.filter((x) => x === sep).length, 1);
      assert.ok(example.length <= 1024);
      assert.ok(example.every((x) => x < manifest.vocabulary.size));
    }
    assert.equal(examples, manifest.splits[split].examples);
    assert.equal(tokens, manifest.splits[split].tokens);
  }
  assert.ok(manifest.splits.train.examples > 100);
  for (const role of ['drums', 'bass', 'keys', 'lead', 'chords']) assert.ok(role in manifest.splits.train.byRole, `train has ${role}`);
  assert.ok(readdirSync(out).includes('vocab.json'));

  // Same seed, same shards: preparation is reproducible.
  const again = join(dir, 'again');
  prepare({ data: join(dir, 'data'), out: again, passes: 2, drumPasses: 2, seed: 3 });
  assert.deepEqual(readFileSync(join(again, 'train.bin')), readFileSync(join(out, 'train.bin')));
});
