import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav, encodeWav, floatToInt16 } from './wav.ts';

test('a known stereo buffer encodes to the exact RIFF/WAVE bytes', () => {
  const left = new Float32Array([0, 1, -1, 0.5]);
  const right = new Float32Array([-0.5, 2, -2, Number.NaN]);
  const bytes = encodeWav({ sampleRate: 44100, channels: [left, right] });
  assert.equal(bytes.length, 44 + 4 * 2 * 2);
  const view = new DataView(bytes.buffer);
  const text = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  assert.equal(text(0), 'RIFF');
  assert.equal(view.getUint32(4, true), bytes.length - 8);
  assert.equal(text(8), 'WAVE');
  assert.equal(text(12), 'fmt ');
  assert.equal(view.getUint32(16, true), 16);
  assert.equal(view.getUint16(20, true), 1, 'PCM');
  assert.equal(view.getUint16(22, true), 2, 'channels');
  assert.equal(view.getUint32(24, true), 44100);
  assert.equal(view.getUint32(28, true), 44100 * 4, 'byte rate');
  assert.equal(view.getUint16(32, true), 4, 'block align');
  assert.equal(view.getUint16(34, true), 16, 'bits');
  assert.equal(text(36), 'data');
  assert.equal(view.getUint32(40, true), 16);
  // Interleaved L R L R..., clamped, NaN as silence.
  const samples = Array.from({ length: 8 }, (_, i) => view.getInt16(44 + i * 2, true));
  assert.deepEqual(samples, [0, -16384, 32767, 32767, -32767, -32767, 16384, 0]);
  assert.deepEqual(
    [...bytes.subarray(0, 44)],
    [82, 73, 70, 70, 52, 0, 0, 0, 87, 65, 86, 69, 102, 109, 116, 32, 16, 0, 0, 0, 1, 0, 2, 0, 68, 172, 0, 0, 16, 177, 2, 0, 4, 0, 16, 0, 100, 97, 116, 97, 16, 0, 0, 0],
  );
});

test('round trip within one quantisation step; mono works; bad input is refused', () => {
  const sine = Float32Array.from({ length: 1000 }, (_, i) => 0.8 * Math.sin(i / 7));
  const back = decodeWav(encodeWav({ sampleRate: 48000, channels: [sine] }));
  assert.equal(back.sampleRate, 48000);
  assert.equal(back.channels.length, 1);
  let worst = 0;
  for (let i = 0; i < sine.length; i++) worst = Math.max(worst, Math.abs(back.channels[0]![i]! - sine[i]!));
  assert.ok(worst <= 0.5 / 32767 + 1e-7, `worst error ${worst}`);
  assert.throws(() => encodeWav({ sampleRate: 44100, channels: [] }), /no channels/);
  assert.throws(() => encodeWav({ sampleRate: 44100, channels: [new Float32Array(2), new Float32Array(3)] }), /differ/);
  assert.throws(() => decodeWav(new Uint8Array(44)), /RIFF/);
  assert.equal(floatToInt16(-0.00001), -0);
});
