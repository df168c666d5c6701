/**
 * npm run bench:originality — did the model copy? What the originality check marks:
 *
 *   node bench/originality/run.ts [--data ../shared/datasets] [--generations 2000] [--out bench/results/originality.json]
 *                                 [--roles keys,lead]   (regenerate these roles only, keep the others' figures)
 *
 * 1. Thresholds from the data: for line windows of 6, 8 and 10 notes (marked when a run of found
 *    notes is longer than the window) and drum windows of 1, 2 and 4 bars, the share of held-out
 *    human 4-bar windows (songs the model never saw) that the check marks: its false alarms. The
 *    index for this part is built here from the training split, the same way as the shipped one.
 * 2. The model: `--generations` 4-bar parts per role (drums, bass, keys, lead) from the shipped
 *    model at the app's default settings (the engine's role defaults, 4 variations a request, the
 *    eval's condition sets: five energy levels, each in its own key over I–V–vi–IV), checked
 *    against the shipped index (models/<id>/originality.bin): the share marked, and the longest
 *    runs found.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { NoteInput } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import { Engine } from '../../inference/engine/engine.ts';
import { checkPart, type CopyReport, type PartToCheck } from '../../inference/originality/check.ts';
import { CHECKED_ROLES, MIN_DISTINCT_PITCHES, WINDOW_SIZES, type CheckedRole } from '../../inference/originality/fingerprint.ts';
import { decodeIndex, type OriginalityIndex } from '../../inference/originality/index-file.ts';
import { loadModelFolder } from '../../inference/node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { conditionSets, EVAL_BARS } from '../../models/training/eval/conditions.ts';
import { readDatasets } from '../../models/training/datasets.ts';
import { indexOf, MAX_SONGS } from '../../models/training/originality-data.ts';
import type { Piece } from '../../models/training/piece.ts';
import { splitOf } from '../../models/training/splits.ts';
import { summarize } from '../stats.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets' },
    generations: { type: 'string', default: '2000' },
    out: { type: 'string', default: 'bench/results/originality.json' },
    /** Generate only these roles and keep the others' figures from --out (after a decoding change to some roles). */
    roles: { type: 'string' },
  },
});
const regenerate = values.roles ? new Set(values.roles.split(',')) : null;
const previous =
  regenerate && existsSync(values.out) ? (JSON.parse(readFileSync(values.out, 'utf8')) as { generated?: Record<string, unknown> }) : null;
const generationsPerRole = Number(values.generations);
const ROLES = CHECKED_ROLES;
const log = (line: string) => console.log(`[originality] ${line}`);
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

// ------------------------------------------------------------------ held-out human windows
const started = performance.now();
const { pieces } = readDatasets(resolve(values.data));
const train = pieces.filter((p) => splitOf(p) === 'train');
const heldOut = pieces.filter((p) => splitOf(p) === 'valid');
log(`${train.length} training pieces, ${heldOut.length} held out`);

/** Every whole 4-bar window of every held-out part, notes from the window's first bar. */
function humanWindows(piece: Piece): PartToCheck[] {
  const barTicks = ticksPerBar(piece.meter);
  const out: PartToCheck[] = [];
  for (const track of piece.tracks) {
    if (!(ROLES as readonly string[]).includes(track.role)) continue;
    for (let bar = 0; bar + EVAL_BARS <= piece.lengthBars; bar += EVAL_BARS) {
      const from = bar * barTicks;
      const to = from + EVAL_BARS * barTicks;
      const notes = track.notes.filter((n) => n.tick >= from && n.tick < to).map((n) => ({ ...n, tick: n.tick - from }));
      if (notes.length === 0) continue;
      out.push({ role: track.role as CheckedRole, notes, meter: piece.meter, bars: EVAL_BARS });
    }
  }
  return out;
}
const human = heldOut.flatMap(humanWindows);

function markedShare(
  index: OriginalityIndex,
  parts: readonly PartToCheck[],
): Record<CheckedRole, { windows: number; marked: number; share: number }> {
  const out = {} as Record<CheckedRole, { windows: number; marked: number; share: number }>;
  for (const role of ROLES) {
    const mine = parts.filter((p) => p.role === role);
    const marked = mine.filter((p) => checkPart(index, p).marked).length;
    out[role] = { windows: mine.length, marked, share: round(marked / Math.max(1, mine.length)) };
  }
  return out;
}

