import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from './emitter.ts';

test('listeners hear their own event, in order, until they unsubscribe or the emitter is cleared', () => {
  const events = new Emitter<{ note: number; done: undefined }>();
  const heard: string[] = [];
  const offA = events.on('note', (n) => heard.push(`a${n}`));
  events.on('note', (n) => heard.push(`b${n}`));
  events.on('done', () => heard.push('done'));
  events.emit('note', 1);
  offA();
  events.emit('note', 2);
  events.emit('done', undefined);
  events.clear();
  events.emit('note', 3);
  assert.deepEqual(heard, ['a1', 'b1', 'b2', 'done']);
});

test('a listener added while an event is told hears the next one, not this one', () => {
  const events = new Emitter<{ tick: number }>();
  const heard: number[] = [];
  events.on('tick', () => void events.on('tick', (n) => heard.push(n)));
  events.emit('tick', 1);
  events.emit('tick', 2);
  assert.deepEqual(heard, [2]);
});
