import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Measurements } from './meter.ts';
import type { MasteringChain } from './correct.ts';
import { describeCorrection, formatNumber, report, type Figure } from './report.ts';

const base: Measurements = {
  sampleRate: 48000,
  channelCount: 2,
  durationSeconds: 180,
  integratedLufs: -14.2,
  loudnessRangeLu: 7,
  momentaryMaxLufs: -9,
  shortTermMaxLufs: -11,
  truePeakDbtp: -1.5,
  truePeakPerChannelDbtp: [-1.5, -1.8],
  truePeakAtSeconds: 61.25,
  samplePeakDbfs: -1.7,
  samplePeakPerChannelDbfs: [-1.7, -2],
  clippedSamples: 0,
  clipRuns: 0,
  longestClipRun: 0,
  balanceDb: 0.3,
  correlation: 0.6,
  dcOffset: [0.00001, -0.00002],
};
const line = (m: Partial<Measurements>, figure: Figure) => report({ ...base, ...m }).find((l) => l.figure === figure)!;

test('a healthy master reads ok on every line, one line per figure', () => {
  const lines = report(base);
  assert.deepEqual(
    lines.map((l) => l.figure),
    ['integrated-loudness', 'loudness-range', 'true-peak', 'clipping', 'stereo-balance', 'stereo-correlation', 'dc-offset'],
  );
  for (const l of lines) assert.equal(l.verdict, 'ok', l.words);
  assert.deepEqual(JSON.parse(JSON.stringify(lines)), lines);
});

test('loudness is put against the -14 LUFS streaming services play at', () => {
  const loud = line({ integratedLufs: -9.1 }, 'integrated-loudness');
  assert.equal(loud.words, '\u22129.1 LUFS: streaming services will turn this down by about 5 dB.');
  assert.equal(loud.verdict, 'ok');
  assert.equal(line({ integratedLufs: -6.4 }, 'integrated-loudness').verdict, 'warn');
  const quiet = line({ integratedLufs: -23 }, 'integrated-loudness');
  assert.equal(quiet.verdict, 'warn');
  assert.match(quiet.words, /about 9 dB quieter than the −14 LUFS/);
  assert.equal(line({ integratedLufs: -35 }, 'integrated-loudness').verdict, 'problem');
  const silent = line({ integratedLufs: -Infinity }, 'integrated-loudness');
  assert.equal(silent.verdict, 'problem');
  assert.equal(silent.value, null);
  // Another reference (a podcast's -16) moves the yardstick.
  assert.match(report({ ...base, integratedLufs: -12 }, { referenceLufs: -16 })[0]!.words, /turn this down by about 4 dB/);
});

test('true peak: over -1 dBTP warns, over 0 is a problem, and both say where', () => {
  const warn = line({ truePeakDbtp: -0.4 }, 'true-peak');
  assert.equal(warn.verdict, 'warn');
  assert.equal(warn.words, 'True peak \u22120.4 dBTP (at 1:01.3): may distort after encoding to MP3/AAC; aim for \u22121 dBTP.');
  const over = line({ truePeakDbtp: 0.4 }, 'true-peak');
  assert.equal(over.verdict, 'problem');
  assert.match(over.words, /^True peak \+0\.4 dBTP .*distort.*MP3\/AAC; aim for −1 dBTP/);
});

test('clipping, balance, correlation and DC each get their verdict and a reason', () => {
  assert.equal(line({ clippedSamples: 3 }, 'clipping').verdict, 'warn');
  const clipped = line({ clippedSamples: 120, clipRuns: 14, longestClipRun: 9 }, 'clipping');
  assert.equal(clipped.verdict, 'problem');
  assert.match(clipped.words, /120 clipped samples, in 14 flat-topped runs \(the longest 9 samples\)/);
  const leftHeavy = line({ balanceDb: 2.2 }, 'stereo-balance');
  assert.equal(leftHeavy.verdict, 'warn');
  assert.match(leftHeavy.words, /2\.2 dB to the left/);
  assert.equal(line({ balanceDb: -4 }, 'stereo-balance').verdict, 'problem');
  assert.match(line({ balanceDb: -4 }, 'stereo-balance').words, /to the right/);
  assert.equal(line({ correlation: -0.3 }, 'stereo-correlation').verdict, 'problem');
  assert.match(line({ correlation: -0.3 }, 'stereo-correlation').words, /cancel when played in mono/);
  assert.equal(line({ correlation: 0.1 }, 'stereo-correlation').verdict, 'warn');
  const dc = line({ dcOffset: [0.02, 0] }, 'dc-offset');
  assert.equal(dc.verdict, 'problem');
  assert.equal(dc.value, 2);
  assert.match(dc.words, /high-pass below 20 Hz/);
  assert.equal(line({ dcOffset: [0, -0.004] }, 'dc-offset').verdict, 'warn');
});

test('mono files skip the stereo figures without a warning', () => {
  const mono = report({ ...base, channelCount: 1, balanceDb: null, correlation: null, dcOffset: [0] });
  const byFigure = Object.fromEntries(mono.map((l) => [l.figure, l]));
  assert.equal(byFigure['stereo-balance']!.verdict, 'ok');
  assert.equal(byFigure['stereo-balance']!.value, null);
  assert.equal(byFigure['stereo-correlation']!.verdict, 'ok');
});

test('numbers read as people write them', () => {
  assert.equal(formatNumber(-9.06), '\u22129.1');
  assert.equal(formatNumber(0.44, 1, true), '+0.4');
  assert.equal(formatNumber(-0.01), '0.0');
  assert.equal(formatNumber(3), '3.0');
});

test('the correction chain reads as a sentence, saying when the target was missed', () => {
  const chain: MasteringChain = {
    standard: 'ITU-R BS.1770-4 / EBU R 128',
    targetLufs: -14,
    gainDb: 6.19,
    limiter: { ceilingDbtp: -1, lookaheadMs: 3, releaseMs: 80, maxReductionDb: 5.77, limitedShare: 0.2367 },
    measuredBefore: { integratedLufs: -20.19, loudnessRangeLu: 6.74, truePeakDbtp: -1.47, samplePeakDbfs: -1.62 },
    measuredAfter: { integratedLufs: -14.93, loudnessRangeLu: 5.58, truePeakDbtp: -1.05, samplePeakDbfs: -1.05 },
  };
  assert.equal(
    describeCorrection(chain),
    'Turned up 6.2 dB toward \u221214 LUFS; a limiter held the peaks to \u22121 dBTP, taking up to 5.8 dB off 24 % of the time. ' +
      'Result: \u221214.9 LUFS, true peak \u22121.1 dBTP (0.9 LU short of the target: the limiter would have to squash the peaks harder to get there; a quieter target or a mix with less peaky drums lands closer).',
  );
  const gentle = {
    ...chain,
    gainDb: -2.8,
    targetLufs: -23,
    limiter: { ...chain.limiter, maxReductionDb: 0, limitedShare: 0 },
    measuredAfter: { ...chain.measuredAfter, integratedLufs: -23, truePeakDbtp: -4.43 },
  };
  assert.equal(
    describeCorrection(gentle),
    'Turned down 2.8 dB toward \u221223 LUFS; no limiting was needed. Result: \u221223.0 LUFS, true peak \u22124.4 dBTP.',
  );
});
