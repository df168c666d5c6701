/**
 * `npm run eval:model -- --data <dir> [--json <file>] [--model models/<id>] [--generations 100]
 *  [--max-pieces N]`
 * `npm run eval:model -- --musicality [--data ../shared/datasets] [--windows 120]
 *  [--follow-chords 0..1] [--roles bass,keys] [--temperature t] [--top-p p] [--pitch-top-p p] [--rhythm-top-p p]
 *  [--span semitones] [--repeat-damping 0..1] [--top-repeat-damping 0..1] [--leap-damping 0..5] [--seed 1] [--json bench/results/musicality.json]`: only the musicality report
 *  (eval/musicality.ts) on the held-out songs of the folder; also writes a table beside the JSON.
 *
 * <dir> has the layout of ../shared/datasets (any dataset folder may be missing). Every piece found
 * there is scored (split columns ignored) by the shipped model and by the 4-gram baseline: NLL per
 * target token, per role. Then, per role and condition set (conditions.ts), seeded generations
 * are checked for validity, key, chord tones (bass), energy and diversity. Prints JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePart } from '../../inference/engine/generate.ts';
import { DEFAULT_SAMPLING, DEFAULT_TOP_P_BY_CHOICE, type SamplingSettings } from '../../inference/engine/sampler.ts';
import { DEFAULT_FOLLOW_CHORDS } from '../../inference/engine/follow-chords.ts';
import { DEFAULT_REGISTER_SPAN, registerSpanOf } from '../../inference/engine/register.ts';
import { DEFAULT_LEAP_DAMPING, MAX_LEAP_DAMPING, leapDampingOf } from '../../inference/engine/line-leaps.ts';
import {
  DEFAULT_REPEAT_DAMPING,
  DEFAULT_TOP_REPEAT_DAMPING,
  repeatDampingOf,
  topRepeatDampingOf,
} from '../../inference/engine/line-repeats.ts';
import { loadModelFolder } from '../../inference/node/model-folder.ts';
import { decodePart } from '../../inference/tokenizer/events.ts';
import { encodePrompt, targetChords } from '../../inference/tokenizer/prompt.ts';
import { MODEL_ROLES, VOCAB, type ModelRole, type NoteRole } from '../../inference/tokenizer/vocabulary.ts';
import { readDatasets } from './datasets.ts';
import { EVAL_BARS, conditionSets } from './eval/conditions.ts';
import { CONTROL_SPLITS, MUSICALITY_ROLES, musicalityReport, musicalityTable, roundReport } from './eval/musicality.ts';
import { chordToneCount, eventSet, eventsPerBar, inKeyCount, isStrictlyIncreasing, meanPairwiseJaccard } from './eval/metrics.ts';
import { baselineNll, modelNll, scoredPositions } from './eval/nll.ts';
import { scoringExamples } from './examples.ts';
import { loadNgram } from './ngram-io.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';

export const DEFAULT_MODEL_DIR = SHIPPED_MODEL_DIR;

export interface EvalOptions {
  data: string;
  modelDir: string;
  generations: number;
  diversitySeeds: number;
  maxPieces?: number;
  /** Bars per scoring window (the model sees at most this much of a piece at once). */
  windowBars?: number;
  log?: (line: string) => void;
}

