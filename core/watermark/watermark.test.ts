/**
 * The watermark end to end on synthesized music (renderer/audio/mastering/signals.ts): embed then
 * detect finds the payload; unmarked audio finds nothing; a damaged mark never yields a payload
 * other than the one embedded; gain and resampling change nothing; the mark stays ≥ 30 dB below
 * the music in every 1/3-octave band.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { musicLike } from '../../renderer/audio/mastering/signals.ts';
import { markBandLevels } from './band-levels.ts';
import { SYNC_ONLY_Z, detectWatermark, embedWatermark } from './index.ts';
import { resample } from './resample.ts';

const SR = 44_100;
const PAYLOAD = 0x0123_4567_89ab_cdefn;
const music = musicLike({ seconds: 36, sampleRate: SR, seed: 3, gainDb: -6 }).channels;
const marked = embedWatermark(music, SR, PAYLOAD);
// 36 s of this busy synthetic mix hold plenty for the sync at the shipped strength, not for all 64
// bits (a quarter of the tiles carry them; bench/watermark measures the rates on rendered songs):
// the payload's path is checked with a stronger mark.
const strong = embedWatermark(music, SR, PAYLOAD, { strength: 0.4 });

test('embed then detect at the shipped strength: found, with a sync well above the null', () => {
  const found = detectWatermark(marked, SR);
  assert.equal(found.found, true);
  assert.ok(found.confidence > SYNC_ONLY_Z + 2, `confidence ${found.confidence}`);
  assert.ok(found.payload === null || found.payload === PAYLOAD);
});

test('embed then detect: the payload comes back', () => {
  const found = detectWatermark(strong, SR);
  assert.equal(found.found, true);
  assert.equal(found.payload, PAYLOAD);
});

test('unmarked music: nothing found, no payload', () => {
  const none = detectWatermark(music, SR);
  assert.equal(none.found, false);
  assert.equal(none.payload, null);
});

test('at another gain and rate (−6 dB, resampled to 48 kHz), the payload still comes back', () => {
  const at48 = strong.map((c) =>
    resample(
      c.map((v) => v * 0.5),
      SR,
      48_000,
    ),
  );
  assert.equal(detectWatermark(at48, 48_000).payload, PAYLOAD);
});

test('a 10-s excerpt from the middle, at the shipped strength: found, and never another payload', () => {
  const from = Math.round(13.7 * SR);
  const found = detectWatermark(
    marked.map((c) => c.slice(from, from + 10 * SR)),
    SR,
  );
  assert.equal(found.found, true, `confidence ${found.confidence}`);
  assert.ok(found.payload === null || found.payload === PAYLOAD);
});

test('a weak or damaged mark is never read as another payload', () => {
  const short = music.map((c) => c.subarray(0, 12 * SR));
  for (const strength of [0.003, 0.01]) {
    const d = detectWatermark(embedWatermark(short, SR, PAYLOAD, { strength }), SR);
    assert.ok(d.payload === null || d.payload === PAYLOAD, `strength ${strength}: read ${d.payload?.toString(16)}`);
  }
  const other = embedWatermark(music, SR, 0xfeedn, { strength: 0.4 });
  assert.equal(detectWatermark(other, SR).payload, 0xfeedn);
});

test('the mark sits at least 30 dB below the music in every 1/3-octave band, second by second', () => {
  const levels = markBandLevels(music[0]!, marked[0]!, SR);
  assert.ok(levels.minDb >= 30, `closest band-window: ${levels.minDb.toFixed(1)} dB`);
  assert.deepEqual(embedWatermark(music, SR, PAYLOAD, { strength: 0 })[0], music[0]);
});

test('silence stays silent', () => {
  const silent = [new Float32Array(SR * 3)];
  assert.ok(embedWatermark(silent, SR, PAYLOAD)[0]!.every((v) => v === 0));
  assert.equal(detectWatermark(silent, SR).found, false);
});
