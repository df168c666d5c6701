import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeExample, encodePrompt, sepIndex, targetChords, type Prompt } from './prompt.ts';
import { VOCAB } from './vocabulary.ts';

const meter = { numerator: 4, denominator: 4 };
const chords = [0, 1, 2, 3].map((bar) => ({ tick: bar * 1920, root: [0, 7, 9, 5][bar]!, quality: 'maj' as const }));
const prompt = (role: 'bass' | 'drums' | 'chords'): Prompt => ({
  conditions: { role, task: 'infill', style: 'pop', key: { tonic: 0, mode: 'major' }, meter, bpm: 100, bars: 4, energy: 2 },
  chords,
});

test('an infilled target carries the chords of its own bars, ticks from its first bar', () => {
  assert.deepEqual(targetChords(prompt('bass'), 2, 2), [
    { tick: 0, root: 9, quality: 'maj' },
    { tick: 1920, root: 5, quality: 'maj' },
  ]);
  assert.equal(targetChords(prompt('drums'), 0, 4), null);
  assert.equal(targetChords(prompt('chords'), 0, 4), null);
  assert.equal(targetChords({ ...prompt('bass'), chords: null }, 0, 4), null);
});

test('an example is the prompt, then the target bars with their chords inline, then EOS', () => {
  const notes = [{ pitch: 45, tick: 2 * 1920, duration: 960, velocity: 90 }];
  const tokens = encodeExample(prompt('bass'), { role: 'bass', notes }, 2, 1, 2);
  const head = encodePrompt(prompt('bass'));
  assert.deepEqual(tokens.slice(0, head.length), head);
  assert.equal(sepIndex(tokens), head.length - 1);
  const target = tokens.slice(head.length).map((t) => VOCAB.token(t));
  assert.deepEqual(target.slice(0, 5), ['BAR', 'POS_0', 'CROOT_9', 'CQUAL_maj', 'PITCH_45']);
  assert.equal(target.at(-1), 'EOS');
});
