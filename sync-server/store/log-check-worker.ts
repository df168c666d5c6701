/**
 * The worker behind checkLogFileOffThread (log-check-off-thread.ts): runs checkLogFile on the
 * file named in workerData and posts the summary, or the RoomLogError's problem and reason.
 * Anything else it throws (a bug, memory) ends the worker with an error event.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkLogFile, type CheckOptions } from './log-check.ts';
import { RoomLogError } from './log-error.ts';

const { path, options } = workerData as { path: string; options: Pick<CheckOptions, 'history'> };
try {
  parentPort!.postMessage({ summary: checkLogFile(path, options) });
} catch (err) {
  if (!(err instanceof RoomLogError)) throw err;
  parentPort!.postMessage({ refused: { problem: err.problem, reason: err.reason } });
}
