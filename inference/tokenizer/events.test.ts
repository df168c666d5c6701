import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { seededRandom } from '../../core/random.ts';
import { readMidi } from '../../core/midi/midi-read.ts';
import type { NoteInput } from '../../core/song/types.ts';
import { CHORD_QUALITIES } from '../../core/theory/chords.ts';
import { DRUM_HIT_TICKS, TokenParseError, decodePart, encodePart, sliceChords, type Part } from './events.ts';
import { MAX_DURATION_STEPS, TICKS_PER_STEP, VOCAB, barSteps, velocityLevel, velocityOfLevel, type NoteRole } from './vocabulary.ts';

const METERS = [
  { numerator: 4, denominator: 4 },
  { numerator: 3, denominator: 4 },
  { numerator: 6, denominator: 8 },
  { numerator: 7, denominator: 8 },
  { numerator: 12, denominator: 8 },
];

/** What the grid keeps of a note: position, pitch, length (drums: none) and velocity level. */
function onGrid(role: NoteRole, notes: readonly NoteInput[]): NoteInput[] {
  const byKey = new Map<string, NoteInput>();
  for (const n of notes) {
    const step = Math.round(n.tick / TICKS_PER_STEP);
    const dur = Math.max(1, Math.min(MAX_DURATION_STEPS, Math.round(n.duration / TICKS_PER_STEP)));
    const note = {
      pitch: n.pitch,
      tick: step * TICKS_PER_STEP,
      duration: dur * TICKS_PER_STEP,
      velocity: velocityOfLevel(velocityLevel(n.velocity)),
    };
    const key = `${step}:${n.pitch}`;
    const seen = byKey.get(key);
    if (!seen || seen.duration < note.duration) byKey.set(key, note);
  }
  return [...byKey.values()]
    .map((n) => (role === 'drums' ? { ...n, duration: DRUM_HIT_TICKS } : n))
    .sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

function randomNotes(random: () => number, bars: number, steps: number): NoteInput[] {
  const notes: NoteInput[] = [];
  const count = Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    notes.push({
      pitch: 20 + Math.floor(random() * 90),
      tick: Math.floor(random() * bars * steps) * TICKS_PER_STEP,
      duration: (1 + Math.floor(random() * MAX_DURATION_STEPS)) * TICKS_PER_STEP,
      velocity: velocityOfLevel(Math.floor(random() * 16)),
    });
  }
  return notes;
}

test('random on-grid parts of every role and meter round-trip exactly (straight and triplet positions)', () => {
  const random = seededRandom(11);
  for (let trial = 0; trial < 500; trial++) {
    const meter = METERS[trial % METERS.length]!;
    const role = (['drums', 'bass', 'keys', 'lead'] as const)[trial % 4];
    const bars = 1 + Math.floor(random() * 16);
    const notes = randomNotes(random, bars, barSteps(meter));
    const tokens = encodePart({ role, notes }, meter, 0, bars);
    const decoded = decodePart(tokens, role, meter);
    assert.equal(decoded.bars, bars);
    assert.deepEqual(decoded.part, { role, notes: onGrid(role, notes) });
  }
});

test('triplets and 16ths land on exact steps', () => {
  const meter = { numerator: 4, denominator: 4 };
  const notes = [0, 120, 160, 240, 320, 360, 480].map((tick) => ({ pitch: 60, tick, duration: 80, velocity: 100 }));
  const decoded = decodePart(encodePart({ role: 'lead', notes }, meter, 0, 1), 'lead', meter);
  assert.deepEqual(
    (decoded.part as { notes: NoteInput[] }).notes.map((n) => n.tick),
    [0, 120, 160, 240, 320, 360, 480],
  );
});

test('a window of bars is taken from the middle of a part and decodes from its own bar 0', () => {
  const meter = { numerator: 4, denominator: 4 };
  const notes = [
    { pitch: 60, tick: 1920 * 2 + 480, duration: 480, velocity: 100 },
    { pitch: 62, tick: 1920 * 5, duration: 480, velocity: 100 },
  ];
  const tokens = encodePart({ role: 'lead', notes }, meter, 2, 2);
  const decoded = decodePart(tokens, 'lead', meter);
  assert.equal(decoded.bars, 2);
  assert.deepEqual(
    (decoded.part as { notes: NoteInput[] }).notes.map((n) => n.tick),
    [480],
  );
});

test('chord parts round-trip, no-chord included', () => {
  const random = seededRandom(5);
  const meter = { numerator: 4, denominator: 4 };
  for (let trial = 0; trial < 100; trial++) {
    const byStep = new Map<number, Part & { role: 'chords' } extends { chords: infer C } ? (C extends (infer E)[] ? E : never) : never>();
    for (let i = 0; i < 12; i++) {
      const step = Math.floor(random() * 8 * 48);
      const none = random() < 0.1;
      byStep.set(step, {
        tick: step * TICKS_PER_STEP,
        root: none ? null : Math.floor(random() * 12),
        quality: none ? 'maj' : CHORD_QUALITIES[Math.floor(random() * CHORD_QUALITIES.length)]!,
      });
    }
    const chords = [...byStep.values()].sort((a, b) => a.tick - b.tick);
    const decoded = decodePart(encodePart({ role: 'chords', chords }, meter, 0, 8), 'chords', meter);
    assert.deepEqual(decoded.part, { role: 'chords', chords });
  }
});

