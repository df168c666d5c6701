/**
 * Runs every test (unit tests beside their code, cross-process tests under tests/) with Node's
 * test runner, prints the spec report, and ends with the line CI reads: `N passed, N failed`.
 * Extra arguments are glob patterns that narrow the run, e.g. `npm test -- 'core/**'`.
 *
 * Two files run at a time, except the heavy ones (SERIAL: each drives Chromium, with real-time
 * audio or several pages and a server process, or times a clock to the millisecond): they run one
 * at a time after all the others, so that on CI's two cores a page is never starved by a second
 * browser and a test file beside it, and the jam clock test measures the clock, not the load.
 */
import { globSync } from 'node:fs';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import process from 'node:process';

const patterns = process.argv.slice(2).length
  ? process.argv.slice(2).map((p) => (p.endsWith('.ts') ? p : `${p.replace(/\/$/, '')}/**/*.test.ts`))
  : [
      'core/**/*.test.ts',
      'inference/**/*.test.ts',
      'sync-server/**/*.test.ts',
      'electron/**/*.test.ts',
      'renderer/**/*.test.ts',
      'models/**/*.test.ts',
      'tests/**/*.test.ts',
    ];

/** Test files that run alone, after the rest (globs). */
const SERIAL = [
  'tests/audio/**/*.test.ts',
  'tests/export/exports.test.ts',
  'tests/renderer/**/*.test.ts',
  'tests/web-inference.test.ts',
  'tests/jam-sync.test.ts',
];

const find = (pattern: string): string[] => globSync(pattern, { exclude: (name) => name === 'node_modules' });
const files = [...new Set(patterns.flatMap(find))].sort();
const serial = new Set(SERIAL.flatMap(find));
const phases = [
  { files: files.filter((f) => !serial.has(f)), concurrency: 2 },
  { files: files.filter((f) => serial.has(f)), concurrency: 1 },
].filter((phase) => phase.files.length > 0);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const phase of phases) {
  // forceExit: a test file whose tests are over exits even if a failed test left a socket or a
  // reconnecting client behind (one such file once held a CI run until its 90-minute limit).
  const stream = run({ files: phase.files, concurrency: phase.concurrency, timeout: 5 * 60_000, forceExit: true });
  stream.on('test:pass', (event) => {
    if (event.details.type === 'suite') return;
    if (event.skip || event.todo) skipped++;
    else passed++;
  });
  stream.on('test:fail', (event) => {
    if (event.details.type === 'suite' && !isFailedHook(event.details.error)) return;
    failed++;
  });
  // The reporter's stream ends once the phase's report is written out.
  await new Promise<void>((resolve, reject) => {
    stream.compose(spec).on('end', resolve).on('error', reject).pipe(process.stdout, { end: false });
  });
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;

/** A suite fails on its own only when a hook (before/after) threw; count that as a failure. */
function isFailedHook(error: unknown): boolean {
  const failureType = (error as { failureType?: string } | undefined)?.failureType;
  return failureType === 'hookFailed' || failureType === 'testCodeFailure';
}
