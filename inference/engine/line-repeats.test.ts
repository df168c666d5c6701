import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { EventGrammar, GrammarError } from './grammar.ts';
import {
  DEFAULT_REPEAT_DAMPING,
  DEFAULT_TOP_REPEAT_DAMPING,
  dampRepeat,
  dampTopRepeat,
  repeatDampingOf,
  topRepeatDampingOf,
} from './line-repeats.ts';

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

test('the role defaults: bass and lead damp repeats of their last note, the others do not', () => {
  for (const role of ['bass', 'lead'] as const) assert.ok(repeatDampingOf(role) > 0 && repeatDampingOf(role) < 1);
  for (const role of ['drums', 'keys', 'chords'] as const) assert.equal(DEFAULT_REPEAT_DAMPING[role], 0);
});

test("the top-repeat bias asks at every free pitch of a new position, with the previous position's top note", () => {
  const g = new EventGrammar({ role: 'keys', meter, bars: 2, maxTokens: 200, topRepeatDamping: 0.5 });
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.equal(g.topRepeatBias(), null, 'no note yet');
  for (const t of ['PITCH_60', 'VEL_8', 'DUR_4']) g.accept(id(t));
  assert.equal(g.topRepeatBias(), null, 'stacking on the first position: no line before it');
  for (const t of ['PITCH_64', 'VEL_8', 'DUR_4', 'PITCH_67', 'VEL_8', 'DUR_4']) g.accept(id(t));
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.deepEqual(g.topRepeatBias(), { pitch: 67, strength: 0.5 }, 'the first pitch: the top of the last position, across the bar');
  g.accept(id('PITCH_60'));
  assert.equal(g.topRepeatBias(), null, 'a velocity: a timing choice');
  for (const t of ['VEL_8', 'DUR_4']) g.accept(id(t));
  assert.deepEqual(g.topRepeatBias(), { pitch: 67, strength: 0.5 }, 'a stacked pitch: still the previous top, not the note just written');
  for (const t of ['PITCH_65', 'VEL_8', 'DUR_4', 'POS_8']) g.accept(id(t));
  assert.deepEqual(g.topRepeatBias(), { pitch: 65, strength: 0.5 }, 'the next position: the new top');
  const bass = new EventGrammar({ role: 'bass', meter, bars: 1, maxTokens: 200, repeatDamping: 0.3 });
  bass.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_40', 'VEL_8', 'DUR_4', 'POS_4']) bass.accept(id(t));
  assert.equal(bass.topRepeatBias(), null, 'strength 0 (only the lowest-note damping): never');
  const drums = new EventGrammar({ role: 'drums', meter, bars: 1, maxTokens: 200, topRepeatDamping: 0.5 });
  drums.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_36', 'VEL_8', 'POS_4']) drums.accept(id(t));
  assert.equal(drums.topRepeatBias(), null, 'drums repeat freely');
  assert.throws(() => new EventGrammar({ role: 'keys', meter, bars: 1, maxTokens: 200, topRepeatDamping: -0.1 }), GrammarError);
});

test('the top-repeat bias leaves locked notes and keep-notes sequences alone', () => {
  const keep = new EventGrammar({ role: 'keys', meter, bars: 1, maxTokens: 200, topRepeatDamping: 0.5, pitchSequence: [60, 60] });
  keep.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_60', 'VEL_8', 'DUR_4', 'POS_4']) keep.accept(id(t));
  assert.equal(keep.topRepeatBias(), null, 'the sequence decides the pitch');
  const locked = new EventGrammar({
    role: 'keys',
    meter,
    bars: 1,
    maxTokens: 200,
    topRepeatDamping: 0.5,
    fixedNotes: [{ pitch: 64, tick: 0, duration: 240, velocity: 90 }],
  });
  locked.accept(id('BAR'));
  locked.accept(id('POS_0'));
  assert.equal(locked.topRepeatBias(), null, "a locked note's pitch is forced");
});

/** Softmax mass of the allowed pitches, and of everything allowed. */
function masses(logits: Float32Array, allowed: Uint8Array): { pitches: number; total: number; of: (p: number) => number } {
  let total = 0;
  let pitches = 0;
  for (let i = 0; i < logits.length; i++) {
    if (!allowed[i]) continue;
    total += Math.exp(logits[i]!);
    if (i >= PITCH0 && i < PITCH0 + 128) pitches += Math.exp(logits[i]!);
  }
  return { pitches: pitches / total, total, of: (p) => Math.exp(logits[PITCH0 + p]!) / total };
}

test("top-repeat damping takes (strength) of the repeated pitch's chance and gives it to the other pitches only", () => {
  const logits = new Float32Array(VOCAB.size);
  const allowed = new Uint8Array(VOCAB.size);
  // A stacking step: pitches above the last note, or move on to a later position.
  for (const [p, l] of [
    [64, 0.2],
    [67, 1.5],
    [72, -0.4],
  ] as const) {
    allowed[PITCH0 + p] = 1;
    logits[PITCH0 + p] = l;
  }
  allowed[id('POS_8')] = 1;
  logits[id('POS_8')] = 1;
  allowed[id('BAR')] = 1;
  logits[id('BAR')] = -1;
  const scratch = new Float32Array(VOCAB.size);
  const before = masses(logits, allowed);
  const out = dampTopRepeat(logits, allowed, { pitch: 67, strength: 0.5 }, scratch);
  assert.equal(out, scratch);
  const after = masses(out, allowed);
  assert.ok(Math.abs(after.of(67) - 0.5 * before.of(67)) < 1e-6, 'the repeated pitch: half as likely');
  assert.ok(Math.abs(after.pitches - before.pitches) < 1e-6, 'stacking vs moving on: unchanged');
  assert.ok(Math.abs(after.of(64) / after.of(72) - before.of(64) / before.of(72)) < 1e-5, 'the other pitches keep their proportions');
  assert.ok(after.of(64) > before.of(64));
  assert.equal(out[id('POS_8')], 1, 'timing tokens keep their logits');
  assert.equal(logits[PITCH0 + 67], 1.5, "the model's logits are not touched");
  const lone = new Uint8Array(VOCAB.size);
  lone[PITCH0 + 67] = 1;
  lone[id('POS_8')] = 1;
  assert.equal(dampTopRepeat(logits, lone, { pitch: 67, strength: 0.9 }, scratch), logits, 'no other pitch to give to: unchanged');
  assert.equal(dampTopRepeat(logits, allowed, { pitch: 66, strength: 0.9 }, scratch), logits, 'a pitch not allowed: nothing to do');
});

test('the role defaults: keys damp top repeats, bass and lead damp their last note, drums and chords neither', () => {
  assert.ok(topRepeatDampingOf('keys') > 0 && topRepeatDampingOf('keys') < 1);
  for (const role of ['drums', 'bass', 'lead', 'chords'] as const) assert.equal(DEFAULT_TOP_REPEAT_DAMPING[role], 0);
});
