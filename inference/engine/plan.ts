/**
 * Turns a GenerationRequest into what decoding needs (the prompt, a start every row shares, the
 * grammar's constraints) and turns decoded tokens back into the result's bars: the bars a task
 * keeps come from the request untouched, locked notes come back exactly as they were.
 */
import type { NoteInput } from '../../core/song/types.ts';
import { inKeyPitchClasses } from '../../core/theory/scales.ts';
import { ticksPerBar } from '../../core/time.ts';
import { encodePart, sliceChords, type Part, type TokenChord } from '../tokenizer/events.ts';
import { encodePrompt, targetChords, type ContextTrack, type Prompt } from '../tokenizer/prompt.ts';
import {
  ENERGY_LEVELS,
  MAX_BARS,
  MODEL_ROLES,
  TICKS_PER_STEP,
  isSupportedMeter,
  meterName,
  type ModelRole,
  type Task,
} from '../tokenizer/vocabulary.ts';
import { followChordsOf } from './follow-chords.ts';
import type { GrammarOptions } from './grammar.ts';
import { leapDampingOf } from './line-leaps.ts';
import { repeatDampingOf, topRepeatDampingOf } from './line-repeats.ts';
import { registerSpanOf } from './register.ts';
import { ENGINE_TASKS, MODES, RequestError, type GenerationRequest, type Mode, type SourcePart } from './request.ts';

export const MAX_VARIATIONS = 8;
/** Most tokens a bar may take in an answer: room for busy parts, a stop for runaway ones. */
const TOKENS_PER_BAR_CAP = 160;

export interface DecodePlan {
  prompt: number[];
  /** Tokens every row starts its answer with (continue: the clip's bars the model sees). */
  prefix: number[];
  /** Grammar options less the budget (which depends on the model's positions). */
  grammar: Omit<GrammarOptions, 'maxTokens'>;
  /** Cap on the answer's tokens, the prefix included. */
  maxTokens: number;
  /** Bars of the whole result. */
  resultBars: number;
  /** Where bar 0 of the answer sits in the result. */
  answerBar: number;
  /** Answer bars before this one are the given start (continue); their notes are not new. */
  firstNewAnswerBar: number;
  /** Result bars kept from the request as they are, with their notes (ticks in the result). */
  kept: { notes: NoteInput[]; chords: TokenChord[] };
  /** Locked notes (result ticks), to put back exactly over their quantised copies. */
  locked: NoteInput[];
}

