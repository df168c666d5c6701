import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctLoudness, LOUDNESS_TARGETS } from './correct.ts';
import { meter } from './meter.ts';
import { musicLike, toneSequence } from './signals.ts';

test('normalizing a quiet mix to -14 LUFS: gain, limiter at -1 dBTP, loudness on target', () => {
  // Music at about -26 LUFS with peaks near -8 dBTP: +12 dB of gain puts a few drum hits over the
  // ceiling, which the limiter catches with a few dB of reduction.
  const audio = musicLike({ seconds: 20, sampleRate: 44100, gainDb: -6, drumsDb: -6 });
  const original = audio.channels.map((c) => c.slice());
  const { audio: out, chain, after } = correctLoudness(audio, { target: 'streaming' });
  assert.deepEqual(audio.channels, original, 'the original buffers are untouched (undo = keep them)');
  assert.notEqual(out.channels[0], audio.channels[0]);
  assert.equal(chain.targetLufs, -14);
  assert.ok(chain.gainDb > 8, `gain ${chain.gainDb}`);
  assert.ok(chain.limiter.maxReductionDb > 0.5, `the limiter acted: ${chain.limiter.maxReductionDb} dB`);
  assert.ok(chain.limiter.maxReductionDb < 6, `but did not fight: ${chain.limiter.maxReductionDb} dB`);
  assert.ok(after.truePeakDbtp <= -1.0, `true peak after ${after.truePeakDbtp}`);
  assert.ok(Math.abs(after.integratedLufs - -14) <= 0.5, `loudness after ${after.integratedLufs}`);
  assert.equal(chain.measuredAfter.integratedLufs, Math.round(after.integratedLufs * 100) / 100);
  assert.ok(chain.measuredBefore.integratedLufs < -20);
  // The chain is small plain data for the file's metadata.
  assert.deepEqual(JSON.parse(JSON.stringify(chain)), chain);
  assert.ok(JSON.stringify(chain).length < 600);
});

test('the limiter moves both channels together, so the stereo image stays', () => {
  const audio = musicLike({ seconds: 8, sampleRate: 48000, gainDb: -2 });
  const { audio: out, chain } = correctLoudness(audio, { target: -10 });
  assert.ok(chain.limiter.maxReductionDb > 1);
  const [l0, r0] = audio.channels as [Float32Array, Float32Array];
  const [l1, r1] = out.channels as [Float32Array, Float32Array];
  let checked = 0;
  for (let i = 0; i < l0.length; i += 7) {
    if (Math.abs(l0[i]!) < 0.01 || Math.abs(r0[i]!) < 0.01) continue;
    const gl = l1[i]! / l0[i]!;
    const gr = r1[i]! / r0[i]!;
    assert.ok(Math.abs(gl - gr) < 1e-4 * Math.max(gl, gr), `frame ${i}: left ×${gl}, right ×${gr}`);
    checked++;
  }
  assert.ok(checked > 1000);
  assert.ok(meter(out).measurements.truePeakDbtp <= -1);
});

test('turning down to broadcast needs no limiter and lands exactly', () => {
  const audio = toneSequence(48000, [{ seconds: 10, dbfs: -12 }]);
  const { chain, after } = correctLoudness(audio, { target: 'broadcast' });
  assert.equal(chain.targetLufs, LOUDNESS_TARGETS.broadcast);
  assert.equal(chain.limiter.maxReductionDb, 0);
  assert.ok(Math.abs(after.integratedLufs - -23) < 0.01, `${after.integratedLufs}`);
  assert.ok(Math.abs(chain.gainDb - -11) < 0.05, `${chain.gainDb}`);
});

test('a podcast target and a custom ceiling', () => {
  const audio = toneSequence(44100, [{ seconds: 6, dbfs: -30 }]);
  const { chain, after } = correctLoudness(audio, { target: 'podcast', ceilingDbtp: -2 });
  assert.equal(chain.targetLufs, -16);
  assert.equal(chain.limiter.ceilingDbtp, -2);
  assert.ok(after.truePeakDbtp <= -2);
});

test('silence and nonsense targets are refused with a reason', () => {
  const silent = { sampleRate: 48000, channels: [new Float32Array(48000), new Float32Array(48000)] };
  assert.throws(() => correctLoudness(silent, { target: 'streaming' }), /silent/);
  const audio = toneSequence(48000, [{ seconds: 1, dbfs: -20 }]);
  assert.throws(() => correctLoudness(audio, { target: 3 }), /target 3 is not a loudness/);
  assert.throws(() => correctLoudness(audio, { target: 'loud' as never }), /target loud/);
  assert.throws(() => correctLoudness(audio, { target: -14, ceilingDbtp: 1 }), /ceiling 1 dBTP/);
});
