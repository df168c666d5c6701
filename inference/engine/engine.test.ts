import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../core/random.ts';
import type { NoteInput } from '../../core/song/types.ts';
import { inKeyPitchClasses } from '../../core/theory/scales.ts';
import { ticksPerBar, type Meter } from '../../core/time.ts';
import { loadModelFolder } from '../node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../node/shipped-model.ts';
import type { TokenChord } from '../tokenizer/events.ts';
import { DRUM_PITCHES, MODEL_ROLES, PITCH_RANGES, STYLES, TICKS_PER_STEP, type ModelRole } from '../tokenizer/vocabulary.ts';
import { Engine } from './engine.ts';
import { DEFAULT_LEAP_DAMPING } from './line-leaps.ts';
import { DEFAULT_REPEAT_DAMPING, DEFAULT_TOP_REPEAT_DAMPING } from './line-repeats.ts';
import { DEFAULT_REGISTER_SPAN } from './register.ts';
import { DEFAULT_TOP_P_BY_CHOICE } from './sampler.ts';
import { RequestError, type EngineTask, type GenerationRequest, type GenerationResult, type Mode, type SourcePart } from './request.ts';

const loaded = await loadModelFolder(SHIPPED_MODEL_DIR);
const engine = new Engine(loaded.lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, loaded.provider.name);
const FOUR: Meter = { numerator: 4, denominator: 4 };
const sampling = { temperature: 1, topK: 0, topP: 0.95 };

function baseRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    task: 'generate',
    role: 'bass',
    style: 'funk',
    key: { tonic: 9, mode: 'minor' },
    meter: FOUR,
    bpm: 104,
    energy: 2,
    bars: 4,
    chords: [0, 1, 2, 3].map((bar) => ({ tick: bar * 1920, root: [9, 2, 5, 4][bar]!, quality: bar === 3 ? '7' : 'min' }) as TokenChord),
    variations: 1,
    seed: 7,
    sampling,
    ...overrides,
  };
}

const pitchedRange = (role: ModelRole) => (role === 'drums' || role === 'chords' ? null : PITCH_RANGES[role]);

/** A plausible clip for `role`: on the grid mostly, a few notes off it (played in, not drawn). */
function randomClip(role: ModelRole, meter: Meter, bars: number, random: () => number): SourcePart {
  const barTicks = ticksPerBar(meter);
  if (role === 'chords') {
    return {
      bars,
      chords: Array.from({ length: bars }, (_, bar) => ({
        tick: bar * barTicks,
        root: Math.floor(random() * 12),
        quality: 'maj' as const,
      })),
    };
  }
  const notes: NoteInput[] = [];
  const range = pitchedRange(role);
  for (let bar = 0; bar < bars; bar++) {
    const count = 1 + Math.floor(random() * 6);
    for (let i = 0; i < count; i++) {
      const pitch =
        role === 'drums'
          ? DRUM_PITCHES[Math.floor(random() * DRUM_PITCHES.length)]!
          : range!.low + Math.floor(random() * (range!.high - range!.low + 1));
      const step = Math.floor(random() * (barTicks / TICKS_PER_STEP));
      const jitter = random() < 0.2 ? Math.floor(random() * 15) : 0;
      notes.push({
        pitch,
        tick: bar * barTicks + step * TICKS_PER_STEP + jitter,
        duration: 60 + Math.floor(random() * 900),
        velocity: 30 + Math.floor(random() * 97),
      });
    }
  }
  return { bars, notes };
}

