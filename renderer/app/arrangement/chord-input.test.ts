import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChordText, parseBarChords } from './chord-input.ts';

test('one chord fills the bar; several split it evenly and cover it exactly', () => {
  assert.deepEqual(parseBarChords('Am7', 1920, 1920), { ok: true, chords: [{ tick: 1920, duration: 1920, symbol: 'Am7' }] });
  const three = parseBarChords(' C  G/B   am ', 0, 1440);
  assert.ok(three.ok);
  assert.deepEqual(
    three.chords.map((c) => [c.tick, c.duration, c.symbol]),
    [
      [0, 480, 'C'],
      [480, 480, 'G/B'],
      [960, 480, 'Am'],
    ],
  );
  const uneven = parseBarChords('C F G', 0, 1000);
  assert.ok(uneven.ok && uneven.chords.at(-1)!.tick + uneven.chords.at(-1)!.duration === 1000);
});

test('an empty cell clears the bar; a word that is not a chord is refused with an example', () => {
  assert.deepEqual(parseBarChords('   ', 0, 1920), { ok: true, chords: [] });
  const bad = parseBarChords('Am7 Hello', 0, 1920);
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.problem : '', /"Hello" is not a chord symbol.*Am7/);
});

test('a cell shows the chords that start in its bar, in order', () => {
  const chords = [
    { tick: 2880, symbol: 'G' },
    { tick: 1920, symbol: 'C' },
    { tick: 0, symbol: 'Am' },
  ];
  assert.equal(barChordText(chords, 1920, 1920), 'C G');
  assert.equal(barChordText(chords, 3840, 1920), '');
});
