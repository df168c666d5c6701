import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allNotesOff, clockInputOf, noteOff, noteOn, programChange, songPosition } from './midi-bytes.ts';

test('channel messages carry the channel in the status byte', () => {
  assert.deepEqual(noteOn(0, 60, 100), [0x90, 60, 100]);
  assert.deepEqual(noteOn(9, 36, 0), [0x99, 36, 1], 'a sounding note never goes out at velocity 0');
  assert.deepEqual(noteOff(15, 127), [0x8f, 127, 0]);
  assert.deepEqual(programChange(2, 33), [0xc2, 33]);
  assert.deepEqual(allNotesOff(3), [0xb3, 123, 0]);
  assert.deepEqual(noteOn(20, 200, 300), [0x9f, 127, 127], 'out-of-range values are clamped');
});

test('Song Position Pointer: 14 bits of sixteenths, least significant 7 bits first', () => {
  assert.deepEqual(songPosition(0), [0xf2, 0, 0]);
  assert.deepEqual(songPosition(16), [0xf2, 16, 0]);
  assert.deepEqual(songPosition(300), [0xf2, 300 & 0x7f, 300 >> 7]);
  assert.deepEqual(songPosition(1e9), [0xf2, 0x7f, 0x7f]);
});

test('a clock input reads clock, start, continue, stop and position; other messages are not clock', () => {
  assert.deepEqual(clockInputOf([0xf8]), { kind: 'clock' });
  assert.deepEqual(clockInputOf([0xfa]), { kind: 'start' });
  assert.deepEqual(clockInputOf([0xfb]), { kind: 'continue' });
  assert.deepEqual(clockInputOf([0xfc]), { kind: 'stop' });
  assert.deepEqual(clockInputOf(songPosition(300)), { kind: 'position', sixteenths: 300 });
  assert.equal(clockInputOf([0x90, 60, 100]), null);
  assert.equal(clockInputOf([0xf2, 1]), null);
  assert.equal(clockInputOf([0xf2, 128, 0]), null);
  assert.equal(clockInputOf(null), null);
});
