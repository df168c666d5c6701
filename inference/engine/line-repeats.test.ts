import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { EventGrammar, GrammarError } from './grammar.ts';
import { DEFAULT_REPEAT_DAMPING, dampRepeat, repeatDampingOf } from './line-repeats.ts';

const meter = { numerator: 4, denominator: 4 };
const id = (name: string) => VOCAB.id(name);
const PITCH0 = id('PITCH_0');

test("the repeat bias asks at the lowest pitch of a new position, with the line's last note", () => {
  const g = new EventGrammar({ role: 'bass', meter, bars: 2, maxTokens: 200, repeatDamping: 0.3 });
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.equal(g.repeatBias(), null, 'no note yet');
  for (const t of ['PITCH_40', 'VEL_8', 'DUR_4']) g.accept(id(t));
  assert.equal(g.repeatBias(), null, 'a stacked note or a timing choice: not asked');
  g.accept(id('PITCH_47'));
  for (const t of ['VEL_8', 'DUR_4']) g.accept(id(t));
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.deepEqual(g.repeatBias(), { pitch: 40, strength: 0.3 }, 'the lowest note of the last position, across the bar');
  const none = new EventGrammar({ role: 'bass', meter, bars: 1, maxTokens: 200 });
  none.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_40', 'VEL_8', 'DUR_4', 'POS_6']) none.accept(id(t));
  assert.equal(none.repeatBias(), null, 'strength 0: never');
  const drums = new EventGrammar({ role: 'drums', meter, bars: 1, maxTokens: 200, repeatDamping: 0.5 });
  drums.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_36', 'VEL_8', 'POS_4']) drums.accept(id(t));
  assert.equal(drums.repeatBias(), null, 'drums repeat freely');
  assert.throws(() => new EventGrammar({ role: 'bass', meter, bars: 1, maxTokens: 200, repeatDamping: 1.5 }), GrammarError);
});

test('damping lowers the repeated pitch by ln(1 - strength) and nothing else; a lone choice stays', () => {
  const logits = new Float32Array(VOCAB.size).fill(0.5);
  const allowed = new Uint8Array(VOCAB.size);
  for (const p of [40, 43, 47]) allowed[PITCH0 + p] = 1;
  const scratch = new Float32Array(VOCAB.size);
  const out = dampRepeat(logits, allowed, { pitch: 40, strength: 0.3 }, scratch);
  assert.equal(out, scratch);
  assert.ok(Math.abs(out[PITCH0 + 40]! - (0.5 + Math.log(0.7))) < 1e-6);
  assert.equal(out[PITCH0 + 43], 0.5);
  assert.equal(logits[PITCH0 + 40], 0.5, "the model's logits are not touched");
  // Already shifted in scratch (by follow-the-chords): shifted further in place.
  scratch.fill(1);
  assert.ok(Math.abs(dampRepeat(scratch, allowed, { pitch: 40, strength: 0.5 }, scratch)[PITCH0 + 40]! - (1 + Math.log(0.5))) < 1e-6);
  const lone = new Uint8Array(VOCAB.size);
  lone[PITCH0 + 40] = 1;
  assert.equal(dampRepeat(logits, lone, { pitch: 40, strength: 0.9 }, scratch), logits, 'the only allowed pitch is not pushed');
  assert.equal(dampRepeat(logits, allowed, { pitch: 41, strength: 0.9 }, scratch), logits, 'a pitch not allowed: nothing to do');
});

test('the role defaults: bass damps repeats, the others do not', () => {
  assert.ok(repeatDampingOf('bass') > 0 && repeatDampingOf('bass') < 1);
  for (const role of ['drums', 'keys', 'lead', 'chords'] as const) assert.equal(DEFAULT_REPEAT_DAMPING[role], 0);
});
