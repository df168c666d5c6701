import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { followChords } from './follow-chords.ts';
import { EventGrammar, GrammarError } from './grammar.ts';

const meter = { numerator: 4, denominator: 4 };
// C major for two beats, then A minor from beat 3 (tick 960 = step 24).
const chords = [
  { tick: 0, root: 0, quality: 'maj' as const },
  { tick: 960, root: 9, quality: 'min' as const },
];
const id = (name: string) => VOCAB.id(name);

/** A keys grammar moved past BAR and the C chord, ready for a position. */
function grammar(followChords: number | undefined, role: 'keys' | 'drums' = 'keys'): EventGrammar {
  const g = new EventGrammar({ role, meter, bars: 1, maxTokens: 200, chords: role === 'drums' ? null : chords, followChords });
  g.accept(id('BAR'));
  if (role !== 'drums') for (const t of ['POS_0', 'CROOT_0', 'CQUAL_maj']) g.accept(id(t));
  return g;
}

test('the chord bias applies on beats, with the chord sounding there, and nowhere else', () => {
  const g = grammar(0.5);
  // At beat 1 after the C chord: its tones.
  const atOne = g.chordBias();
  assert.ok(atOne);
  assert.equal(atOne.strength, 0.5);
  assert.deepEqual(
    [60, 61, 62, 64, 67, 72].map((p) => atOne.tones[p]),
    [1, 0, 0, 1, 1, 1],
  );
  // A 16th later (step 3): off the beat.
  g.accept(id('POS_3'));
  assert.equal(g.chordBias(), null);
  g.accept(id('PITCH_62'));
  g.accept(id('VEL_8'));
  g.accept(id('DUR_3'));
  // Beat 2 (step 12): still C.
  g.accept(id('POS_12'));
  assert.equal(g.chordBias()!.tones[64], 1);
  g.accept(id('PITCH_62'));
  g.accept(id('VEL_8'));
  g.accept(id('DUR_3'));
  // Beat 3: A minor (A C E).
  g.accept(id('POS_24'));
  for (const t of ['CROOT_9', 'CQUAL_min']) g.accept(id(t));
  const atThree = g.chordBias()!;
  assert.deepEqual(
    [57, 60, 64, 67].map((p) => atThree.tones[p]),
    [1, 1, 1, 0],
  );
  assert.equal(grammar(0).chordBias(), null, 'strength 0: no bias');
  assert.equal(grammar(undefined).chordBias(), null);
  assert.throws(() => grammar(1.5), GrammarError);
});

test('drums are never biased', () => {
  const g = grammar(1, 'drums');
  g.accept(id('POS_0'));
  assert.equal(g.chordBias(), null);
});

test('strength 1 leaves only chord tones among the pitches; other tokens keep their place', () => {
  const g = grammar(1);
  const allowed = g.allowed(new Uint8Array(VOCAB.size));
  const logits = new Float32Array(VOCAB.size).fill(0.5);
  const out = followChords(logits, allowed, g.chordBias()!, new Float32Array(VOCAB.size));
  assert.equal(out, logits, 'logits untouched at strength 1');
  const pitches = [...allowed.keys()].filter((t) => allowed[t] && t >= id('PITCH_0') && t <= id('PITCH_127')).map((t) => t - id('PITCH_0'));
  assert.ok(pitches.length > 0);
  assert.ok(
    pitches.every((p) => [0, 4, 7].includes(p % 12)),
    `only C E G: ${pitches}`,
  );
  assert.equal(allowed[id('POS_1')], 1, 'the model may still move to a later position');
});

test('strength s shifts non-chord pitches by ln(1 - s) and leaves chord tones alone', () => {
  const g = grammar(0.75);
  const allowed = g.allowed(new Uint8Array(VOCAB.size));
  const logits = new Float32Array(VOCAB.size).fill(1);
  const out = followChords(logits, allowed, g.chordBias()!, new Float32Array(VOCAB.size));
  assert.equal(out[id('PITCH_64')], 1);
  assert.ok(Math.abs(out[id('PITCH_62')]! - (1 + Math.log(0.25))) < 1e-6);
  assert.equal(logits[id('PITCH_62')], 1, "the model's logits are not written to");
});

test("strength 1 with no chord tone allowed keeps the grammar's choice", () => {
  const allowed = new Uint8Array(VOCAB.size);
  allowed[id('PITCH_62')] = 1;
  allowed[id('PITCH_65')] = 1;
  const tones = new Uint8Array(128);
  tones[60] = 1;
  followChords(new Float32Array(VOCAB.size), allowed, { tones, strength: 1 }, new Float32Array(VOCAB.size));
  assert.equal(allowed[id('PITCH_62')] + allowed[id('PITCH_65')], 2);
});
