import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centsOff, fundamentalHz } from './pitch.ts';

const SR = 44_100;

function tone(hz: number, partials: number[], seconds = 0.25): Float32Array {
  return Float32Array.from({ length: SR * seconds }, (_, i) =>
    partials.reduce((sum, amp, k) => sum + amp * Math.sin((2 * Math.PI * hz * (k + 1) * i) / SR + k), 0),
  );
}

test('a sine and a rich tone read within 0.5 cent, low and high', () => {
  for (const hz of [41.2, 82.41, 261.63, 440, 1318.5]) {
    const sine = fundamentalHz(tone(hz, [1]), SR)!;
    assert.ok(Math.abs(centsOff(sine, hz)) < 0.5, `${hz} Hz sine read ${sine}`);
    // A weak fundamental under strong partials is still the period, not the loudest partial.
    const rich = fundamentalHz(tone(hz, [0.2, 1, 0.7, 0.5, 0.3]), SR)!;
    assert.ok(Math.abs(centsOff(rich, hz)) < 0.5, `${hz} Hz rich tone read ${rich}`);
  }
});

test('noise and silence have no fundamental; too short an input is an error', () => {
  let seed = 1;
  const noise = Float32Array.from({ length: SR / 4 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
  assert.equal(fundamentalHz(noise, SR), undefined);
  assert.equal(fundamentalHz(new Float32Array(SR / 4), SR), undefined);
  assert.throws(() => fundamentalHz(new Float32Array(100), SR), /too few/);
});

test('centsOff: an octave is 1200, a semitone 100', () => {
  assert.equal(centsOff(880, 440), 1200);
  assert.ok(Math.abs(centsOff(440 * 2 ** (1 / 12), 440) - 100) < 1e-9);
});
