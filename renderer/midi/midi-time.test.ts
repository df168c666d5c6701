import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perfAtAudio, perfAtServer, portTimestamp } from './midi-time.ts';

test('an audio time maps to the performance time it is heard at', () => {
  const stamp = { contextTime: 10, performanceTime: 5000 };
  assert.equal(perfAtAudio(10, stamp), 5000);
  assert.equal(perfAtAudio(10.25, stamp), 5250);
  assert.equal(perfAtAudio(9.9, stamp), 4900);
});

test("a server time maps through the clock estimate, earlier by the peer's compensation", () => {
  // Server clock 2 s ahead of this machine's; timeOrigin 1000.
  const clock = { localAt: (s: number) => s - 2000, serverNow: (l: number) => l + 2000 };
  assert.equal(perfAtServer(10_000, { clock, timeOrigin: 1000, compensationMs: 0 }), 7000);
  assert.equal(perfAtServer(10_000, { clock, timeOrigin: 1000, compensationMs: 15 }), 6985);
});

test("a port's latency sends its messages that much earlier", () => {
  assert.equal(portTimestamp(5000, 12), 4988);
  assert.equal(portTimestamp(5000, -3), 5003);
});
