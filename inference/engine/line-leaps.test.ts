import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { EventGrammar, GrammarError } from './grammar.ts';
import { DEFAULT_LEAP_DAMPING, MAX_LEAP_DAMPING, dampLeaps, leapDampingOf } from './line-leaps.ts';

const meter = { numerator: 4, denominator: 4 };
const id = (name: string) => VOCAB.id(name);
const PITCH0 = id('PITCH_0');

test("the leap bias asks at the first pitch of a new position, from the previous position's top note", () => {
  const g = new EventGrammar({ role: 'lead', meter, bars: 2, maxTokens: 200, leapDamping: 0.5 });
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.equal(g.leapBias(), null, 'no note yet');
  for (const t of ['PITCH_67', 'VEL_8', 'DUR_4']) g.accept(id(t));
  assert.equal(g.leapBias(), null, 'a stacked note or a timing choice: not asked');
  for (const t of ['PITCH_72', 'VEL_8', 'DUR_4']) g.accept(id(t));
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.deepEqual(g.leapBias(), { from: 72, strength: 0.5 }, 'the top note of the last position, across the bar');
  const none = new EventGrammar({ role: 'lead', meter, bars: 1, maxTokens: 200 });
  none.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_67', 'VEL_8', 'DUR_4', 'POS_6']) none.accept(id(t));
  assert.equal(none.leapBias(), null, 'strength 0: never');
  const drums = new EventGrammar({ role: 'drums', meter, bars: 1, maxTokens: 200, leapDamping: 0.5 });
  drums.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_36', 'VEL_8', 'POS_4']) drums.accept(id(t));
  assert.equal(drums.leapBias(), null, 'drums have no line');
  const keep = new EventGrammar({ role: 'lead', meter, bars: 1, maxTokens: 200, leapDamping: 0.5, pitchSequence: [60, 72] });
  keep.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_60', 'VEL_8', 'DUR_4', 'POS_4']) keep.accept(id(t));
  assert.equal(keep.leapBias(), null, 'keep notes: the sequence decides');
  for (const bad of [-0.1, MAX_LEAP_DAMPING + 1, Number.NaN])
    assert.throws(() => new EventGrammar({ role: 'lead', meter, bars: 1, maxTokens: 200, leapDamping: bad }), GrammarError);
});

test('leap damping leaves repeats and steps alone and pushes wider leaps down the more, the wider they are', () => {
  const logits = new Float32Array(VOCAB.size).fill(0.5);
  const allowed = new Uint8Array(VOCAB.size);
  const pitches = [55, 60, 64, 65, 66, 67, 69, 70, 72, 79, 84];
  for (const p of pitches) allowed[PITCH0 + p] = 1;
  const scratch = new Float32Array(VOCAB.size);
  const out = dampLeaps(logits, allowed, { from: 67, strength: 0.5 }, scratch);
  assert.equal(out, scratch);
  for (const p of [65, 66, 67, 69]) assert.equal(out[PITCH0 + p], 0.5, `${p}: a repeat or a step from 67 keeps its logit`);
  const shift = (p: number) => 0.5 - out[PITCH0 + p]!;
  assert.ok(shift(70) > 0 && shift(64) > 0, 'a minor third either way is a leap');
  assert.ok(Math.abs(shift(70) - shift(64)) < 1e-6, 'up and down alike');
  assert.ok(shift(72) > shift(70) && shift(79) > shift(72) && shift(84) > shift(79), 'wider: pushed further');
  assert.ok(shift(55) === shift(79), 'an octave down, an octave up');
  assert.equal(logits[PITCH0 + 72], 0.5, "the model's logits are not touched");
  assert.equal(out[id('BAR')], 0.5, 'other tokens keep their logits');
  const steps = new Uint8Array(VOCAB.size);
  for (const p of [65, 67, 68]) steps[PITCH0 + p] = 1;
  assert.equal(dampLeaps(logits, steps, { from: 67, strength: 0.5 }, scratch), logits, 'no leap allowed: nothing to do');
  assert.equal(dampLeaps(logits, allowed, { from: 67, strength: 0 }, scratch), logits, 'strength 0: nothing to do');
});

test('the role defaults: only the lead damps leaps', () => {
  assert.ok(leapDampingOf('lead') > 0 && leapDampingOf('lead') <= MAX_LEAP_DAMPING);
  for (const role of ['drums', 'bass', 'keys', 'chords'] as const) assert.equal(DEFAULT_LEAP_DAMPING[role], 0);
});
