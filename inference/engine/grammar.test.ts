import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../core/random.ts';
import { decodePart, type TokenChord } from '../tokenizer/events.ts';
import { DRUM_PITCHES, PITCH_RANGES, VOCAB, type ModelRole } from '../tokenizer/vocabulary.ts';
import { EventGrammar, type GrammarOptions } from './grammar.ts';

/** Walks the grammar choosing uniformly among allowed tokens (a model that knows nothing). */
function randomWalk(
  role: ModelRole,
  meter: { numerator: number; denominator: number },
  bars: number,
  maxTokens: number,
  seed: number,
  chords?: TokenChord[],
): number[] {
  return walk({ role, meter, bars, maxTokens, chords }, seed);
}

function walk(options: GrammarOptions, seed: number): number[] {
  const { maxTokens } = options;
  const random = seededRandom(seed);
  const grammar = new EventGrammar(options);
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
  const meters = [
    { numerator: 4, denominator: 4 },
    { numerator: 3, denominator: 4 },
    { numerator: 6, denominator: 8 },
  ];
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

test('chords given to a pitched part are written inline, exactly where they fall, even on a tight budget', () => {
  const meter = { numerator: 4, denominator: 4 };
  const random = seededRandom(3);
  for (let trial = 0; trial < 120; trial++) {
    const bars = 1 + (trial % 8);
    // A chord on every downbeat, and now and then one mid-bar (POP909 changes on beat 3 often).
    const chords: TokenChord[] = [];
    for (let bar = 0; bar < bars; bar++) {
      chords.push({ tick: bar * 1920, root: Math.floor(random() * 12), quality: 'm7' });
      if (random() < 0.5)
        chords.push({ tick: bar * 1920 + 960 + 40 * Math.floor(random() * 3), root: random() < 0.2 ? null : 7, quality: 'maj' });
    }
    const role = (['bass', 'keys', 'lead'] as const)[trial % 3];
    const least = bars + 1 + chords.reduce((sum, c) => sum + (c.root === null ? 2 : 3), 0);
    assert.throws(() => new EventGrammar({ role, meter, bars, maxTokens: least - 1, chords }), /at least/);
    const maxTokens = least + Math.floor(random() * 200);
    const tokens = randomWalk(role, meter, bars, maxTokens, trial, chords);
    const decoded = decodePart(tokens, role, meter);
    assert.equal(decoded.bars, bars);
    assert.deepEqual(decoded.inlineChords, chords);
  }
});

test('drums and the chord track ignore chords given to the grammar', () => {
  const chords: TokenChord[] = [{ tick: 0, root: 0, quality: 'maj' }];
  for (const role of ['drums', 'chords'] as const) {
    const grammar = new EventGrammar({ role, meter: { numerator: 4, denominator: 4 }, bars: 1, maxTokens: 20, chords });
    grammar.accept(VOCAB.id('BAR'));
    assert.equal(grammar.allowed(new Uint8Array(VOCAB.size))[VOCAB.id('EOS')], 1, `${role} may end an empty bar`);
  }
});

test('a due inline chord must be written before later positions or the next bar', () => {
  const grammar = new EventGrammar({
    role: 'bass',
    meter: { numerator: 4, denominator: 4 },
    bars: 2,
    maxTokens: 80,
    chords: [
      { tick: 0, root: 2, quality: 'min' },
      { tick: 1920 + 960, root: 7, quality: 'maj' },
    ],
  });
  const allowed = new Uint8Array(VOCAB.size);
  grammar.accept(VOCAB.id('BAR'));
  assert.deepEqual(
    [...grammar.allowed(allowed).keys()].filter((i) => allowed[i]).map((i) => VOCAB.token(i)),
    ['POS_0'],
  );
  grammar.accept(VOCAB.id('POS_0'));
  assert.throws(() => grammar.accept(VOCAB.id('CROOT_3')), /not allowed/);
  grammar.accept(VOCAB.id('CROOT_2'));
  grammar.accept(VOCAB.id('CQUAL_min'));
  grammar.accept(VOCAB.id('PITCH_38')); // a note under the chord, at its position
  grammar.accept(VOCAB.id('VEL_10'));
  grammar.accept(VOCAB.id('DUR_12'));
  grammar.accept(VOCAB.id('BAR'));
  grammar.allowed(allowed);
  assert.equal(allowed[VOCAB.id('POS_23')], 1);
  assert.equal(allowed[VOCAB.id('POS_24')], 1);
  assert.equal(allowed[VOCAB.id('POS_25')], 0, 'no note past the chord change before it is written');
  assert.equal(allowed[VOCAB.id('EOS')], 0);
});

const FOUR = { numerator: 4, denominator: 4 };
const note = (pitch: number, tick: number, duration = 240, velocity = 100) => ({ pitch, tick, duration, velocity });
const notesOf = (tokens: number[], role: ModelRole) =>
  (decodePart(tokens, role, FOUR).part as { notes: { pitch: number; tick: number; duration: number; velocity: number }[] }).notes;

test('scale lock keeps every free pitch in the key', () => {
  const scale = new Set([0, 2, 4, 5, 7, 9, 11]);
  for (let seed = 0; seed < 40; seed++) {
    const tokens = walk({ role: 'lead', meter: FOUR, bars: 2, maxTokens: 200, scale }, seed);
    for (const n of notesOf(tokens, 'lead')) assert.ok(scale.has(n.pitch % 12), `pitch ${n.pitch}`);
  }
});

test('fixed notes appear exactly; a closed bar holds nothing else', () => {
  // Bar 0 is locked (two notes, one a chord with an inline chord at the same position); bar 1 keeps one locked note among free ones.
  const fixed = [note(40, 0, 480, 90), note(47, 0, 240, 70), note(45, 960 + 120), note(43, 1920 + 480, 480, 110)];
  const chords: TokenChord[] = [
    { tick: 0, root: 4, quality: 'min' },
    { tick: 1920, root: 7, quality: 'maj' },
  ];
  for (let seed = 0; seed < 60; seed++) {
    const tokens = walk(
      { role: 'bass', meter: FOUR, bars: 2, maxTokens: 40 + seed * 3, fixedNotes: fixed, closedBars: [0], chords, scale: new Set([1]) },
      seed,
    );
    const notes = notesOf(tokens, 'bass');
    for (const f of fixed)
      assert.ok(
        notes.some((n) => n.pitch === f.pitch && n.tick === f.tick && n.duration === f.duration && Math.abs(n.velocity - f.velocity) < 5),
        `fixed note ${JSON.stringify(f)} kept (seed ${seed})`,
      );
    assert.deepEqual(
      notes.filter((n) => n.tick < 1920).map((n) => n.pitch),
      [40, 47, 45],
      'the locked bar has only its notes',
    );
    assert.ok(
      notes.filter((n) => n.tick >= 1920 && n.pitch !== 43).every((n) => n.pitch % 12 === 1),
      'free notes obey the scale lock',
    );
    assert.deepEqual(decodePart(tokens, 'bass', FOUR).inlineChords, chords);
  }
});

test('keep rhythm, new notes: same positions, lengths and velocities; pitches chosen, ascending at a position', () => {
  const source = [
    note(60, 0, 480, 100),
    note(64, 0, 480, 100),
    note(67, 0, 480, 100),
    note(62, 720, 120, 60),
    note(65, 1920 + 240, 960, 80),
  ];
  for (let seed = 0; seed < 60; seed++) {
    const tokens = walk(
      {
        role: 'keys',
        meter: FOUR,
        bars: 2,
        maxTokens: 120,
        rhythmSlots: source,
        closedBars: [0, 1],
        scale: new Set([0, 2, 4, 5, 7, 9, 11]),
      },
      seed,
    );
    const notes = notesOf(tokens, 'keys');
    assert.deepEqual(
      notes.map((n) => [n.tick, n.duration]),
      source.map((n) => [n.tick, n.duration]),
    );
    assert.ok(notes.every((n) => [0, 2, 4, 5, 7, 9, 11].includes(n.pitch % 12)));
  }
  // Pitches differ from the source in some walks: the model really picks them.
  const firsts = new Set(
    Array.from(
      { length: 10 },
      (_, seed) =>
        notesOf(walk({ role: 'keys', meter: FOUR, bars: 2, maxTokens: 120, rhythmSlots: source, closedBars: [0, 1] }, seed), 'keys')[0]!
          .pitch,
    ),
  );
  assert.ok(firsts.size > 1);
});

test('keep notes, new rhythm: the same pitches in order, always all of them, even when crowded', () => {
  for (let seed = 0; seed < 80; seed++) {
    const random = seededRandom(seed + 100);
    const count = 1 + Math.floor(random() * (seed % 4 === 0 ? 90 : 12));
    const pitches = Array.from({ length: count }, () => 40 + Math.floor(random() * 30));
    const tokens = walk(
      { role: 'lead', meter: FOUR, bars: 2, maxTokens: 8 + count * 4 + Math.floor(random() * 50), pitchSequence: pitches },
      seed,
    );
    assert.deepEqual(
      notesOf(tokens, 'lead').map((n) => n.pitch),
      pitches,
      `seed ${seed}`,
    );
  }
});

test('a budget too small for what must be written is refused up front', () => {
  assert.throws(() => new EventGrammar({ role: 'lead', meter: FOUR, bars: 1, maxTokens: 10, pitchSequence: [60, 62, 64] }), /at least/);
  assert.throws(
    () => new EventGrammar({ role: 'lead', meter: FOUR, bars: 1, maxTokens: 500, pitchSequence: Array.from({ length: 49 }, () => 60) }),
    /do not fit/,
  );
});

test('a given start may hold notes outside the range and scale; the notes written after it keep to them', () => {
  const scale = new Set([0, 2, 4, 5, 7, 9, 11]);
  const grammar = new EventGrammar({ role: 'bass', meter: FOUR, bars: 2, maxTokens: 100, scale });
  for (const t of ['BAR', 'POS_0', 'PITCH_25', 'VEL_8', 'DUR_12', 'PITCH_70', 'VEL_8', 'DUR_12']) grammar.acceptGiven(VOCAB.id(t));
  assert.throws(() => grammar.accept(VOCAB.id('PITCH_71')), /not allowed/); // above the bass range, and free now
  grammar.accept(VOCAB.id('BAR'));
  grammar.accept(VOCAB.id('POS_0'));
  const allowed = grammar.allowed(new Uint8Array(VOCAB.size));
  assert.equal(allowed[VOCAB.id('PITCH_37')], 0, 'C# is out of the locked scale');
  assert.equal(allowed[VOCAB.id('PITCH_36')], 1);
});
