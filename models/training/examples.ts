/**
 * Pieces → token sequences for training and scoring. A piece is cut into windows of whole bars;
 * each window of each part becomes one example of one task:
 *   generate   conditions (+ the song's chords) → the part
 *   accompany  + the other parts in the same bars (POP909: lead, keys, bass; lead sheets: chords
 *              under a melody) → the part
 *   infill     + the part with some bars masked → the masked bars
 *   vary       + the same part's previous window → this window
 * Augmentation transposes pitched parts, chords and key together.
 */
import type { NoteInput } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import { transposeKey } from '../../core/theory/scales.ts';
import { sliceChords, type Part } from '../../inference/tokenizer/events.ts';
import { encodeExample, type ContextTrack, type Prompt } from '../../inference/tokenizer/prompt.ts';
import { energyLevel, isSupportedMeter, type ModelRole, type Task } from '../../inference/tokenizer/vocabulary.ts';
import type { Piece } from './piece.ts';

export const MAX_EXAMPLE_TOKENS = 1024;

export interface Example {
  tokens: number[];
  role: ModelRole;
  task: Task;
  source: Piece['source'];
}

/** Bars per window: mostly 4 and 8, as users ask, with the whole 1..16 range covered. */
const BAR_CHOICES: [number, number][] = [
  [1, 0.05],
  [2, 0.1],
  [3, 0.03],
  [4, 0.32],
  [6, 0.05],
  [8, 0.28],
  [12, 0.05],
  [16, 0.12],
];
const TASK_WEIGHTS: Record<Task, number> = { generate: 0.4, accompany: 0.3, infill: 0.15, vary: 0.15 };

/** The order context parts are written in; the first ones are dropped first when too long. */
const CONTEXT_ORDER: ModelRole[] = ['keys', 'bass', 'lead'];

export function transposePiece(piece: Piece, semitones: number): Piece {
  if (semitones === 0) return piece;
  return {
    ...piece,
    keys: piece.keys.map((k) => ({ tick: k.tick, key: transposeKey(k.key, semitones) })),
    tracks: piece.tracks.map((t) => (t.role === 'drums' ? t : { ...t, notes: t.notes.map((n) => ({ ...n, pitch: n.pitch + semitones })) })),
    chords: piece.chords.map((c) => (c.root === null ? c : { ...c, root: (((c.root + semitones) % 12) + 12) % 12 })),
  };
}

/** Training examples from one piece: random windows and tasks, drawn with `random`. */
export function trainingExamples(piece: Piece, random: () => number): Example[] {
  if (!isSupportedMeter(piece.meter)) return [];
  const examples: Example[] = [];
  for (const role of pieceRoles(piece)) {
    let start = 0;
    while (start < piece.lengthBars) {
      const bars = Math.min(pick(BAR_CHOICES, random), piece.lengthBars - start);
      examples.push(...windowExamples(piece, role, start, bars, random));
      start += bars;
    }
  }
  return examples;
}

/**
 * Scoring examples (eval NLL): every part of the piece in consecutive 16-bar windows (the most
 * a prompt may span; longer than 1024 tokens are halved), generate
 * task, no augmentation, so a held-out piece is scored the same way every time.
 */
export function scoringExamples(piece: Piece, windowBars = 16): Example[] {
  if (!isSupportedMeter(piece.meter)) return [];
  const examples: Example[] = [];
  for (const role of pieceRoles(piece)) {
    for (let start = 0; start < piece.lengthBars; start += windowBars) {
      const bars = Math.min(windowBars, piece.lengthBars - start);
      const example = buildExample(piece, role, start, bars, 'generate', () => 0.5);
      if (example) examples.push(...fitOrSplit(example, piece, role, start, bars, 'generate', () => 0.5));
    }
  }
  return examples;
}

function pieceRoles(piece: Piece): ModelRole[] {
  const roles: ModelRole[] = piece.tracks.filter((t) => t.notes.length > 0).map((t) => t.role);
  if (piece.chords.filter((c) => c.root !== null).length >= 2) roles.push('chords');
  return roles;
}

function windowExamples(piece: Piece, role: ModelRole, start: number, bars: number, random: () => number): Example[] {
  const tasks: [Task, number][] = [['generate', TASK_WEIGHTS.generate]];
  if (bars >= 2) tasks.push(['infill', TASK_WEIGHTS.infill]);
  if (start >= bars && countEvents(piece, role, start - bars, bars) > 0) tasks.push(['vary', TASK_WEIGHTS.vary]);
  if (accompanimentRoles(piece, role).length > 0) tasks.push(['accompany', TASK_WEIGHTS.accompany]);
  const task = pick(tasks, random);
  const example = buildExample(piece, role, start, bars, task, random);
  return example ? fitOrSplit(example, piece, role, start, bars, task, random) : [];
}