/** Checks a request; throws RequestError saying what is wrong. */
export function checkRequest(r: GenerationRequest): void {
  const fail = (message: string): never => {
    throw new RequestError(message);
  };
  if (!r || typeof r !== 'object') fail('a request must be an object');
  if (!(ENGINE_TASKS as readonly string[]).includes(r.task)) fail(`task must be one of ${ENGINE_TASKS.join(', ')}, got ${String(r.task)}`);
  if (!(MODEL_ROLES as readonly string[]).includes(r.role)) fail(`role must be one of ${MODEL_ROLES.join(', ')}, got ${String(r.role)}`);
  if (!r.meter || !isSupportedMeter(r.meter)) fail(`meter ${r.meter ? meterName(r.meter) : 'missing'} is not one the model knows`);
  if (!(typeof r.bpm === 'number' && r.bpm >= 20 && r.bpm <= 400)) fail(`tempo must be 20..400 bpm, got ${r.bpm}`);
  if (!Number.isInteger(r.energy) || r.energy < 0 || r.energy >= ENERGY_LEVELS)
    fail(`energy must be 0..${ENERGY_LEVELS - 1}, got ${r.energy}`);
  if (!Number.isInteger(r.variations) || r.variations < 1 || r.variations > MAX_VARIATIONS)
    fail(`variations must be 1..${MAX_VARIATIONS}, got ${r.variations}`);
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) fail(`seed must be an integer 0..2^32-1, got ${r.seed}`);
  const s = r.sampling;
  if (!s || !(s.temperature >= 0 && s.temperature <= 5) || !(Number.isInteger(s.topK) && s.topK >= 0) || !(s.topP > 0 && s.topP <= 1)) {
    fail('sampling needs temperature 0..5, an integer topK >= 0 and topP in (0, 1]');
  }
  for (const name of ['pitchTopP', 'rhythmTopP'] as const) {
    const p = s[name];
    if (p !== undefined && !(typeof p === 'number' && p > 0 && p <= 1))
      fail(`sampling.${name} must be in (0, 1] when given, got ${String(p)}`);
  }
  if (r.followChords !== undefined && !(typeof r.followChords === 'number' && r.followChords >= 0 && r.followChords <= 1)) {
    fail(`followChords must be a number 0..1, got ${String(r.followChords)}`);
  }
  const mode = r.mode ?? 'free';
  if (!(MODES as readonly string[]).includes(mode)) fail(`mode must be one of ${MODES.join(', ')}, got ${String(mode)}`);
  const needsClip =
    r.task === 'continue' ||
    r.task === 'infill' ||
    r.task === 'vary' ||
    mode !== 'free' ||
    (r.locks && (r.locks.bars?.length ?? 0) + (r.locks.notes?.length ?? 0) > 0);
  if (needsClip) {
    if (!r.clip) fail(`${r.task}${mode !== 'free' ? ` with ${mode}` : ''}${r.locks ? ' with locks' : ''} needs the clip`);
    checkPart(r.clip!, 'clip', r.role);
  }
  if (r.task !== 'infill' && r.task !== 'vary' && r.task !== 'continue') checkBars(r.bars, 'bars');
  if (r.task === 'continue') {
    checkBars(r.bars, 'bars');
    if (r.bars >= MAX_BARS) fail(`continue writes at most ${MAX_BARS - 1} bars after the clip`);
    if (mode !== 'free') fail(`continue cannot ${mode}: it writes new bars`);
  }
  if (r.task === 'infill') {
    const range = r.infill;
    if (
      !range ||
      !Number.isInteger(range.from) ||
      !Number.isInteger(range.to) ||
      range.from < 0 ||
      range.to <= range.from ||
      range.to > r.clip!.bars
    ) {
      fail(`infill needs bars from..to inside the clip's ${r.clip!.bars} bars`);
    }
  }
  if (mode !== 'free' && r.task !== 'infill' && r.task !== 'vary' && r.clip!.bars !== r.bars)
    fail(`${mode} needs a clip as long as the result (${r.bars} bars), got ${r.clip!.bars}`);
  if (mode !== 'free' && r.role === 'chords') fail(`${mode} works on notes, not on the chord track`);
  if (mode === 'keep-notes' && (r.locks?.notes?.length || r.locks?.bars?.length))
    fail('keep-notes already keeps every note; it cannot also lock some');
  for (const bar of r.locks?.bars ?? [])
    if (!Number.isInteger(bar) || bar < 0 || bar >= r.clip!.bars) fail(`locked bar ${bar} is outside the clip`);
  for (const index of r.locks?.notes ?? [])
    if (!Number.isInteger(index) || index < 0 || index >= (r.clip!.notes?.length ?? 0)) fail(`locked note ${index} is not in the clip`);
  if (r.chords) checkChords(r.chords, 'chords');
  for (const [i, track] of (r.tracks ?? []).entries()) {
    if (!(MODEL_ROLES as readonly string[]).includes(track?.role)) fail(`tracks[${i}] has no known role`);
    checkPart(track.part, `tracks[${i}]`, track.role);
  }
}

function checkBars(bars: number, what: string): void {
  if (!Number.isInteger(bars) || bars < 1 || bars > MAX_BARS) throw new RequestError(`${what} must be 1..${MAX_BARS}, got ${bars}`);
}

function checkPart(part: SourcePart, what: string, role: ModelRole): void {
  if (!part || typeof part !== 'object') throw new RequestError(`${what} must be an object`);
  checkBars(part.bars, `${what}.bars`);
  if (role === 'chords') return checkChords(part.chords ?? [], `${what}.chords`);
  if (!Array.isArray(part.notes ?? [])) throw new RequestError(`${what}.notes must be an array`);
  for (const n of part.notes ?? []) {
    const ok =
      n &&
      Number.isInteger(n.pitch) &&
      n.pitch >= 0 &&
      n.pitch <= 127 &&
      Number.isFinite(n.tick) &&
      n.tick >= 0 &&
      Number.isFinite(n.duration) &&
      n.duration > 0 &&
      Number.isFinite(n.velocity) &&
      n.velocity >= 1 &&
      n.velocity <= 127;
    if (!ok) throw new RequestError(`${what} has a bad note: ${JSON.stringify(n)}`);
  }
}

function checkChords(chords: TokenChord[], what: string): void {
  if (!Array.isArray(chords)) throw new RequestError(`${what} must be an array`);
  for (const c of chords) {
    if (!c || !Number.isFinite(c.tick) || c.tick < 0 || !(c.root === null || (Number.isInteger(c.root) && c.root >= 0 && c.root < 12))) {
      throw new RequestError(`${what} has a bad chord: ${JSON.stringify(c)}`);
    }
  }
}

