import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNullTransport, type Transport } from '../audio/transport.ts';
import { deferredTransport, type DeferredTransport } from './deferred-transport.ts';

/** Read through a function: an assertion on the property would narrow it for the rest of the test. */
const positionOf = (t: DeferredTransport) => t.position;

test('nothing is made until play; what was set before is handed over; listeners hear both', () => {
  // In a box: TypeScript cannot see the factory assign a plain variable.
  const box: { made: (Transport & { position(): number }) | null } = { made: null };
  const transport = deferredTransport(() => (box.made = Object.assign(createNullTransport(), { position: () => 42 })));
  let heard = 0;
  transport.subscribe(() => heard++);
  transport.seek(3);
  transport.setMetronome(true);
  transport.stop();
  assert.equal(box.made, null, 'browsing makes no engine');
  assert.equal(transport.started, false);
  assert.equal(positionOf(transport), undefined, 'no playhead to poll yet');
  assert.equal(transport.getState().playheadBar, 3);
  assert.ok(heard >= 2);

  const stateBefore = transport.getState();
  assert.equal(transport.getState(), stateBefore, 'the same state object until something changes');
  void transport.play();
  assert.ok(box.made);
  assert.equal(transport.started, true);
  assert.deepEqual({ ...transport.getState() }, { playing: true, playheadBar: 3, metronome: true, countInBars: 0 });
  assert.equal(positionOf(transport)?.(), 42);
  const count = heard;
  transport.stop();
  assert.equal(transport.getState().playing, false);
  assert.ok(heard > count, 'changes of the real transport reach the listeners');
});

test('dispose releases the real transport once made', () => {
  let disposed = 0;
  const transport = deferredTransport(() => ({ ...createNullTransport(), dispose: () => void disposed++ }));
  transport.dispose?.();
  assert.equal(disposed, 0);
  const again = deferredTransport(() => ({ ...createNullTransport(), dispose: () => void disposed++ }));
  void again.play();
  again.dispose?.();
  assert.equal(disposed, 1);
});
