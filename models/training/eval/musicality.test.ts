import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMetrics, musicalityTable, songHalves, songSplits, type RoleReport } from './musicality.ts';

test('songs split into halves whole, never one song on both sides', () => {
  const windows = ['a', 'a', 'b', 'c', 'c', 'd'].map((group, i) => ({ group, i }));
  const [x, y] = songHalves(windows);
  assert.equal(x.length + y.length, windows.length);
  const gx = new Set(x.map((w) => w.group));
  assert.ok(y.every((w) => !gx.has(w.group)));
  assert.equal(gx.size, 2, 'four songs: two per half');
});

test('real vs model overlap passes within 0.10 of the control, and only then', () => {
  const real = [{ inKey: 1 }, { inKey: 1 }, { inKey: 0.95 }, { inKey: 0.55 }];
  // halves: {1, 0.95} vs {1, 0.55}: bins 9,9 vs 9,5 → overlap 0.5
  const halfA = [real[0]!, real[2]!];
  const halfB = [real[1]!, real[3]!];
  // model: bins 9, 9, 5, 1 vs real 9, 9, 9, 5 → 0.5 + 0.25 = 0.75
  const model = [{ inKey: 1 }, { inKey: 0.99 }, { inKey: 0.5 }, { inKey: 0.15 }];
  const c = compareMetrics(real, model, [[halfA, halfB]]).inKey!;
  assert.equal(c.control, 0.5);
  assert.equal(c.overlap, 0.75);
  assert.ok(c.pass);
  assert.equal(c.model.mean, (1 + 0.99 + 0.5 + 0.15) / 4);
  const far = compareMetrics(real, [{ inKey: 0.1 }, { inKey: 0.1 }, { inKey: 0.1 }, { inKey: 0.5 }], [[halfA, halfB]]).inKey!;
  assert.equal(far.overlap, 0.25);
  assert.ok(!far.pass, '0.25 is more than 0.10 below 0.5');
  // A metric a window lacks is left out, not counted as 0.
  assert.equal(
    compareMetrics([{ inKey: 1 }, { density: 2 }], [{ inKey: 1 }], [[[{ inKey: 1 }], [{ inKey: 1 }, { density: 2 }]]]).inKey!.real.n,
    1,
  );
});

test('the table shows each metric with its verdict', () => {
  const role: RoleReport = {
    windows: 4,
    songs: 3,
    followChords: 0.5,
    bitsPerNote: 8.5,
    bitsPerBar: 90,
    invalid: 0,
    metrics: compareMetrics([{ inKey: 1 }], [{ inKey: 0.1 }], [[[{ inKey: 1 }], [{ inKey: 1 }]]]),
  };
  const table = musicalityTable({ keys: role });
  assert.match(table, /### keys: 4 windows, 3 songs, follow-chords 0\.5; model on real windows: 8\.50 bits\/note, 90\.0 bits\/bar/);
  assert.match(table, /\| inKey \| 1\.00 ± 0\.00 \| 0\.10 ± 0\.00 \| 0\.00 \| 1\.00 \(1\.00-1\.00\) \| NO \|/);
});

test('the control is the mean over song splits, with its spread', () => {
  const real = [{ inKey: 1 }, { inKey: 0.95 }, { inKey: 0.55 }, { inKey: 0.15 }];
  // Splits with control overlaps 1, 0.5, 0 (as the test above counts bins): mean 0.5.
  const splits = [
    [[real[0]!], [real[1]!]],
    [
      [real[0]!, real[1]!],
      [real[0]!, real[2]!],
    ],
    [[real[2]!], [real[3]!]],
  ] as const;
  const c = compareMetrics(real, real, splits).inKey!;
  assert.equal(c.control, 0.5);
  assert.equal(c.controlP10, 0);
  assert.equal(c.controlP90, 1);
  assert.equal(c.overlap, 1);
});

test('song splits: the hash-order halves first, then seeded random ones, each song on one side', () => {
  const windows = Array.from({ length: 40 }, (_, i) => ({ group: `song${i % 10}`, i }));
  const splits = songSplits(windows, 20);
  assert.equal(splits.length, 20);
  assert.deepEqual(splits[0], songHalves(windows));
  for (const [a, b] of splits) {
    assert.equal(a.length + b.length, 40);
    const inA = new Set(a.map((w) => w.group));
    assert.ok(b.every((w) => !inA.has(w.group)));
    assert.equal(inA.size, 5, 'ten songs: five per half');
  }
  assert.ok(
    new Set(
      splits.map(([a]) =>
        a
          .map((w) => w.group)
          .sort()
          .join(),
      ),
    ).size > 5,
    'the random splits differ',
  );
  assert.deepEqual(songSplits(windows, 20), splits, 'a fixed seed repeats');
});
