import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meter } from './meter.ts';
import { musicLike, toneSequence } from './signals.ts';

test('a stereo mix gets every figure, and its buffers are left as they were', () => {
  const audio = musicLike({ seconds: 12, sampleRate: 44100 });
  const copy = audio.channels.map((c) => c.slice());
  const { measurements: m, loudness } = meter(audio);
  assert.deepEqual(audio.channels, copy);
  assert.equal(m.channelCount, 2);
  assert.equal(m.sampleRate, 44100);
  assert.ok(Math.abs(m.durationSeconds - 12) < 1e-9);
  assert.ok(m.integratedLufs > -30 && m.integratedLufs < -10, `${m.integratedLufs}`);
  assert.ok(m.loudnessRangeLu > 1, `choruses 6 dB over the verses: LRA ${m.loudnessRangeLu}`);
  assert.ok(m.truePeakDbtp >= m.samplePeakDbfs);
  assert.equal(m.truePeakDbtp, Math.max(...m.truePeakPerChannelDbtp));
  assert.ok(m.truePeakAtSeconds >= 0 && m.truePeakAtSeconds < 12);
  assert.equal(m.clippedSamples, 0);
  assert.ok(m.correlation! > 0.5 && m.correlation! < 1);
  assert.ok(Math.abs(m.balanceDb!) < 1.5);
  assert.equal(loudness.momentaryLufs.length, 120 - 3);
  assert.equal(loudness.shortTermLufs.length, 120 - 29);
  // The figures are plain data: they survive JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
});

test("balance compares the channels' gated loudness: -20 dBFS left, -26 right reads +6 dB", () => {
  const left = toneSequence(48000, [{ seconds: 10, dbfs: -20 }], { channels: 1 }).channels[0]!;
  const right = toneSequence(48000, [{ seconds: 10, dbfs: -26 }], { channels: 1 }).channels[0]!;
  const m = meter({ sampleRate: 48000, channels: [left, right] }).measurements;
  assert.ok(Math.abs(m.balanceDb! - 6) < 0.01, `${m.balanceDb}`);
  assert.ok(Math.abs(m.correlation! - 1) < 1e-6);
  // Silence in one channel: no balance figure, correlation undefined.
  const oneSided = meter({ sampleRate: 48000, channels: [left, new Float32Array(left.length)] }).measurements;
  assert.equal(oneSided.balanceDb, null);
  assert.equal(oneSided.correlation, null);
});

test('mono has no balance or correlation; clipping and DC are reported per file', () => {
  const x = toneSequence(48000, [{ seconds: 2, dbfs: 3 }], { channels: 1 }).channels[0]!.map((v) => Math.max(-1, Math.min(1, v + 0.01)));
  const m = meter({ sampleRate: 48000, channels: [x] }).measurements;
  assert.equal(m.balanceDb, null);
  assert.equal(m.correlation, null);
  assert.ok(m.clippedSamples > 1000, `${m.clippedSamples}`);
  assert.ok(m.clipRuns >= 1000, `${m.clipRuns}`);
  assert.ok(Math.abs(m.dcOffset[0]! - 0.01) < 0.005, `${m.dcOffset[0]}`);
  assert.equal(m.samplePeakDbfs, 0);
});

test('bad input is refused', () => {
  assert.throws(() => meter({ sampleRate: 48000, channels: [] }), /no channels/);
  assert.throws(() => meter({ sampleRate: 48000, channels: [new Float32Array(3), new Float32Array(4)] }), /differ in length/);
  assert.throws(() => meter({ sampleRate: 2000, channels: [new Float32Array(3)] }), /2000 Hz is not supported/);
  const broken = new Float32Array(100);
  broken[42] = Number.NaN;
  assert.throws(
    () => meter({ sampleRate: 48000, channels: [new Float32Array(100), broken] }),
    /channel 1 has a non-finite sample \(NaN\) at frame 42/,
  );
});
