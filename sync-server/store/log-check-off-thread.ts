/**
 * checkLogFile in a worker thread. A hosted server checks every project someone uploads (schema,
 * integrity, bounds, the whole hash chain) before importing it: about 0.5 s for a 100,000-edit
 * file without the chain and 1.2-1.7 s with it on this machine, which on the event loop would
 * stall every room of the node for that long. The worker reads the file through its own
 * connection; the caller then opens it with `alreadyChecked` (room-log.ts) so nothing is checked
 * twice on the loop.
 */
import { Worker } from 'node:worker_threads';
import type { CheckOptions, LogSummary } from './log-check.ts';
import { RoomLogError, type LogProblem } from './log-error.ts';

/**
 * The worker's module beside this one: the .ts source when run from source, the .mjs bundle when
 * this module is bundled (electron/build.ts builds log-check-worker.mjs beside its entries).
 */
const WORKER = new URL(import.meta.url.endsWith('.mjs') ? './log-check-worker.mjs' : './log-check-worker.ts', import.meta.url);

type Answer = { summary: LogSummary } | { refused: { problem: LogProblem; reason: string } };

/** Resolves with the summary; rejects with the same RoomLogError checkLogFile would throw, or an Error when the check itself failed. */
export function checkLogFileOffThread(path: string, options: Pick<CheckOptions, 'history'>): Promise<LogSummary> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const worker = new Worker(WORKER, { workerData: { path, options } });
    worker.once('message', (answer: Answer) => {
      answered = true;
      if ('summary' in answer) resolve(answer.summary);
      else reject(new RoomLogError(path, answer.refused.problem, answer.refused.reason));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(new Error(`the check of ${path} failed: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the check of ${path} ended without an answer (worker exit code ${code})`));
    });
  });
}
