/**
 * `npm run bench:metadata`: key, role, tempo and meter detection (core/analysis) against the
 * annotations of ../shared/datasets (see measure.ts for what is compared with what). Writes
 * bench/results/metadata.json and prints the headline figures.
 *
 *   --data <dir>   datasets folder (default ../shared/datasets beside the repository)
 *   --limit <n>    at most n songs per dataset, spread over the dataset (a quick look)
 *   --out <file>   where the JSON goes (default bench/results/metadata.json)
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectCases, report } from './measure.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({ options: { data: { type: 'string' }, limit: { type: 'string' }, out: { type: 'string' } } });
const data = resolve(values.data ?? resolve(repoRoot, '../shared/datasets'));
const out = resolve(values.out ?? resolve(repoRoot, 'bench/results/metadata.json'));
if (!existsSync(data)) {
  console.error(`no datasets folder at ${data} (see ../shared/datasets/README.md); pass --data <dir>`);
  process.exit(2);
}
const limit = values.limit ? Number(values.limit) : undefined;

const started = performance.now();
const cases = collectCases(data, { limit });
const figures = report(cases);
const result = {
  benchmark: 'metadata',
  command: `npm run bench:metadata${limit ? ` -- --limit ${limit}` : ''}`,
  date: new Date().toISOString(),
  node: process.version,
  seconds: Math.round((performance.now() - started) / 100) / 10,
  heldout: 'models/training/splits.ts validation split (Groove: its own validation split); thresholds were set on the training split',
  ...figures,
  skippedFiles: cases.skipped.slice(0, 20),
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);
for (const [name, scores] of Object.entries(figures.key)) {
  for (const subset of ['heldout', 'all'] as const) {
    const s = scores[subset];
    console.log(`key ${name} ${subset}: ${s.songs} songs, exact ${pct(s.exact)}, near ${pct(s.near)}, MIREX ${pct(s.mirex)}`);
  }
}
for (const [name, scores] of Object.entries(figures.roles)) {
  for (const subset of ['heldout', 'all'] as const) {
    const s = scores[subset];
    const parts = Object.entries(s.parts)
      .map(([part, p]) => `${part} ${pct(p.accuracy)} of ${p.tracks}`)
      .join(', ');
    console.log(`roles ${name} ${subset}: ${s.tracks} tracks, ${pct(s.accuracy)}${name === 'combined' ? '' : ` (${parts})`}`);
  }
}
for (const [name, scores] of Object.entries(figures.tempoMeter)) {
  const s = scores.heldout;
  console.log(`tempo/meter ${name} heldout: ${s.files} files, bpm within 1 ${pct(s.bpmWithin1)}, meter ${pct(s.meterExact)}`);
}
for (const [name, scores] of Object.entries(figures.tags)) {
  const moods = Object.entries(scores.moods)
    .map(([tag, x]) => `${tag} ${pct(x)}`)
    .join(', ');
  console.log(
    `moods ${name}: ${scores.files} files: ${moods}; bright/dark agrees with the annotated mode ${pct(scores.brightDarkAgreesWithMode)}`,
  );
  console.log(`energy ${name}: ${JSON.stringify(scores.energy)}`);
}
console.log(`analysis per POP909 song: ${JSON.stringify(figures.analyseMsPerSong)} ms; ${figures.skipped} files skipped; wrote ${out}`);
