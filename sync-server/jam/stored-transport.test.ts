import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTransportRequest, initialTransport } from '../../core/jam/timeline.ts';
import { parseStoredTransport, transportText } from './stored-transport.ts';

test('a kept transport reads back as it was, without its earlier segments', () => {
  const start = initialTransport({ bpm: 97, loop: { startBar: 2, endBar: 6 }, nowMs: 1_000_000 });
  const playing = applyTransportRequest(start, { action: 'play', fromBar: 2 } as never, 1_000_100, 'ann');
  const tempo = applyTransportRequest(playing, { action: 'tempo', bpm: 131 } as never, 1_000_200, 'ann');
  const read = parseStoredTransport(transportText(tempo));
  assert.ok('state' in read, JSON.stringify(read));
  const { earlier: _earlier, ...expected } = tempo;
  assert.deepEqual(read.state, expected);
});

test('a stored transport that does not check out is refused with the reason', () => {
  const good = JSON.parse(transportText(initialTransport({ nowMs: 5 }))) as Record<string, unknown>;
  for (const [change, reason] of [
    [{ bpm: 0 }, /bpm/i],
    [{ anchorMs: 'soon' }, /anchorMs/],
    [{ playing: 1 }, /playing/],
    [{ anchorBar: -1 }, /anchorBar/],
    [{ meter: { numerator: 0, denominator: 4 } }, /meter|numerator/i],
  ] as const) {
    const read = parseStoredTransport(JSON.stringify({ ...good, ...change }));
    assert.ok('problem' in read, JSON.stringify(change));
    assert.match(read.problem, reason);
  }
  assert.match((parseStoredTransport('{') as { problem: string }).problem, /not JSON/);
  assert.match((parseStoredTransport('[]') as { problem: string }).problem, /not an object/);
});
