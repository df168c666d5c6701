import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Note } from '../../core/song/types.ts';
import { quantizePatches, quantizeTick } from './quantize.ts';

const note = (id: string, tick: number): Note => ({ id, pitch: 60, tick, duration: 100, velocity: 100 });

test('full strength lands on the nearest line; half strength goes half way', () => {
  assert.equal(quantizeTick(130, 120, 1), 120);
  assert.equal(quantizeTick(190, 120, 1), 240);
  assert.equal(quantizeTick(130, 120, 0.5), 125);
  assert.equal(quantizeTick(130, 120, 0), 130);
  assert.equal(quantizeTick(200, 160, 1), 160, 'triplet grid');
});

test('patches only for notes that move; nothing rounds onto the clip end', () => {
  const notes = [note('on', 240), note('late', 250), note('early', 470), note('end', 1910)];
  const patches = quantizePatches(notes, 240, 1, 1920);
  assert.deepEqual(patches, [
    { id: 'late', tick: 240 },
    { id: 'early', tick: 480 },
    { id: 'end', tick: 1680 },
  ]);
  assert.deepEqual(quantizePatches([note('x', 13)], 120, 0.5, 1920), [{ id: 'x', tick: 7 }]);
});