/** A random request of any task, role, meter and mode that the engine should accept. */
function randomRequest(random: () => number, index: number): GenerationRequest {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const role = pick(MODEL_ROLES);
  const meter = pick<Meter>([
    FOUR,
    FOUR,
    { numerator: 3, denominator: 4 },
    { numerator: 6, denominator: 8 },
    { numerator: 7, denominator: 8 },
    { numerator: 5, denominator: 4 },
  ]);
  const task = pick<EngineTask>(['generate', 'generate', 'continue', 'infill', 'vary', 'accompany']);
  const bars = 1 + Math.floor(random() * (random() < 0.1 ? 8 : 4));
  const barTicks = ticksPerBar(meter);
  const chords: TokenChord[] = [];
  for (let tick = 0; tick < 16 * barTicks; tick += barTicks / (random() < 0.3 ? 2 : 1))
    chords.push({ tick, root: random() < 0.05 ? null : Math.floor(random() * 12), quality: pick(['maj', 'min', '7', 'm7'] as const) });
  const request: GenerationRequest = {
    task,
    role,
    meter,
    bars,
    chords,
    style: pick(STYLES),
    key: { tonic: Math.floor(random() * 12), mode: pick(['major', 'minor'] as const) },
    bpm: 60 + Math.floor(random() * 120),
    energy: Math.floor(random() * 5),
    variations: 1 + Math.floor(random() * 3),
    seed: index,
    sampling: { temperature: 0.6 + random() * 0.8, topK: pick([0, 0, 8, 40]), topP: pick([1, 0.95, 0.9]) },
  };
  const clipBars = task === 'continue' ? 1 + Math.floor(random() * 4) : bars;
  if (task !== 'generate' && task !== 'accompany') request.clip = randomClip(role, meter, clipBars, random);
  if (task === 'infill') {
    const from = Math.floor(random() * clipBars);
    request.infill = { from, to: from + 1 + Math.floor(random() * (clipBars - from)) };
  }
  if (task === 'accompany')
    request.tracks = [
      { role: role === 'lead' ? 'keys' : 'lead', part: randomClip(role === 'lead' ? 'keys' : 'lead', meter, bars, random) },
    ];
  const pitched = role !== 'drums' && role !== 'chords';
  if (pitched && random() < 0.3) request.scaleLock = true;
  if (pitched && (task === 'generate' || task === 'vary') && random() < 0.3) {
    request.clip ??= randomClip(role, meter, bars, random);
    request.mode = pick<Mode>(['keep-rhythm', 'keep-notes']);
  }
  if (role !== 'chords' && request.clip && request.mode !== 'keep-notes' && task !== 'continue' && random() < 0.4) {
    const notes = request.clip.notes ?? [];
    request.locks = {
      notes: notes.map((_, i) => i).filter(() => random() < 0.3),
      bars: random() < 0.3 ? [Math.floor(random() * request.clip.bars)] : [],
    };
  }
  return request;
}

const sameNote = (a: NoteInput, b: NoteInput): boolean =>
  a.pitch === b.pitch && a.tick === b.tick && a.duration === b.duration && a.velocity === b.velocity;

/** Everything a result must satisfy, whatever the model wrote. */
function checkResult(r: GenerationRequest, result: GenerationResult): void {
  const barTicks = ticksPerBar(r.meter);
  const clip = r.clip;
  const resultBars = r.task === 'continue' ? clip!.bars + r.bars : r.task === 'infill' || r.task === 'vary' ? clip!.bars : r.bars;
  assert.equal(result.variations.length, r.variations);
  const range = pitchedRange(r.role);
  // keep-notes writes the clip's own pitches, whatever the scale.
  const scale = r.scaleLock && range && r.key && r.mode !== 'keep-notes' ? inKeyPitchClasses(r.key) : null;
  const lockedBars = new Set(r.locks?.bars ?? []);
  const barOf = (n: NoteInput) => Math.floor((n.tick + TICKS_PER_STEP / 2) / barTicks);
  const locked = (clip?.notes ?? []).filter((n, i) => r.locks?.notes?.includes(i) || lockedBars.has(barOf(n)));
  const given =
    r.task === 'continue'
      ? (clip!.notes ?? [])
      : r.task === 'infill'
        ? (clip!.notes ?? []).filter((n) => barOf(n) < r.infill!.from || barOf(n) >= r.infill!.to)
        : [];
  for (const v of result.variations) {
    assert.equal(v.bars, resultBars);
    if (r.role === 'chords') {
      assert.equal(v.notes.length, 0);
      for (const c of v.chords) assert.ok(c.tick >= 0 && c.tick < resultBars * barTicks, `chord at ${c.tick}`);
      continue;
    }
    const fixed = [...locked, ...given];
    for (const f of fixed)
      assert.ok(
        v.notes.some((n) => sameNote(n, f)),
        `kept note ${JSON.stringify(f)} is there exactly`,
      );
    const written = v.notes.filter((n) => !fixed.some((f) => sameNote(n, f)));
    for (const n of written) {
      assert.ok(n.tick >= 0 && n.tick < resultBars * barTicks, `note at ${n.tick} inside ${resultBars} bars`);
      if (range) assert.ok(n.pitch >= range.low && n.pitch <= range.high, `${r.role} pitch ${n.pitch} in range`);
      else assert.ok((DRUM_PITCHES as readonly number[]).includes(n.pitch), `drum pitch ${n.pitch}`);
      if (scale) assert.ok(scale.has(n.pitch % 12), `pitch ${n.pitch} in the locked scale`);
      assert.ok(!lockedBars.has(barOf(n)) || r.task === 'infill', `no new note in locked bar ${barOf(n)}`);
    }
    if (r.mode === 'keep-notes') {
      const expected = (clip!.notes ?? []).map((n) => n.pitch);
      assert.deepEqual(
        v.notes.map((n) => n.pitch).sort((a, b) => a - b),
        expected.sort((a, b) => a - b),
        'keep-notes keeps every pitch',
      );
    }
    if (r.mode === 'keep-rhythm') {
      const grid = (n: NoteInput) => Math.round(n.tick / TICKS_PER_STEP);
      const slots = (clip!.notes ?? []).map(grid).sort((a, b) => a - b);
      // Notes stacked at one step may merge when the model picks the same pitch twice: never more slots than the clip's.
      const got = v.notes.map(grid).sort((a, b) => a - b);
      assert.ok(
        got.every((s) => slots.includes(s)),
        "keep-rhythm writes only at the clip's positions",
      );
    }
  }
}