test('MASK bars stand in for left-out bars', () => {
  const meter = { numerator: 4, denominator: 4 };
  const notes = [0, 1, 2, 3].map((bar) => ({ pitch: 60, tick: bar * 1920, duration: 480, velocity: 100 }));
  const tokens = encodePart({ role: 'lead', notes }, meter, 0, 4, { from: 1, to: 3 }).map((t) => VOCAB.token(t));
  assert.deepEqual(
    tokens.filter((t) => t === 'BAR' || t === 'MASK'),
    ['BAR', 'BAR', 'MASK', 'BAR', 'MASK', 'BAR'],
  );
});

test('out-of-grammar token streams are refused with the offending index', () => {
  const meter = { numerator: 4, denominator: 4 };
  const ids = (names: string[]): number[] => names.map((n) => VOCAB.id(n));
  const bad: [string[], number][] = [
    [['POS_0'], 0],
    [['BAR', 'PITCH_60'], 1],
    [['BAR', 'POS_4', 'POS_2'], 2],
    [['BAR', 'POS_48'], 1],
    [['BAR', 'POS_0', 'PITCH_60', 'DUR_3'], 3],
    [['BAR', 'POS_0', 'PITCH_60', 'VEL_3'], 4],
  ];
  for (const [names, index] of bad) {
    assert.throws(
      () => decodePart(ids(names), 'lead', meter),
      (e: unknown) => e instanceof TokenParseError && e.index === index,
      names.join(' '),
    );
  }
});

const POP909 = '../shared/datasets/pop909/POP909';
const GROOVE = '../shared/datasets/groove_midi/groove';

test('real dataset files round-trip through the tokenizer (POP909 tracks, Groove drums)', (t) => {
  if (!existsSync(POP909) || !existsSync(GROOVE)) return t.skip('../shared/datasets is not beside the project');
  const files: [string, NoteRole | null][] = [
    [`${POP909}/001/001.mid`, null],
    [`${POP909}/123/123.mid`, null],
    [`${POP909}/500/500.mid`, null],
    [`${GROOVE}/drummer1/session1/1_funk_80_beat_4-4.mid`, 'drums'],
    [`${GROOVE}/drummer7/session2/10_jazz_140_beat_4-4.mid`, 'drums'],
  ];
  let checked = 0;
  for (const [file, fixedRole] of files) {
    if (!existsSync(file)) continue;
    const midi = readMidi(readFileSync(file));
    for (const track of midi.tracks) {
      const role: NoteRole = fixedRole ?? (track.name === 'PIANO' ? 'keys' : 'lead');
      const bars = Math.ceil((midi.lengthTicks + 1) / 1920) + 1;
      const meter = { numerator: 4, denominator: 4 };
      // Longer than the model's 16 bars on purpose: the tokenizer itself has no bar limit.
      const decoded = decodePart(encodePart({ role, notes: track.notes }, meter, 0, bars), role, meter);
      assert.deepEqual((decoded.part as { notes: NoteInput[] }).notes, onGrid(role, track.notes), `${file} ${track.name}`);
      checked++;
    }
  }
  assert.ok(checked >= 5, `checked ${checked} tracks`);
});

test('a pitched part carries chords inline: each before the notes at its position, and decodes back', () => {
  const meter = { numerator: 4, denominator: 4 };
  const notes = [
    { pitch: 40, tick: 1920, duration: 480, velocity: 100 },
    { pitch: 43, tick: 1920 + 960, duration: 480, velocity: 100 },
  ];
  // Chords are ticks from the first bar written (bar 1 here); one starts under a note.
  const chords = [
    { tick: 0, root: 4, quality: 'min' as const },
    { tick: 960, root: null, quality: 'maj' as const },
  ];
  const tokens = encodePart({ role: 'bass', notes }, meter, 1, 1, undefined, chords);
  assert.deepEqual(
    tokens.map((t) => VOCAB.token(t)),
    [
      'BAR',
      'POS_0',
      'CROOT_4',
      'CQUAL_min',
      'PITCH_40',
      `VEL_${velocityLevel(100)}`,
      'DUR_12',
      'POS_24',
      'CROOT_none',
      'PITCH_43',
      `VEL_${velocityLevel(100)}`,
      'DUR_12',
    ],
  );
  const decoded = decodePart(tokens, 'bass', meter);
  assert.deepEqual(decoded.inlineChords, chords);
  assert.deepEqual(
    (decoded.part as { notes: unknown[] }).notes.map((n) => (n as { pitch: number }).pitch),
    [40, 43],
  );
  // Drums never carry chords.
  assert.ok(!encodePart({ role: 'drums', notes: [] }, meter, 0, 1, undefined, chords).some((t) => VOCAB.token(t).startsWith('CROOT')));
});

test('sliceChords restates the chord already sounding at the window start', () => {
  const chords = [
    { tick: 0, root: 0, quality: 'maj' as const },
    { tick: 3840, root: 7, quality: 'maj' as const },
    { tick: 5760, root: 9, quality: 'min' as const },
  ];
  assert.deepEqual(sliceChords(chords, 1920, 3840), [
    { tick: 0, root: 0, quality: 'maj' },
    { tick: 1920, root: 7, quality: 'maj' },
  ]);
  assert.deepEqual(sliceChords(chords, 3840, 1920), [{ tick: 0, root: 7, quality: 'maj' }]);
  assert.deepEqual(sliceChords([], 0, 1920), []);
});