const partOf = (role: ModelRole, source: SourcePart): Part =>
  role === 'chords' ? { role, chords: source.chords ?? [] } : { role, notes: source.notes ?? [] };

/** Accompaniment the model was trained with: pitched parts for pitched roles, the lead for chords, none for drums. */
function contextRoles(role: ModelRole): ModelRole[] {
  if (role === 'drums') return [];
  if (role === 'chords') return ['lead'];
  return ['keys', 'bass', 'lead'].filter((r) => r !== role) as ModelRole[];
}

export function planRequest(r: GenerationRequest, maxPositions: number): DecodePlan {
  checkRequest(r);
  const mode: Mode = r.mode ?? 'free';
  const barTicks = ticksPerBar(r.meter);
  const clip = r.clip ?? null;
  const clipNotes = clip?.notes ?? [];
  const pitched = r.role !== 'drums' && r.role !== 'chords';

  // The passage the model sees (conditions' bars), where the answer starts in it, and the result.
  let passageFrom = 0;
  let passageBars = r.bars;
  let answerFrom = 0;
  let answerBars = r.bars;
  let resultBars = r.bars;
  let task: Task = 'generate';
  const context: ContextTrack[] = [];
  if (r.task === 'continue') {
    resultBars = clip!.bars + r.bars;
    passageFrom = Math.max(0, resultBars - MAX_BARS);
    passageBars = resultBars - passageFrom;
    answerFrom = 0;
    answerBars = passageBars;
  } else if (r.task === 'infill') {
    if (clip!.bars > MAX_BARS) throw new RequestError(`infill works on clips of up to ${MAX_BARS} bars`);
    resultBars = passageBars = clip!.bars;
    answerFrom = r.infill!.from;
    answerBars = r.infill!.to - r.infill!.from;
    task = 'infill';
    context.push({ part: partOf(r.role, clip!), fromBar: 0, masked: { from: r.infill!.from, to: r.infill!.to } });
  } else if (r.task === 'vary') {
    if (clip!.bars > MAX_BARS) throw new RequestError(`vary works on clips of up to ${MAX_BARS} bars`);
    resultBars = passageBars = answerBars = clip!.bars;
    task = 'vary';
    context.push({ part: partOf(r.role, clip!), fromBar: 0 });
  } else if (r.task === 'accompany') {
    const wanted = contextRoles(r.role);
    for (const track of r.tracks ?? []) {
      if (wanted.includes(track.role) && track.role !== r.role) context.push({ part: partOf(track.role, track.part), fromBar: 0 });
    }
    if (context.length > 0) task = 'accompany';
  }

  const passageChords = r.chords && pitched ? sliceChords(r.chords, passageFrom * barTicks, passageBars * barTicks) : null;
  const prompt: Prompt = {
    conditions: {
      role: r.role,
      task,
      style: r.style,
      key: r.role === 'drums' ? null : r.key,
      meter: r.meter,
      bpm: r.bpm,
      bars: passageBars,
      energy: r.energy,
    },
    chords: passageChords,
    context,
  };
  const answerChords = targetChords(prompt, answerFrom, answerBars);

  // Result ticks of the answer's first bar; notes of the clip in the answer's bars, in answer ticks.
  const answerBar = passageFrom + answerFrom;
  const answerStart = answerBar * barTicks;
  const inAnswer = (n: NoteInput): boolean =>
    n.tick >= answerStart - TICKS_PER_STEP / 2 && n.tick < answerStart + answerBars * barTicks - TICKS_PER_STEP / 2;
  const toAnswer = (n: NoteInput): NoteInput => ({ ...n, tick: Math.max(0, n.tick - answerStart) });
  const barOf = (n: NoteInput): number => Math.floor((n.tick + TICKS_PER_STEP / 2) / barTicks);

  const grammar: Omit<GrammarOptions, 'maxTokens'> = { role: r.role, meter: r.meter, bars: answerBars, chords: answerChords };
  if (r.scaleLock && pitched && r.key) grammar.scale = inKeyPitchClasses(r.key);
  grammar.followChords = pitched ? followChordsOf(r) : 0;
  const span = pitched ? registerSpanOf(r.role) : undefined;
  if (span !== undefined) grammar.span = span;
  if (pitched && repeatDampingOf(r.role) > 0) grammar.repeatDamping = repeatDampingOf(r.role);
  if (pitched && topRepeatDampingOf(r.role) > 0) grammar.topRepeatDamping = topRepeatDampingOf(r.role);
  if (pitched && leapDampingOf(r.role) > 0) grammar.leapDamping = leapDampingOf(r.role);
  const lockedBars = new Set(r.locks?.bars ?? []);
  const lockedIndex = new Set(r.locks?.notes ?? []);
  const locked: NoteInput[] = [];
  let prefix: number[] = [];
  let firstNewAnswerBar = 0;
  if (r.task === 'continue') {
    // The clip's bars in the passage are the answer's given start.
    firstNewAnswerBar = clip!.bars - passageFrom;
    const givenChords = passageChords ? sliceChords(passageChords, 0, firstNewAnswerBar * barTicks) : null;
    prefix = encodePart(partOf(r.role, clip!), r.meter, passageFrom, firstNewAnswerBar, undefined, givenChords);
  } else if (clip && r.role !== 'chords') {
    const fixed: NoteInput[] = [];
    const slots: NoteInput[] = [];
    const sequence: NoteInput[] = [];
    clipNotes.forEach((n, i) => {
      if (!inAnswer(n)) return;
      const isLocked = lockedIndex.has(i) || lockedBars.has(barOf(n));
      if (isLocked) {
        fixed.push(toAnswer(n));
        locked.push(n);
      } else if (mode === 'keep-rhythm') slots.push(toAnswer(n));
      else if (mode === 'keep-notes') sequence.push(n);
    });
    grammar.fixedNotes = fixed;
    if (mode === 'keep-rhythm') grammar.rhythmSlots = slots;
    if (mode === 'keep-notes') grammar.pitchSequence = sequence.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch).map((n) => n.pitch);
    const closed = [...lockedBars].map((b) => b - answerBar).filter((b) => b >= 0 && b < answerBars);
    grammar.closedBars = mode === 'keep-rhythm' ? Array.from({ length: answerBars }, (_, b) => b) : closed;
  }

  // What the result keeps as given: everything of the clip outside the answer's new bars.
  const kept = { notes: [] as NoteInput[], chords: [] as TokenChord[] };
  if (r.task === 'continue') {
    kept.notes = clipNotes.map((n) => ({ ...n }));
    kept.chords = (clip!.chords ?? []).map((c) => ({ ...c }));
  } else if (r.task === 'infill') {
    kept.notes = clipNotes.filter((n) => !inAnswer(n)).map((n) => ({ ...n }));
    kept.chords = (clip!.chords ?? [])
      .filter((c) => c.tick < answerStart || c.tick >= answerStart + answerBars * barTicks)
      .map((c) => ({ ...c }));
  }

  let tokens = encodePrompt(prompt);
  // Too long a context: drop accompanying parts until the answer has room.
  const need = prefix.length + answerBars * 24 + 16;
  while (tokens.length + need > maxPositions && task === 'accompany' && context.length > 1) {
    context.splice(0, 1);
    tokens = encodePrompt(prompt);
  }
  const room = maxPositions - tokens.length;
  if (room < need)
    throw new RequestError(
      `the request is too long for the model: ${tokens.length + prefix.length} tokens of prompt leave ${room - prefix.length} of ${maxPositions} positions`,
    );
  return {
    prompt: tokens,
    prefix,
    grammar,
    maxTokens: Math.min(room, prefix.length + answerBars * TOKENS_PER_BAR_CAP),
    resultBars,
    answerBar,
    firstNewAnswerBar,
    kept,
    locked,
  };
}

