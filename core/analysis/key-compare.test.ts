import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from '../song/types.ts';
import { isNearKey, keyRelation, mirexKeyScore } from './key-compare.ts';

const major = (tonic: number): Key => ({ tonic, mode: 'major' });
const minor = (tonic: number): Key => ({ tonic, mode: 'minor' });

test('relations to C major, as MIREX scores them', () => {
  const cases: [Key, string, number, boolean][] = [
    [major(0), 'same', 1, true],
    [major(7), 'fifth-above', 0.5, true], // G major: names the dominant
    [major(5), 'fifth-below', 0, true], // F major: MIREX counts only the fifth above
    [minor(9), 'relative', 0.3, true], // A minor
    [minor(0), 'parallel', 0.2, false], // C minor
    [major(2), 'other', 0, false],
    [minor(4), 'other', 0, false],
  ];
  for (const [estimate, relation, score, near] of cases) {
    assert.equal(keyRelation(estimate, major(0)), relation, JSON.stringify(estimate));
    assert.equal(mirexKeyScore(estimate, major(0)), score, JSON.stringify(estimate));
    assert.equal(isNearKey(estimate, major(0)), near, JSON.stringify(estimate));
  }
});

test('relations to A minor: C major is its relative, E minor a fifth above', () => {
  assert.equal(keyRelation(major(0), minor(9)), 'relative');
  assert.equal(keyRelation(minor(4), minor(9)), 'fifth-above');
  assert.equal(keyRelation(major(9), minor(9)), 'parallel');
  // Wrapping round the octave: B minor is a fifth above E minor (11 - 4 = 7).
  assert.equal(keyRelation(minor(11), minor(4)), 'fifth-above');
});