/** Examples longer than the model's context are split into halves (down to one bar). */
function fitOrSplit(
  example: Example,
  piece: Piece,
  role: ModelRole,
  start: number,
  bars: number,
  task: Task,
  random: () => number,
): Example[] {
  if (example.tokens.length <= MAX_EXAMPLE_TOKENS) return [example];
  if (bars === 1) return [];
  const half = Math.ceil(bars / 2);
  const parts: Example[] = [];
  for (const [s, n] of [
    [start, half],
    [start + half, bars - half],
  ] as const) {
    const t = task === 'infill' && n < 2 ? 'generate' : task === 'vary' && s < n ? 'generate' : task;
    const next = buildExample(piece, role, s, n, t, random);
    if (next) parts.push(...fitOrSplit(next, piece, role, s, n, t, random));
  }
  return parts;
}

function buildExample(piece: Piece, role: ModelRole, start: number, bars: number, task: Task, random: () => number): Example | null {
  const target = partOf(piece, role);
  const events = countEvents(piece, role, start, bars);
  if (events === 0) return null;
  const barTicks = ticksPerBar(piece.meter);
  let targetFrom = start;
  let targetBars = bars;
  const context: ContextTrack[] = [];
  if (task === 'infill') {
    const length = 1 + Math.floor(random() * (bars - 1));
    const from = start + Math.floor(random() * (bars - length + 1));
    if (countEvents(piece, role, from, length) === 0) return buildExample(piece, role, start, bars, 'generate', random);
    context.push({ part: target, fromBar: start, masked: { from, to: from + length } });
    targetFrom = from;
    targetBars = length;
  } else if (task === 'vary') {
    context.push({ part: target, fromBar: start - bars });
  } else if (task === 'accompany') {
    for (const other of accompanimentRoles(piece, role)) context.push({ part: partOf(piece, other), fromBar: start });
  }
  const prompt: Prompt = {
    conditions: {
      role,
      task,
      style: piece.style,
      key: role === 'drums' ? null : keyAt(piece, start * barTicks),
      meter: piece.meter,
      bpm: piece.bpm,
      bars,
      energy: energyLevel(role, events / bars),
    },
    chords:
      role === 'drums' || role === 'chords' || piece.chords.length === 0
        ? null
        : sliceChords(piece.chords, start * barTicks, bars * barTicks),
    context,
  };
  let tokens = encodeExample(prompt, target, targetFrom, targetBars, targetFrom - start);
  // Drop context parts (longest role first) until the example fits.
  while (tokens.length > MAX_EXAMPLE_TOKENS && task === 'accompany' && context.length > 1) {
    context.splice(0, 1);
    tokens = encodeExample(prompt, target, targetFrom, targetBars, targetFrom - start);
  }
  return { tokens, role, task, source: piece.source };
}

/** The other parts that sound with `role` in this piece's data (never drums). */
function accompanimentRoles(piece: Piece, role: ModelRole): ModelRole[] {
  if (role === 'drums') return [];
  const present = new Set<ModelRole>(piece.tracks.filter((t) => t.notes.length > 0 && t.role !== 'drums').map((t) => t.role));
  if (role === 'chords') return present.has('lead') ? ['lead'] : [];
  return CONTEXT_ORDER.filter((r) => r !== role && present.has(r));
}

/** The whole piece's part for a role, with ticks from the piece's bar 0. */
function partOf(piece: Piece, role: ModelRole): Part {
  if (role === 'chords') return { role, chords: piece.chords.map((c) => ({ tick: c.tick, root: c.root, quality: c.quality })) };
  const notes: NoteInput[] = piece.tracks.filter((t) => t.role === role).flatMap((t) => t.notes);
  return { role, notes };
}

function countEvents(piece: Piece, role: ModelRole, startBar: number, bars: number): number {
  const barTicks = ticksPerBar(piece.meter);
  const from = startBar * barTicks - 20;
  const to = (startBar + bars) * barTicks - 20;
  const items: { tick: number }[] =
    role === 'chords' ? piece.chords.filter((c) => c.root !== null) : piece.tracks.filter((t) => t.role === role).flatMap((t) => t.notes);
  let n = 0;
  for (const item of items) if (item.tick >= from && item.tick < to) n++;
  return n;
}

function keyAt(piece: Piece, tick: number): Piece['keys'][number]['key'] | null {
  let key = piece.keys[0]?.key ?? null;
  for (const change of piece.keys) if (change.tick <= tick) key = change.key;
  return key;
}

function pick<T>(choices: readonly [T, number][], random: () => number): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of choices) {
    r -= weight;
    if (r < 0) return value;
  }
  return choices.at(-1)![0];
}
