import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chordsUnderClip } from './clip-chords.ts';

test('chords under a clip, cut to it, in clip ticks, with their tones', () => {
  const chords = [
    { id: '1', tick: 0, duration: 1920, symbol: 'Am7' },
    { id: '2', tick: 1920, duration: 3840, symbol: 'F' },
    { id: '3', tick: 7680, duration: 1920, symbol: 'G' },
    { id: '4', tick: 3840, duration: 960, symbol: 'Xyz' },
  ];
  const under = chordsUnderClip(chords, 3840, 3840);
  assert.deepEqual(
    under.map((c) => [c.symbol, c.tick, c.duration]),
    [
      ['F', 0, 1920],
      ['Xyz', 0, 960],
    ],
  );
  assert.deepEqual(
    [...under[0]!.pitchClasses].sort((a, b) => a - b),
    [0, 5, 9],
  );
  assert.equal(under[1]!.pitchClasses.size, 0, 'an unknown symbol shades nothing');
});
