/**
 * Runs every test (unit tests beside their code, cross-process tests under tests/) with Node's
 * test runner, prints the spec report, and ends with the line CI reads: `N passed, N failed`.
 * Extra arguments are glob patterns that narrow the run, e.g. `npm test -- 'core/**'`.
 */
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import process from 'node:process';

const patterns = process.argv.slice(2).length
  ? process.argv.slice(2).map((p) => (p.endsWith('.ts') ? p : `${p.replace(/\/$/, '')}/**/*.test.ts`))
  : ['core/**/*.test.ts', 'inference/**/*.test.ts', 'sync-server/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'models/**/*.test.ts', 'tests/**/*.test.ts'];

let passed = 0;
let failed = 0;
let skipped = 0;
const stream = run({ globPatterns: patterns, concurrency: 2, timeout: 5 * 60_000 });
stream.on('test:pass', (event) => {
  if (event.details.type === 'suite') return;
  if (event.skip || event.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (event) => {
  if (event.details.type === 'suite' && !isFailedHook(event.details.error)) return;
  failed++;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  // Let the spec reporter flush before the summary line.
  setImmediate(() => {
    console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
    process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  });
});

/** A suite fails on its own only when a hook (before/after) threw; count that as a failure. */
function isFailedHook(error: unknown): boolean {
  const failureType = (error as { failureType?: string } | undefined)?.failureType;
  return failureType === 'hookFailed' || failureType === 'testCodeFailure';
}