// Window lengths tried (notes of a line; bars of drums), each with and without leaving out the
// windows more than one training song has; the shipped choice is the shortest window per role
// whose false alarms stay around 2% or less.
const thresholds: Record<string, unknown>[] = [];
for (const maxSongs of [Number.POSITIVE_INFINITY, MAX_SONGS]) {
  for (const [line, drums] of [
    [8, 1],
    [10, 2],
    [12, 3],
    [16, 4],
    [20, 4],
  ] as const) {
    const sizes = { drums, bass: line, keys: line, lead: line };
    const index = indexOf(train, { sizes, minPitches: MIN_DISTINCT_PITCHES, maxSongs });
    const falseAlarms = markedShare(index, human);
    thresholds.push({
      lineNotes: line,
      drumBars: drums,
      maxSongs: Number.isFinite(maxSongs) ? maxSongs : 'any',
      heldOutMarked: falseAlarms,
    });
    log(`line ${line} notes, drums ${drums} bars, songs ≤ ${maxSongs}: held-out marked ${JSON.stringify(falseAlarms)}`);
  }
}

// --------------------------------------------------------------------------- the model
const shippedIndex = decodeIndex(readFileSync(resolve(SHIPPED_MODEL_DIR, 'originality.bin')));
const shippedHuman = markedShare(shippedIndex, human);
const { card, lm } = await loadModelFolder(SHIPPED_MODEL_DIR, { threads: 1 });
const engine = new Engine(lm, { id: card.id, sha256: card.weights.sha256 }, 'cpu');
const VARIATIONS = 4;
const generated: Record<string, unknown> = {};
for (const role of ROLES) {
  if (regenerate && !regenerate.has(role) && previous?.generated?.[role]) {
    generated[role] = previous.generated[role];
    continue;
  }
  const sets = conditionSets(role);
  const reports: CopyReport[] = [];
  const roleStarted = performance.now();
  for (let i = 0; reports.length < generationsPerRole; i++) {
    const set = sets[i % sets.length]!;
    const c = set.conditions;
    const result = await engine.generate({
      task: 'generate',
      role,
      style: c.style,
      key: c.key,
      meter: c.meter,
      bpm: c.bpm,
      energy: c.energy,
      bars: c.bars,
      chords: set.chords,
      variations: Math.min(VARIATIONS, generationsPerRole - reports.length),
      seed: 10_000 + i,
      sampling: { temperature: 1, topK: 0, topP: 0.95 },
    });
    for (const v of result.variations)
      reports.push(checkPart(shippedIndex, { role, notes: v.notes as NoteInput[], meter: c.meter, bars: c.bars }));
  }
  const marked = reports.filter((r) => r.marked);
  generated[role] = {
    generations: reports.length,
    marked: marked.length,
    share: round(marked.length / reports.length),
    longestRun: summarize(reports.map((r) => r.longestRun)),
    foundShare: round(
      reports.reduce((s, r) => s + r.found, 0) /
        Math.max(
          1,
          reports.reduce((s, r) => s + r.total, 0),
        ),
    ),
    seconds: Math.round((performance.now() - roleStarted) / 1000),
  };
  log(`${role}: ${JSON.stringify(generated[role])}`);
}

const results = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg().map((x) => round(x, 2)), node: process.version },
  model: { id: card.id, sha256: card.weights.sha256 },
  index: {
    file: 'originality.bin',
    minPitches: shippedIndex.minPitches,
    maxSongs: MAX_SONGS,
    sizes: WINDOW_SIZES,
    fingerprints: Object.fromEntries(ROLES.map((role) => [role, shippedIndex.roles[role].fingerprints.length])),
  },
  rule: "marked: a run of found line notes (drum bars) longer than the role's window",
  heldOutWindows: human.length,
  thresholds,
  heldOutMarkedByShippedIndex: shippedHuman,
  generated,
  seconds: Math.round((performance.now() - started) / 1000),
  measuredAt: new Date().toISOString(),
};
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${values.out}`);
