import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../core/random.ts';
import { decodePart } from '../tokenizer/events.ts';
import { DRUM_PITCHES, PITCH_RANGES, VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';
import { EventGrammar } from './grammar.ts';

/** Walks the grammar choosing uniformly among allowed tokens (a model that knows nothing). */
function randomWalk(role: ModelRole, meter: { numerator: number; denominator: number }, bars: number, maxTokens: number, seed: number): number[] {
  const random = seededRandom(seed);
  const grammar = new EventGrammar({ role, meter, bars, maxTokens });
  const allowed = new Uint8Array(VOCAB.size);
  const tokens: number[] = [];
  while (!grammar.done) {
    grammar.allowed(allowed);
    const choices = [...allowed.keys()].filter((i) => allowed[i]);
    // Lean towards closing tokens now and then so walks also end before the budget.
    const closing = choices.filter((i) => VOCAB.token(i) === 'BAR' || VOCAB.token(i) === 'EOS');
    const pool = closing.length > 0 && random() < 0.05 ? closing : choices;
    const token = pool[Math.floor(random() * pool.length)]!;
    grammar.accept(token);
    tokens.push(token);
    assert.ok(tokens.length <= maxTokens, 'the budget is respected');
  }
  return tokens;
}

test('every walk through the grammar decodes to exactly the bars asked, within range and budget', () => {
  const meters = [{ numerator: 4, denominator: 4 }, { numerator: 3, denominator: 4 }, { numerator: 6, denominator: 8 }];
  let trial = 0;
  for (const role of ['drums', 'bass', 'keys', 'lead', 'chords'] as const) {
    for (let i = 0; i < 60; i++, trial++) {
      const meter = meters[trial % meters.length]!;
      const bars = 1 + (trial % 16);
      const maxTokens = bars + 2 + Math.floor(seededRandom(trial)() * 300);
      const tokens = randomWalk(role, meter, bars, maxTokens, trial);
      assert.equal(tokens.at(-1), VOCAB.id('EOS'));
      const decoded = decodePart(tokens, role, meter);
      assert.equal(decoded.bars, bars);
      if (decoded.part.role !== 'chords') {
        for (const note of decoded.part.notes) {
          if (role === 'drums') assert.ok((DRUM_PITCHES as readonly number[]).includes(note.pitch));
          else {
            const range = PITCH_RANGES[role as 'bass' | 'keys' | 'lead'];
            assert.ok(note.pitch >= range.low && note.pitch <= range.high, `${role} pitch ${note.pitch}`);
          }
        }
      }
    }
  }
});

test('a token the grammar does not allow is refused', () => {
  const grammar = new EventGrammar({ role: 'bass', meter: { numerator: 4, denominator: 4 }, bars: 1, maxTokens: 50 });
  assert.throws(() => grammar.accept(VOCAB.id('POS_0')), /not allowed/);
  grammar.accept(VOCAB.id('BAR'));
  assert.throws(() => grammar.accept(VOCAB.id('PITCH_40')), /not allowed/);
  assert.throws(() => grammar.accept(VOCAB.id('BAR')), /not allowed/); // only one bar asked
  grammar.accept(VOCAB.id('POS_12'));
  assert.throws(() => grammar.accept(VOCAB.id('PITCH_90')), /not allowed/); // above the bass range
});