test('same request and seed give the same notes; another seed gives others', async () => {
  const request = baseRequest({ variations: 3 });
  const first = await engine.generate(request);
  const again = await engine.generate(request);
  assert.deepEqual(again.variations, first.variations);
  const other = await engine.generate({ ...request, seed: 8 });
  assert.notDeepEqual(other.variations, first.variations);
  assert.notDeepEqual(first.variations[0], first.variations[1], 'variations of one batch differ');
});

test('1,000 random conditioned requests (every task, role, mode, meter; locks) all give valid results of the asked length', {
  timeout: 20 * 60_000,
}, async () => {
  const random = seededRandom(2024);
  const byTask: Record<string, number> = {};
  const refusals: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const request = randomRequest(random, i);
    let result: GenerationResult;
    try {
      result = await engine.generate(request);
    } catch (error) {
      // A request that cannot fit (too many kept notes for its bars) is refused with a reason, never a crash.
      assert.ok(
        error instanceof RequestError || (error as Error).name === 'GrammarError',
        `request ${i} failed: ${(error as Error).stack}`,
      );
      refusals.push(`${i} ${request.task} ${request.role}: ${(error as Error).message}`);
      continue;
    }
    try {
      checkResult(request, result);
    } catch (error) {
      throw new Error(`request ${i}: ${(error as Error).message}\n${JSON.stringify(request)}\n${JSON.stringify(result.variations)}`);
    }
    byTask[request.task] = (byTask[request.task] ?? 0) + 1;
  }
  assert.ok(refusals.length <= 5, `refused:\n${refusals.join('\n')}`);
  for (const task of ['generate', 'continue', 'infill', 'vary', 'accompany'])
    assert.ok((byTask[task] ?? 0) > 50, `${task}: ${JSON.stringify(byTask)}`);
});

test('locked notes and bars never change; keep-rhythm keeps positions and lengths', async () => {
  const clip = {
    bars: 2,
    notes: [
      { pitch: 45, tick: 0, duration: 480, velocity: 100 },
      { pitch: 52, tick: 963, duration: 233, velocity: 71 },
      { pitch: 48, tick: 1920 + 480, duration: 480, velocity: 90 },
    ],
  };
  for (let seed = 0; seed < 8; seed++) {
    const request = baseRequest({ task: 'vary', clip, locks: { notes: [1], bars: [1] }, seed, variations: 2 });
    const result = await engine.generate(request);
    checkResult(request, result);
    for (const v of result.variations) {
      assert.deepEqual(
        v.notes.filter((n) => n.tick >= 1920),
        [clip.notes[2]],
        'the locked bar holds only its note',
      );
      assert.ok(
        v.notes.some((n) => sameNote(n, clip.notes[1]!)),
        'the locked note comes back off the grid, exactly',
      );
    }
  }
  const rhythm = await engine.generate(baseRequest({ clip: { bars: 2, notes: clip.notes }, bars: 2, mode: 'keep-rhythm', seed: 3 }));
  assert.deepEqual(
    rhythm.variations[0]!.notes.map((n) => [Math.round(n.tick / 40), n.duration]),
    clip.notes.map((n) => [Math.round(n.tick / 40), Math.round(n.duration / 40) * 40]),
  );
});