export async function evaluateModel(options: EvalOptions): Promise<Record<string, unknown>> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const { card, lm } = await loadModelFolder(options.modelDir, { threads: 2 });
  const baseline = loadNgram(join(options.modelDir, card.baseline?.file ?? 'baseline.ngram.gz'));
  const read = readDatasets(options.data);
  const pieces = options.maxPieces ? read.pieces.slice(0, options.maxPieces) : read.pieces;
  log(`${pieces.length} pieces from ${read.found.join(', ') || 'no dataset folder'}; ${read.skipped.length} files skipped`);

  const nll: Record<string, { tokens: number; model: number; baseline: number; examples: number }> = {};
  let examples = 0;
  for (const piece of pieces) {
    for (const example of scoringExamples(piece, options.windowBars)) {
      const positions = scoredPositions(example.tokens);
      const row = (nll[example.role] ??= { tokens: 0, model: 0, baseline: 0, examples: 0 });
      row.tokens += positions.length;
      row.model += await modelNll(lm, example.tokens, positions);
      row.baseline += baselineNll(baseline, example.tokens, positions);
      row.examples++;
      if (++examples % 500 === 0) log(`scored ${examples} examples`);
    }
  }
  const perRole: Record<string, unknown> = {};
  for (const role of MODEL_ROLES) {
    const row = nll[role];
    if (!row) continue;
    const model = row.model / row.tokens;
    const base = row.baseline / row.tokens;
    perRole[role] = {
      examples: row.examples,
      tokens: row.tokens,
      modelNllPerToken: round(model),
      baselineNllPerToken: round(base),
      reduction: round(1 - model / base),
    };
  }
  log(`NLL done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const generation: Record<string, unknown> = {};
  for (const role of options.generations > 0 ? MODEL_ROLES : []) {
    generation[role] = await generationReport(lm, role, options);
    log(`generated ${role}: ${JSON.stringify(generation[role])}`);
  }
  return {
    model: { id: card.id, sha256: card.weights.sha256, precision: card.weights.precision },
    data: { dir: options.data, datasets: read.found, pieces: pieces.length, skipped: read.skipped.length },
    nll: perRole,
    generation,
    sampling: DEFAULT_SAMPLING,
    topPByChoice: DEFAULT_TOP_P_BY_CHOICE,
    followChords: DEFAULT_FOLLOW_CHORDS,
    registerSpan: DEFAULT_REGISTER_SPAN,
    repeatDamping: DEFAULT_REPEAT_DAMPING,
    topRepeatDamping: DEFAULT_TOP_REPEAT_DAMPING,
    leapDamping: DEFAULT_LEAP_DAMPING,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

async function generationReport(
  lm: Awaited<ReturnType<typeof loadModelFolder>>['lm'],
  role: ModelRole,
  options: EvalOptions,
): Promise<Record<string, unknown>> {
  let valid = 0;
  let total = 0;
  const key = { inKey: 0, total: 0 };
  const chordTones = { onChord: 0, total: 0 };
  const energyCurve: number[] = [];
  let diversity = 0;
  const sets = conditionSets(role);
  for (const [index, set] of sets.entries()) {
    const prompt = encodePrompt({ conditions: set.conditions, chords: set.chords });
    const chords = targetChords({ conditions: set.conditions, chords: set.chords }, 0, EVAL_BARS);
    const batch = 25;
    let notesPerBar = 0;
    for (let start = 0; start < options.generations; start += batch) {
      const rows = await generatePart(lm, {
        prompt,
        role,
        meter: set.conditions.meter,
        bars: EVAL_BARS,
        batch: Math.min(batch, options.generations - start),
        seed: 1000 * index + start,
        sampling: DEFAULT_SAMPLING,
        chords,
        followChords: DEFAULT_FOLLOW_CHORDS[role],
        span: registerSpanOf(role),
        repeatDamping: repeatDampingOf(role),
        topRepeatDamping: topRepeatDampingOf(role),
        leapDamping: leapDampingOf(role),
      });
      for (const tokens of rows) {
        total++;
        let decoded: ReturnType<typeof decodePart>;
        try {
          decoded = decodePart(tokens, role, set.conditions.meter);
        } catch {
          continue;
        }
        if (decoded.bars !== EVAL_BARS || tokens.at(-1) !== VOCAB.id('EOS')) continue;
        valid++;
        notesPerBar += eventsPerBar(decoded.part, EVAL_BARS);
        if (decoded.part.role !== 'chords' && decoded.part.role !== 'drums' && set.conditions.key) {
          const k = inKeyCount(decoded.part.notes, set.conditions.key);
          key.inKey += k.inKey;
          key.total += k.total;
          if (role === 'bass' && set.chords) {
            const c = chordToneCount(decoded.part.notes, set.chords, set.conditions.meter);
            chordTones.onChord += c.onChord;
            chordTones.total += c.total;
          }
        }
      }
    }
    energyCurve.push(round(notesPerBar / options.generations, 2));
    if (index === 2) {
      // Diversity: one prompt, different seeds.
      const rows = await generatePart(lm, {
        prompt,
        role,
        meter: set.conditions.meter,
        bars: EVAL_BARS,
        batch: options.diversitySeeds,
        seed: 77,
        sampling: DEFAULT_SAMPLING,
        chords,
        followChords: DEFAULT_FOLLOW_CHORDS[role],
        span: registerSpanOf(role),
        repeatDamping: repeatDampingOf(role),
        topRepeatDamping: topRepeatDampingOf(role),
        leapDamping: leapDampingOf(role),
      });
      diversity = meanPairwiseJaccard(rows.map((tokens) => eventSet(decodePart(tokens, role, set.conditions.meter).part)));
    }
  }
  return {
    generations: total,
    validity: round(valid / total),
    ...(key.total > 0 ? { inKey: round(key.inKey / key.total), pitchedNotes: key.total } : {}),
    ...(chordTones.total > 0
      ? { chordTonesOnBeats13: round(chordTones.onChord / chordTones.total), bassNotesOnBeats13: chordTones.total }
      : {}),
    eventsPerBarByEnergy: energyCurve,
    energyMonotonic: isStrictlyIncreasing(energyCurve),
    diversityJaccard: round(diversity),
  };
}

function round(x: number, digits = 4): number {
  return Number(x.toFixed(digits));
}

export interface MusicalityRunOptions {
  data: string;
  modelDir: string;
  windows: number;
  /** Absent: each role's default (DEFAULT_FOLLOW_CHORDS). */
  followChords?: number;
  /** Roles to report (default: all of MUSICALITY_ROLES). */
  roles?: NoteRole[];
  /** Sampling for the model's parts (default DEFAULT_SAMPLING). */
  sampling?: SamplingSettings;
  /** Seed of the model's parts (default 1). */
  seed?: number;
  /** Keep-register span for every role (0: none); absent: role defaults. */
  span?: number;
  /** Repeat damping for every role; absent: role defaults. */
  repeatDamping?: number;
  /** Top-repeat damping for every role; absent: role defaults. */
  topRepeatDamping?: number;
  /** Leap damping for every role; absent: role defaults. */
  leapDamping?: number;
  log?: (line: string) => void;
}

/** The musicality report alone, on the held-out split of the pieces in `data`. */
export async function evaluateMusicality(options: MusicalityRunOptions): Promise<{ report: Record<string, unknown>; table: string }> {
  const started = Date.now();
  const { card, lm } = await loadModelFolder(options.modelDir, { threads: 2 });
  const read = readDatasets(options.data);
  options.log?.(`${read.pieces.length} pieces from ${read.found.join(', ') || 'no dataset folder'}`);
  const sampling = options.sampling ?? DEFAULT_SAMPLING;
  const roles = await musicalityReport(lm, read.pieces, {
    windows: options.windows,
    sampling,
    followChords: options.followChords,
    roles: options.roles,
    seed: options.seed,
    span: options.span,
    repeatDamping: options.repeatDamping,
    topRepeatDamping: options.topRepeatDamping,
    leapDamping: options.leapDamping,
    log: options.log,
  });
  const head = `Musicality of ${card.id} on held-out songs (${options.data}): ${options.windows} windows of 4 bars per role, seed ${options.seed ?? 1}, sampling ${JSON.stringify(sampling)} (pitch and rhythm top-p where not named: role defaults ${JSON.stringify(DEFAULT_TOP_P_BY_CHOICE)}), follow-chords ${options.followChords ?? `role defaults ${JSON.stringify(DEFAULT_FOLLOW_CHORDS)}`}, register span ${options.span ?? `role defaults ${JSON.stringify(DEFAULT_REGISTER_SPAN)}`}, repeat damping ${options.repeatDamping ?? `role defaults ${JSON.stringify(DEFAULT_REPEAT_DAMPING)}`}, top-repeat damping ${options.topRepeatDamping ?? `role defaults ${JSON.stringify(DEFAULT_TOP_REPEAT_DAMPING)}`}, leap damping ${options.leapDamping ?? `role defaults ${JSON.stringify(DEFAULT_LEAP_DAMPING)}`}. Overlap: histogram overlap of real vs model; control: real vs real, the windows split in two halves by song, mean over ${CONTROL_SPLITS} splits (p10-p90 of them in brackets).\n\n`;
  return {
    report: roundReport({
      model: { id: card.id, sha256: card.weights.sha256 },
      data: options.data,
      windowsPerRole: options.windows,
      seed: options.seed ?? 1,
      sampling,
      topPByChoice: DEFAULT_TOP_P_BY_CHOICE,
      followChords: options.followChords ?? DEFAULT_FOLLOW_CHORDS,
      registerSpan: options.span ?? DEFAULT_REGISTER_SPAN,
      repeatDamping: options.repeatDamping ?? DEFAULT_REPEAT_DAMPING,
      topRepeatDamping: options.topRepeatDamping ?? DEFAULT_TOP_REPEAT_DAMPING,
      leapDamping: options.leapDamping ?? DEFAULT_LEAP_DAMPING,
      controlSplits: CONTROL_SPLITS,
      roles,
      seconds: Math.round((Date.now() - started) / 1000),
    }),
    table: head + musicalityTable(roles),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      musicality: { type: 'boolean', default: false },
      windows: { type: 'string', default: '120' },
      'follow-chords': { type: 'string' },
      roles: { type: 'string' },
      temperature: { type: 'string' },
      'top-p': { type: 'string' },
      'pitch-top-p': { type: 'string' },
      'rhythm-top-p': { type: 'string' },
      seed: { type: 'string', default: '1' },
      span: { type: 'string' },
      'repeat-damping': { type: 'string' },
      'top-repeat-damping': { type: 'string' },
      'leap-damping': { type: 'string' },
      data: { type: 'string' },
      json: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      generations: { type: 'string', default: '100' },
      'max-pieces': { type: 'string' },
      'window-bars': { type: 'string', default: '16' },
    },
  });
  if (values.musicality) {
    const followChords = values['follow-chords'] === undefined ? undefined : Number(values['follow-chords']);
    const windows = Number(values.windows);
    const roles = values.roles?.split(',') as NoteRole[] | undefined;
    const seed = Number(values.seed);
    const span = values.span === undefined ? undefined : Number(values.span);
    const repeatDamping = values['repeat-damping'] === undefined ? undefined : Number(values['repeat-damping']);
    const topRepeatDamping = values['top-repeat-damping'] === undefined ? undefined : Number(values['top-repeat-damping']);
    const leapDamping = values['leap-damping'] === undefined ? undefined : Number(values['leap-damping']);
    if (
      (span !== undefined && !(Number.isInteger(span) && span >= 0)) ||
      (repeatDamping !== undefined && !(repeatDamping >= 0 && repeatDamping <= 1)) ||
      (topRepeatDamping !== undefined && !(topRepeatDamping >= 0 && topRepeatDamping <= 1)) ||
      (leapDamping !== undefined && !(leapDamping >= 0 && leapDamping <= MAX_LEAP_DAMPING))
    ) {
      console.error(
        `eval:model: --span must be a whole number of semitones >= 0 (0: none), --repeat-damping and --top-repeat-damping 0..1, --leap-damping 0..${MAX_LEAP_DAMPING}`,
      );
      process.exit(2);
    }
    const choiceTopP = (flag: string | undefined, name: 'pitchTopP' | 'rhythmTopP') => (flag === undefined ? {} : { [name]: Number(flag) });
    if (
      (followChords !== undefined && !(followChords >= 0 && followChords <= 1)) ||
      !(Number.isInteger(windows) && windows >= 2) ||
      !(Number.isInteger(seed) && seed >= 0) ||
      roles?.some((r) => !MUSICALITY_ROLES.includes(r))
    ) {
      console.error(
        `eval:model: --follow-chords must be 0..1, --windows an integer >= 2, --seed an integer >= 0, --roles some of ${MUSICALITY_ROLES.join(',')}`,
      );
      process.exit(2);
    }
    const { report, table } = await evaluateMusicality({
      data: values.data ?? '../shared/datasets',
      modelDir: values.model!,
      windows,
      followChords,
      roles,
      seed,
      span,
      repeatDamping,
      topRepeatDamping,
      leapDamping,
      sampling: {
        ...DEFAULT_SAMPLING,
        temperature: Number(values.temperature ?? DEFAULT_SAMPLING.temperature),
        topP: Number(values['top-p'] ?? DEFAULT_SAMPLING.topP),
        ...choiceTopP(values['pitch-top-p'], 'pitchTopP'),
        ...choiceTopP(values['rhythm-top-p'], 'rhythmTopP'),
      },
      log: (line) => console.error(`eval:model: ${line}`),
    });
    const json = values.json ?? 'bench/results/musicality.json';
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${json.replace(/\.json$/, '')}.md`, `${table}\n`);
    process.stdout.write(`${table}\n`);
    process.exit(0);
  }
  if (!values.data) {
    console.error(
      'usage: npm run eval:model -- --data <dir with the layout of ../shared/datasets> [--json <file>] [--model <dir>] [--generations 100] [--max-pieces N]',
    );
    process.exit(2);
  }
  const report = await evaluateModel({
    data: values.data,
    modelDir: values.model!,
    generations: Number(values.generations),
    diversitySeeds: 16,
    maxPieces: values['max-pieces'] ? Number(values['max-pieces']) : undefined,
    windowBars: Number(values['window-bars']),
    log: (line) => console.error(`eval:model: ${line}`),
  });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (values.json) writeFileSync(values.json, text);
  process.stdout.write(text);
}
