import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeExample, type Prompt } from '../../../inference/tokenizer/prompt.ts';
import { VOCAB } from '../../../inference/tokenizer/vocabulary.ts';
import { scoredPositions } from './nll.ts';

const meter = { numerator: 4, denominator: 4 };
const chords = [
  { tick: 0, root: 0, quality: 'maj' as const },
  { tick: 960, root: 7, quality: 'maj' as const },
];

test('inline chords of a pitched part are given, not scored; the chord track scores its chords', () => {
  const bassPrompt: Prompt = {
    conditions: { role: 'bass', task: 'generate', style: 'pop', key: { tonic: 0, mode: 'major' }, meter, bpm: 100, bars: 1, energy: 1 },
    chords,
  };
  const bass = encodeExample(bassPrompt, { role: 'bass', notes: [{ pitch: 36, tick: 0, duration: 480, velocity: 90 }] }, 0, 1);
  const scored = scoredPositions(bass).map((t) => VOCAB.token(bass[t]!));
  assert.deepEqual(scored, ['BAR', 'POS_0', 'PITCH_36', scored[3], 'DUR_12', 'POS_24', 'EOS']);

  const chordPrompt: Prompt = { conditions: { ...bassPrompt.conditions, role: 'chords' } };
  const track = encodeExample(chordPrompt, { role: 'chords', chords }, 0, 1);
  assert.deepEqual(
    scoredPositions(track).map((t) => VOCAB.token(track[t]!)),
    ['BAR', 'POS_0', 'CROOT_0', 'CQUAL_maj', 'POS_24', 'CROOT_7', 'CQUAL_maj', 'EOS'],
  );
  assert.throws(() => scoredPositions([VOCAB.id('BOS')]), /no SEP/);
});
