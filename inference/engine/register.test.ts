import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VOCAB } from '../tokenizer/vocabulary.ts';
import { EventGrammar, GrammarError } from './grammar.ts';
import { DEFAULT_REGISTER_SPAN, registerSpanOf } from './register.ts';

const meter = { numerator: 4, denominator: 4 };
const id = (name: string) => VOCAB.id(name);
const PITCH0 = id('PITCH_0');

/** Pitches the grammar allows next. */
function pitches(g: EventGrammar): number[] {
  const out = g.allowed(new Uint8Array(VOCAB.size));
  return [...out.keys()].filter((i) => out[i] && i >= PITCH0 && i < PITCH0 + 128).map((i) => i - PITCH0);
}

function note(g: EventGrammar, pos: number, pitch: number): void {
  for (const t of [`POS_${pos}`, `PITCH_${pitch}`, 'VEL_8', 'DUR_4']) g.accept(id(t));
}

test('keep register: after the first notes, free pitches stay within the span of all of them', () => {
  const g = new EventGrammar({ role: 'bass', meter, bars: 2, maxTokens: 200, span: 12 });
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.deepEqual([Math.min(...pitches(g)), Math.max(...pitches(g))], [24, 64], 'the first note: the whole range');
  for (const t of ['PITCH_40', 'VEL_8', 'DUR_4']) g.accept(id(t));
  g.accept(id('POS_6'));
  assert.deepEqual([Math.min(...pitches(g)), Math.max(...pitches(g))], [28, 52], 'within 12 of E2');
  for (const t of ['PITCH_45', 'VEL_8', 'DUR_4']) g.accept(id(t));
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  assert.deepEqual([Math.min(...pitches(g)), Math.max(...pitches(g))], [33, 52], 'within 12 of E2 and of A2, across the bar');
});

test('without a span the range alone decides; drums and chords ignore it; a bad span is refused', () => {
  const g = new EventGrammar({ role: 'bass', meter, bars: 1, maxTokens: 200 });
  g.accept(id('BAR'));
  note(g, 0, 40);
  g.accept(id('POS_6'));
  assert.deepEqual([Math.min(...pitches(g)), Math.max(...pitches(g))], [24, 64]);
  const drums = new EventGrammar({ role: 'drums', meter, bars: 1, maxTokens: 200, span: 0 });
  drums.accept(id('BAR'));
  for (const t of ['POS_0', 'PITCH_36', 'VEL_8', 'POS_4']) drums.accept(id(t));
  assert.ok(pitches(drums).includes(49), 'drums keep every kit piece');
  assert.throws(() => new EventGrammar({ role: 'bass', meter, bars: 1, maxTokens: 200, span: -1 }), GrammarError);
  assert.throws(() => new EventGrammar({ role: 'bass', meter, bars: 1, maxTokens: 200, span: 2.5 }), GrammarError);
});

test('a given start wider than the span is accepted as played, and the span then yields to the range', () => {
  const g = new EventGrammar({ role: 'bass', meter, bars: 2, maxTokens: 200, span: 12 });
  // The player's line: E1 up to G#3 (28..56), more than twice 12.
  g.acceptGiven(id('BAR'));
  for (const [pos, pitch] of [
    [0, 28],
    [12, 56],
  ] as const)
    for (const t of [`POS_${pos}`, `PITCH_${pitch}`, 'VEL_8', 'DUR_4']) g.acceptGiven(id(t));
  g.accept(id('BAR'));
  g.accept(id('POS_0'));
  // No pitch is within 12 of both: the range alone decides rather than leaving nothing.
  assert.deepEqual([Math.min(...pitches(g)), Math.max(...pitches(g))], [24, 64]);
});

test('the role defaults: bass keeps a span, the others none', () => {
  assert.equal(registerSpanOf('bass'), DEFAULT_REGISTER_SPAN.bass);
  assert.ok(DEFAULT_REGISTER_SPAN.bass! >= 12 && DEFAULT_REGISTER_SPAN.bass! <= 24);
  for (const role of ['drums', 'keys', 'lead', 'chords'] as const) assert.equal(registerSpanOf(role), undefined);
});
