/**
 * True peak against EBU Tech 3341's cases 15 to 23 (tolerance +0.2/-0.4 dB), synthesized here at
 * 48 kHz and 44.1 kHz.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNEX_2_PHASES, INTERPOLATOR_PHASES, toDb, truePeak, truePeakEnvelope } from './true-peak.ts';
import { random, taperedSine } from './signals.ts';

const inTolerance = (measuredDb: number, expectedDb: number, what: string) =>
  assert.ok(
    measuredDb <= expectedDb + 0.2 && measuredDb >= expectedDb - 0.4,
    `${what}: ${measuredDb.toFixed(3)} dBTP, expected ${expectedDb} +0.2/-0.4`,
  );

/**
 * Cases 20 to 23: a 0.5 sine at fs/6 with one period of a full-scale sine at fs/4 in it (phase
 * continuous), synthesized at 4 fs, low-pass filtered (a windowed sinc at 0.45 fs) and taken
 * every 4th sample from `offset`.
 */
function burstCase(sampleRate: number, offset: number): Float32Array {
  const high = 4 * sampleRate;
  const seconds = 0.5;
  const n = Math.round(seconds * high);
  const x = new Float64Array(n);
  // The fs/4 period starts at a zero crossing of the fs/6 tone, going up, so both join in phase.
  const periodLow = 24; // one fs/6 period at 4 fs
  const start = periodLow * Math.round(n / 2 / periodLow);
  const burst = 16; // one fs/4 period at 4 fs
  const fade = 0.01 * high;
  for (let i = 0; i < n; i++) {
    const taper = Math.min(1, i / fade, (n - 1 - i) / fade);
    if (i >= start && i < start + burst) x[i] = Math.sin((2 * Math.PI * (i - start)) / burst);
    // After the burst the tone resumes where it left off (at a zero crossing, going up).
    else x[i] = taper * 0.5 * Math.sin((2 * Math.PI * (i < start ? i : i - burst)) / periodLow);
  }
  // Anti-aliasing low-pass: a Blackman-windowed sinc, cut-off 0.45 × fs (0.1125 of 4 fs).
  const taps = 255;
  const cutoff = 0.45 / 4;
  const h = new Float64Array(taps);
  let sum = 0;
  for (let k = 0; k < taps; k++) {
    const m = k - (taps - 1) / 2;
    const sinc = m === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * k) / (taps - 1));
    h[k] = sinc * w;
    sum += h[k]!;
  }
  const out = new Float32Array(Math.floor((n - offset) / 4));
  for (let o = 0; o < out.length; o++) {
    const i = o * 4 + offset;
    let acc = 0;
    for (let k = 0; k < taps; k++) {
      const idx = i - k + (taps - 1) / 2;
      if (idx >= 0 && idx < n) acc += h[k]! * x[idx]!;
    }
    out[o] = acc / sum;
  }
  return out;
}

for (const rate of [48000, 44100]) {
  test(`Tech 3341 #15 to #19 at ${rate} Hz: sines at fs/4, fs/6, fs/8 read their true peak`, () => {
    const cases: [number, number, number, number][] = [
      [rate / 4, 0.5, 0, -6],
      [rate / 4, 0.5, 45, -6],
      [rate / 6, 0.5, 60, -6],
      [rate / 8, 0.5, 67.5, -6],
      [rate / 4, 1.41, 45, 3],
    ];
    for (const [i, [hz, amplitude, phase, expected]] of cases.entries()) {
      const x = taperedSine(rate, hz, amplitude, phase, 1);
      inTolerance(toDb(truePeak(x).peak), expected, `case #${i + 15}`);
    }
    // #19's samples peak at 0 dBFS while the waveform between them reaches +3 dB.
    const x = taperedSine(rate, rate / 4, 1.41, 45, 1);
    assert.ok(Math.abs(toDb(Math.max(...x.map(Math.abs)))) < 0.05);
  });

  test(`Tech 3341 #20 to #23 at ${rate} Hz: a one-period burst between samples reads 0 dBTP at every offset`, () => {
    for (let offset = 0; offset < 4; offset++) {
      const x = burstCase(rate, offset);
      inTolerance(toDb(truePeak(x).peak), 0, `case #${20 + offset}`);
    }
  });
}

test('the interpolator: phase 0 is the sample, phases mirror, unity gain at DC, flat where music is', () => {
  const [p0, p1, p2, p3] = INTERPOLATOR_PHASES as [number[], number[], number[], number[]];
  assert.deepEqual(
    p0.map((h) => Math.abs(Math.round(h * 1e12) / 1e12)),
    [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
  );
  assert.deepEqual([...p3].reverse(), p1);
  assert.deepEqual([...p2].reverse(), p2);
  const response = (taps: number[], f: number) => {
    let re = 0;
    let im = 0;
    taps.forEach((h, k) => {
      re += h * Math.cos(2 * Math.PI * f * k);
      im -= h * Math.sin(2 * Math.PI * f * k);
    });
    return 20 * Math.log10(Math.hypot(re, im));
  };
  for (const taps of [p1, p2, p3]) {
    for (let f = 0; f <= 0.35; f += 0.01) assert.ok(Math.abs(response(taps, f)) < 0.05, `${response(taps, f)} dB at ${f} fs`);
  }
  // The Annex's example table, by contrast, reads 0.973 (-0.24 dB) at DC in its middle phases.
  const dc = ANNEX_2_PHASES.map((taps) => taps.reduce((a, b) => a + b, 0));
  assert.ok(Math.abs(dc[1]! - 0.973) < 0.001 && Math.abs(dc[2]! - 0.973) < 0.001, `${dc}`);
});

test('the true peak is found where it is, in loud and in sparse signals alike', () => {
  // Quiet noise with one loud inter-sample peak 2 s in: the block search must not skip it.
  const rand = random(7);
  const x = new Float32Array(48000 * 4).map(() => (rand() * 2 - 1) * 0.01);
  const at = 96000;
  for (let i = -20; i <= 20; i++) x[at + i] = 0.7 * Math.sin((Math.PI / 2) * i + Math.PI / 4) * Math.exp(-(i * i) / 200);
  const found = truePeak(x);
  assert.ok(Math.abs(found.frame - at) <= 2, `frame ${found.frame}`);
  assert.ok(found.peak > 0.7 * 0.97 && found.peak < 0.7 * 1.05, `peak ${found.peak}`);
  // The sample peak is a floor, and silence reads nothing.
  assert.equal(truePeak(new Float32Array(100)).peak, 0);
  assert.equal(truePeak(new Float32Array([0.5])).peak >= 0.5, true);
  assert.equal(toDb(0), -Infinity);
});

test('the envelope bounds every interpolated value near each frame, over all channels', () => {
  const rate = 48000;
  const left = taperedSine(rate, rate / 4, 1.41, 45, 0.1);
  const right = new Float32Array(left.length);
  const envelope = truePeakEnvelope([left, right]);
  const mid = Math.floor(left.length / 2);
  assert.ok(envelope[mid]! > 1.35, `envelope ${envelope[mid]}`);
  for (let j = 0; j < left.length; j++) assert.ok(envelope[j]! >= Math.abs(left[j]!));
  // Blocks that cannot reach the floor keep plain sample magnitudes.
  const quiet = new Float32Array(4096).map((_, i) => 0.01 * Math.sin(i));
  const floored = truePeakEnvelope([quiet], 0.5);
  for (let j = 0; j < quiet.length; j++) assert.equal(floored[j], Math.abs(quiet[j]!));
});