/** Quantised identity of a note as the tokens carry it: its grid step and pitch. */
const gridKey = (n: NoteInput): string => `${Math.round(n.tick / TICKS_PER_STEP)}:${n.pitch}`;

/**
 * The result's bars from one row's decoded answer (notes/chords in answer ticks): the given start
 * left out (it is in `kept`), shifted into result ticks, locked notes put back exactly as they were.
 */
export function assembleResult(
  plan: DecodePlan,
  meterBarTicks: number,
  answer: { notes: NoteInput[]; chords: TokenChord[] },
): { notes: NoteInput[]; chords: TokenChord[] } {
  const offset = plan.answerBar * meterBarTicks;
  const newFrom = plan.firstNewAnswerBar * meterBarTicks;
  const lockedKeys = new Set(plan.locked.map(gridKey));
  const notes = answer.notes
    .filter((n) => n.tick >= newFrom)
    .map((n) => ({ ...n, tick: n.tick + offset }))
    .filter((n) => !lockedKeys.has(gridKey(n)));
  notes.push(...plan.locked.map((n) => ({ ...n })), ...plan.kept.notes);
  notes.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  const chords = answer.chords.filter((c) => c.tick >= newFrom).map((c) => ({ ...c, tick: c.tick + offset }));
  chords.push(...plan.kept.chords);
  chords.sort((a, b) => a.tick - b.tick);
  return { notes, chords };
}
