import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InferenceSession } from 'onnxruntime-common';
import { YIELD_EVERY_MS, yieldingSession, yieldToEventLoop } from './yield.ts';

/** A session whose run() records whether a message queued just before it was handled first. */
function probe(): { session: InferenceSession; seen: boolean[]; queue(): void } {
  let handled = false;
  const seen: boolean[] = [];
  const session = {
    inputNames: ['x'],
    run: async () => {
      seen.push(handled);
      return {};
    },
  } as unknown as InferenceSession;
  return {
    session,
    seen,
    queue() {
      handled = false;
      // A task queued now, as a cancel message in the worker's queue would be.
      void yieldToEventLoop().then(() => {
        handled = true;
      });
    },
  };
}

test('a run lets a queued message in first when YIELD_EVERY_MS have passed, and not before', async () => {
  let clock = 0;
  const p = probe();
  const session = yieldingSession(p.session, () => clock);
  p.queue();
  await session.run({});
  assert.equal(p.seen[0], true, 'the first run yields');
  clock += YIELD_EVERY_MS - 1;
  p.queue();
  await session.run({});
  assert.equal(p.seen[1], false, 'within YIELD_EVERY_MS the run goes straight on');
  clock += 1;
  p.queue();
  await session.run({});
  assert.equal(p.seen[2], true, 'once due, it yields again');
  assert.deepEqual(session.inputNames, ['x'], "everything else is the session's own");
});
