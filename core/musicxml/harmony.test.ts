import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harmonyQuality } from './harmony.ts';

test('harmony kinds map onto the chord qualities', () => {
  const expected: Record<string, string> = {
    major: 'maj',
    minor: 'min',
    dominant: '7',
    'major-seventh': 'maj7',
    'minor-seventh': 'm7',
    diminished: 'dim',
    'diminished-seventh': 'dim7',
    'half-diminished': 'm7b5',
    augmented: 'aug',
    'suspended-fourth': 'sus4',
    'suspended-second': 'sus2',
    'major-sixth': '6',
    'minor-sixth': 'm6',
    'major-minor': 'mMaj7',
    'dominant-ninth': '7',
    'dominant-11th': '7',
    'dominant-13th': '7',
    'major-ninth': 'maj7',
    'minor-ninth': 'm7',
    'minor-11th': 'm7',
    'augmented-seventh': '7',
    power: 'maj',
    '': 'maj',
  };
  for (const [kind, quality] of Object.entries(expected)) assert.equal(harmonyQuality(kind).quality, quality, kind);
  assert.equal(harmonyQuality('other', 'm').quality, 'min');
  assert.equal(harmonyQuality('other', 'maj').quality, 'maj');
  assert.match(harmonyQuality('weird').warning!, /unknown chord kind "weird"/);
});