test("notes stream as they are decoded and are exactly the result's new notes", async () => {
  const streamed: NoteInput[][] = [[], []];
  const result = await engine.generate(
    baseRequest({
      task: 'continue',
      clip: { bars: 1, notes: [{ pitch: 45, tick: 0, duration: 960, velocity: 100 }] },
      bars: 3,
      variations: 2,
    }),
    {
      onNote: (event) => {
        assert.ok('note' in event);
        streamed[event.variation]!.push(event.note);
      },
    },
  );
  for (const [i, v] of result.variations.entries()) {
    const fresh = v.notes.filter((n) => n.tick >= 1920);
    assert.deepEqual(
      streamed[i]!.slice().sort((a, b) => a.tick - b.tick || a.pitch - b.pitch),
      fresh,
    );
  }
  const p = result.provenance;
  assert.equal(p.model.id, loaded.card.id);
  assert.equal(p.model.sha256, loaded.card.weights.sha256);
  assert.equal(p.task, 'continue');
  assert.equal(p.seed, 7);
  assert.equal(p.provider, 'cpu');
  assert.ok(p.timing.firstNoteMs !== null && p.timing.firstNoteMs <= p.timing.totalMs);
  assert.ok(p.timing.decodedTokens > 0);
});

test('cancelling stops decoding at once: no note after the abort, the promise rejects', async (t) => {
  // The engine's model, with every forward pass counted: a cancel shows as passes that never ran.
  const passes: number[] = [];
  const lm = Object.create(loaded.lm) as typeof loaded.lm;
  lm.forward = (ids, cache) => {
    passes.push(performance.now());
    return loaded.lm.forward(ids, cache);
  };
  const counting = new Engine(lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, loaded.provider.name);
  const request = baseRequest({ role: 'drums', bars: 16, energy: 4, variations: 4 });
  const controller = new AbortController();
  let notesAfterAbort = 0;
  let abortedAt = 0;
  const pending = counting.generate(request, {
    signal: controller.signal,
    onNote: () => {
      if (abortedAt) notesAfterAbort++;
      else {
        abortedAt = performance.now();
        controller.abort();
      }
    },
  });
  await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
  const rejectedMs = performance.now() - abortedAt;
  assert.ok(abortedAt > 0, 'a note was streamed, and the request aborted there');
  assert.equal(notesAfterAbort, 0);
  // The abort came in the middle of a step (from a note): that step's rows finish, and no forward
  // pass starts after it.
  const passesBeforeAbort = passes.filter((p) => p < abortedAt).length;
  assert.equal(passes.length, passesBeforeAbort, `${passes.length - passesBeforeAbort} forward passes after the abort`);
  // Sixteen busy bars take hundreds of steps (seconds); even sixteen empty bars need 17 tokens (a BAR
  // each, then EOS), so 17 passes. The cancelled one ended within a few steps of its first note.
  assert.ok(passesBeforeAbort < 17, `${passesBeforeAbort} forward passes before the cancel`);
  // ...and promptly: the promise rejects without waiting on another step (a few ms here; the bound
  // leaves room for a busy machine, not for the seconds that a request left running would take).
  assert.ok(rejectedMs < 500, `rejected ${Math.round(rejectedMs)} ms after the abort`);
  t.diagnostic(`cancelled after ${passesBeforeAbort} forward passes; rejected ${rejectedMs.toFixed(1)} ms after the abort`);
});

test('follow the chords at 1: every note on a beat is a tone of its chord; provenance says the strength', async () => {
  const request = baseRequest({ role: 'keys', energy: 3, variations: 3, followChords: 1 });
  const result = await engine.generate(request);
  assert.equal(result.provenance.conditions.followChords, 1);
  const tones = (tick: number) => {
    const chord = [...request.chords!].reverse().find((c) => c.tick <= tick)!;
    const steps = chord.quality === 'min' ? [0, 3, 7] : [0, 4, 7, 10];
    return new Set(steps.map((i) => (chord.root! + i) % 12));
  };
  let onBeats = 0;
  for (const v of result.variations) {
    for (const n of v.notes) {
      if (n.tick % 480 !== 0) continue;
      onBeats++;
      assert.ok(tones(n.tick).has(n.pitch % 12), `pitch ${n.pitch} at ${n.tick}`);
    }
  }
  assert.ok(onBeats > 0);
  const again = await engine.generate(request);
  assert.deepEqual(again.variations, result.variations, 'same request and seed, same notes');
});

