/**
 * EBU Tech 3341 (loudness) and Tech 3342 (loudness range) minimum-requirement cases, synthesized
 * here at 48 kHz and 44.1 kHz, with the specification's tolerances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelWeights, loudnessRange, measureLoudness } from './loudness.ts';
import { toneSequence, type ToneSegment } from './signals.ts';

const RATES = [48000, 44100];
const measure = (sampleRate: number, segments: ToneSegment[]) => {
  const audio = toneSequence(sampleRate, segments);
  return measureLoudness(audio.channels, sampleRate);
};
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(3)}, expected ${expected} ± ${tolerance}`);

for (const rate of RATES) {
  test(`Tech 3341 #1 and #2 at ${rate} Hz: 1 kHz stereo sine at -23 and -33 dBFS reads -23.0 and -33.0 (M, S, I)`, () => {
    for (const level of [-23, -33]) {
      const l = measure(rate, [{ seconds: 20, dbfs: level }]);
      near(l.integratedLufs, level, 0.1, 'I');
      near(l.momentaryMaxLufs, level, 0.1, 'M max');
      near(l.shortTermMaxLufs, level, 0.1, 'S max');
      // Every momentary and short-term value, not only the largest, once the windows are full.
      for (const v of [...l.momentaryLufs, ...l.shortTermLufs]) near(v, level, 0.1, 'M/S');
    }
  });

  test(`Tech 3341 #3, #4, #5 at ${rate} Hz: the gates leave the quiet parts out, I = -23.0`, () => {
    const cases: ToneSegment[][] = [
      [
        { seconds: 10, dbfs: -36 },
        { seconds: 60, dbfs: -23 },
        { seconds: 10, dbfs: -36 },
      ],
      [
        { seconds: 10, dbfs: -72 },
        { seconds: 10, dbfs: -36 },
        { seconds: 60, dbfs: -23 },
        { seconds: 10, dbfs: -36 },
        { seconds: 10, dbfs: -72 },
      ],
      [
        { seconds: 20, dbfs: -26 },
        { seconds: 20.1, dbfs: -20 },
        { seconds: 20, dbfs: -26 },
      ],
    ];
    for (const [i, segments] of cases.entries()) near(measure(rate, segments).integratedLufs, -23, 0.1, `case #${i + 3}`);
  });

  test(`Tech 3341 #6 at ${rate} Hz: 5.0 channels weighted by position, I = -23.0`, () => {
    const levels = [-28, -28, -24, -30, -30]; // L R C Ls Rs
    const channels = levels.map((dbfs) => toneSequence(rate, [{ seconds: 20, dbfs }], { channels: 1 }).channels[0]!);
    near(measureLoudness(channels, rate).integratedLufs, -23, 0.1, 'I');
    assert.deepEqual(channelWeights(6), [1, 1, 1, 0, 1.41, 1.41]);
  });

  test(`Tech 3341 #9 and #12 at ${rate} Hz: short-term and momentary windows are 3 s and 400 ms`, () => {
    const shortTerm = measure(
      rate,
      Array.from({ length: 5 }, () => [
        { seconds: 1.34, dbfs: -20 },
        { seconds: 1.66, dbfs: -30 },
      ]).flat(),
    );
    for (const v of shortTerm.shortTermLufs) near(v, -23, 0.1, 'S after 3 s');
    const momentary = measure(
      rate,
      Array.from({ length: 25 }, () => [
        { seconds: 0.18, dbfs: -20 },
        { seconds: 0.22, dbfs: -30 },
      ]).flat(),
    );
    // Window k ends at (k + 4) × 100 ms; from 1 s on, every window holds one whole 400 ms period.
    for (const v of momentary.momentaryLufs.slice(6)) near(v, -23, 0.1, 'M after 1 s');
  });

  test(`Tech 3341 #10 and #13 at ${rate} Hz (file-based): the loudest S and M read -23.0 wherever the tone starts`, () => {
    for (let i = 0; i < 20; i++) {
      const s = measure(rate, [
        { seconds: i * 0.15, dbfs: -Infinity },
        { seconds: 3, dbfs: -23 },
        { seconds: 1, dbfs: -Infinity },
      ]);
      near(s.shortTermMaxLufs, -23, 0.1, `#10 segment ${i}: max S`);
      const m = measure(rate, [
        { seconds: i * 0.02, dbfs: -Infinity },
        { seconds: 0.4, dbfs: -23 },
        { seconds: 1, dbfs: -Infinity },
      ]);
      near(m.momentaryMaxLufs, -23, 0.1, `#13 segment ${i}: max M`);
    }
  });

  test(`Tech 3342 #1 to #4 at ${rate} Hz: loudness range within ±1 LU`, () => {
    const tones = (...levels: number[]) => levels.map((dbfs) => ({ seconds: 20, dbfs }));
    near(measure(rate, tones(-20, -30)).loudnessRangeLu, 10, 1, 'LRA #1');
    near(measure(rate, tones(-20, -15)).loudnessRangeLu, 5, 1, 'LRA #2');
    near(measure(rate, tones(-40, -20)).loudnessRangeLu, 20, 1, 'LRA #3');
    near(measure(rate, tones(-50, -35, -20, -35, -50)).loudnessRangeLu, 15, 1, 'LRA #4');
  });
}

test('silence and audio shorter than one block have no loudness', () => {
  const silent = measure(48000, [{ seconds: 5, dbfs: -Infinity }]);
  assert.equal(silent.integratedLufs, -Infinity);
  assert.equal(silent.loudnessRangeLu, 0);
  assert.deepEqual(silent.gatedChannelPower, [0, 0]);
  const short = measure(48000, [{ seconds: 0.3, dbfs: -10 }]);
  assert.equal(short.integratedLufs, -Infinity);
  assert.equal(short.momentaryLufs.length, 0);
});

test('an odd sample rate (11025 Hz, 1102.5 samples a step) measures the same', () => {
  near(measure(11025, [{ seconds: 10, dbfs: -23 }]).integratedLufs, -23, 0.1, 'I');
});

test('the loudness range follows the Tech 3342 reference percentiles', () => {
  // 100 values from -30 to -20.1: the 10th percentile is index round(99 × 0.1) = 10, the 95th 94.
  const values = Array.from({ length: 100 }, (_, i) => -30 + i / 10);
  const r = loudnessRange(values);
  near(r.rangeLowLufs, -29, 1e-9, 'low');
  near(r.rangeHighLufs, -20.6, 1e-9, 'high');
  // Levels more than 20 LU under the (power) mean are gated out, as is anything under -70.
  const gated = loudnessRange([-80, -60, -60, ...values]);
  assert.equal(gated.rangeLowLufs, r.rangeLowLufs);
});

test('bad input is refused with a clear error', () => {
  assert.throws(() => measureLoudness([], 48000), /no channels/);
  assert.throws(() => measureLoudness([new Float32Array(10), new Float32Array(11)], 48000), /differ in length/);
  assert.throws(() => measureLoudness([new Float32Array(10)], 48000, [1, 1]), /2 weights for 1 channels/);
});
