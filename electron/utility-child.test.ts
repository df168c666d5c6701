/**
 * The utility-process wrapper both hosts use. Electron cannot run here, so the child is an
 * EventEmitter with UtilityProcess's shape (pid, postMessage with transfer, message and exit
 * events, kill); what is checked is the wrapper's own behaviour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { utilityChild, type UtilityProcessLike } from './utility-child.ts';

function fakeChild() {
  const events = new EventEmitter();
  const posted: { message: unknown; transfer?: unknown[] }[] = [];
  let killed = 0;
  const child = {
    pid: 4242 as number | undefined,
    postMessage: (message: unknown, transfer?: unknown[]) => void posted.push(transfer ? { message, transfer } : { message }),
    on: (event: string, listener: (...args: any[]) => void) => events.on(event, listener),
    off: (event: string, listener: (...args: any[]) => void) => events.off(event, listener),
    kill: () => (killed++, true),
  } as UtilityProcessLike;
  return { child, events, posted, killed: () => killed };
}

test('messages both ways, ports handed over, an unsubscribed handler hears nothing more', () => {
  const { child, events, posted } = fakeChild();
  const wrapped = utilityChild<{ type: string }>(child);
  assert.equal(wrapped.pid, 4242);
  wrapped.post({ type: 'hello' });
  const port = { a: 'port' };
  wrapped.postWithPorts({ type: 'connect' }, [port]);
  assert.deepEqual(posted, [{ message: { type: 'hello' } }, { message: { type: 'connect' }, transfer: [port] }]);
  const heard: unknown[] = [];
  const off = wrapped.onMessage((m) => heard.push(m));
  events.emit('message', 1);
  off();
  events.emit('message', 2);
  assert.deepEqual(heard, [1]);
});

test('an exit is heard by handlers added before it, and by one added after it (on a microtask)', async () => {
  const { child, events, killed } = fakeChild();
  const wrapped = utilityChild(child);
  const codes: (number | null)[] = [];
  wrapped.onExit((code) => codes.push(code));
  events.emit('exit', 3);
  assert.deepEqual(codes, [3]);
  const late = new Promise<number | null>((resolve) => wrapped.onExit((code) => resolve(code)));
  assert.equal(await late, 3);
  wrapped.kill();
  assert.equal(killed(), 1);
});