test("a bass line keeps its register and the role's decoding defaults; provenance says what was used", async () => {
  const request = baseRequest({ role: 'bass', energy: 4, variations: 4, seed: 21 });
  const result = await engine.generate(request);
  const span = DEFAULT_REGISTER_SPAN.bass!;
  for (const v of result.variations) {
    const pitches = v.notes.map((n) => n.pitch);
    assert.ok(Math.max(...pitches) - Math.min(...pitches) <= span, `range ${Math.max(...pitches) - Math.min(...pitches)} > ${span}`);
  }
  assert.equal(result.provenance.conditions.span, span);
  assert.equal(result.provenance.conditions.repeatDamping, DEFAULT_REPEAT_DAMPING.bass);
  const { pitch, rhythm } = DEFAULT_TOP_P_BY_CHOICE.bass;
  assert.deepEqual(result.provenance.sampling, { ...sampling, pitchTopP: pitch ?? sampling.topP, rhythmTopP: rhythm ?? sampling.topP });
  // The provenance's sampling, sent again, writes the same notes.
  const again = await engine.generate({ ...request, sampling: result.provenance.sampling });
  assert.deepEqual(again.variations, result.variations);
  const drums = await engine.generate(baseRequest({ role: 'drums' }));
  assert.equal(drums.provenance.conditions.span, undefined);
  assert.deepEqual(drums.provenance.sampling, sampling);
});

test("keys and lead lines get their role's repeat and leap damping; provenance says which, and the same request repeats", async () => {
  for (const role of ['keys', 'lead'] as const) {
    const request = baseRequest({ role, energy: 4, variations: 2, seed: 5 });
    const result = await engine.generate(request);
    const c = result.provenance.conditions;
    assert.equal(c.topRepeatDamping, DEFAULT_TOP_REPEAT_DAMPING[role] || undefined, `${role}: top-repeat damping`);
    assert.equal(c.leapDamping, DEFAULT_LEAP_DAMPING[role] || undefined, `${role}: leap damping`);
    assert.equal(c.repeatDamping, DEFAULT_REPEAT_DAMPING[role] || undefined, `${role}: repeat damping`);
    for (const v of result.variations) assert.ok(v.notes.length > 0, `${role}: notes`);
    const again = await engine.generate({ ...request, sampling: result.provenance.sampling });
    assert.deepEqual(again.variations, result.variations, `${role}: same request and seed, same notes`);
  }
  assert.ok(DEFAULT_TOP_REPEAT_DAMPING.keys > 0 && DEFAULT_LEAP_DAMPING.lead > 0, 'the defaults this test is about are on');
});

test('bad requests are refused with a reason', async () => {
  const cases: [Partial<GenerationRequest>, RegExp][] = [
    [{ bars: 0 }, /bars must be 1\.\.16/],
    [{ task: 'infill' }, /needs the clip/],
    [{ task: 'infill', clip: { bars: 2, notes: [] }, infill: { from: 1, to: 5 } }, /inside the clip/],
    [{ variations: 9 }, /variations/],
    [{ energy: 7 }, /energy/],
    [{ meter: { numerator: 11, denominator: 16 } }, /meter/],
    [{ role: 'violin' as ModelRole }, /role/],
    [{ locks: { notes: [3] }, clip: { bars: 4, notes: [] } }, /locked note 3/],
    [{ mode: 'keep-notes', role: 'chords', clip: { bars: 4, chords: [] } }, /not on the chord track/],
    [{ followChords: 1.5 }, /followChords must be a number 0\.\.1/],
    [{ followChords: Number.NaN }, /followChords/],
    [{ sampling: { ...sampling, pitchTopP: 0 } }, /sampling\.pitchTopP must be in \(0, 1\]/],
    [{ sampling: { ...sampling, rhythmTopP: 1.2 } }, /sampling\.rhythmTopP/],
  ];
  for (const [overrides, pattern] of cases) {
    await assert.rejects(
      engine.generate(baseRequest(overrides)),
      (e: Error) => e instanceof RequestError && pattern.test(e.message),
      JSON.stringify(overrides),
    );
  }
});
