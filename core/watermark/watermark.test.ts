/**
 * The watermark end to end on synthesized music (renderer/audio/mastering/signals.ts), at the
 * shipped strength: embed then detect finds it and reads the payload — whole, as a 10-s excerpt,
 * at another gain and rate, and mixed 6 dB under another song; unmarked audio finds nothing; a
 * damaged mark never yields a payload other than the one embedded; the mark stays ≥ 30 dB below
 * the music in every 1/3-octave band, second by second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { musicLike } from '../../renderer/audio/mastering/signals.ts';
import { markBandLevels } from './band-levels.ts';
import { FRAME_SECONDS, SYNC_ONLY_Z, detectWatermark, embedWatermark } from './index.ts';
import { resample } from './resample.ts';

const SR = 44_100;
const PAYLOAD = 0x0123_4567_89ab_cdefn;
const music = musicLike({ seconds: 24, sampleRate: SR, seed: 3, gainDb: -6 }).channels;
const other = musicLike({ seconds: 24, sampleRate: SR, seed: 9, gainDb: -6 }).channels;
const marked = embedWatermark(music, SR, PAYLOAD);

test('embed then detect: found well above the null, and the payload comes back', () => {
  const found = detectWatermark(marked, SR);
  assert.equal(found.found, true);
  assert.ok(found.confidence > SYNC_ONLY_Z + 5, `confidence ${found.confidence}`);
  assert.equal(found.payload, PAYLOAD);
});

test('unmarked music: nothing found, no payload', () => {
  for (const plain of [music, other]) {
    const none = detectWatermark(plain, SR);
    assert.equal(none.found, false, `confidence ${none.confidence}`);
    assert.equal(none.payload, null);
  }
});

test('mixed 6 dB under another song: found, payload read; that song alone is not marked', () => {
  const mix = marked.map((c, ch) => c.map((v, i) => v * 0.5 + other[ch]![i]!));
  const found = detectWatermark(mix, SR);
  assert.equal(found.found, true, `confidence ${found.confidence}`);
  assert.equal(found.payload, PAYLOAD);
  // The same mix with the unmarked song: nothing.
  const plainMix = music.map((c, ch) => c.map((v, i) => v * 0.5 + other[ch]![i]!));
  assert.equal(detectWatermark(plainMix, SR).found, false);
});

test('at another gain and rate (−6 dB, resampled to 48 kHz), the payload still comes back', () => {
  const at48 = marked.map((c) =>
    resample(
      c.map((v) => v * 0.5),
      SR,
      48_000,
    ),
  );
  assert.equal(detectWatermark(at48, 48_000).payload, PAYLOAD);
});

test("a 10-s excerpt from the middle: found, with its payload, and where the mark's period starts", () => {
  const from = Math.round(7.3 * SR);
  const found = detectWatermark(
    marked.map((c) => c.slice(from, from + 10 * SR)),
    SR,
  );
  assert.equal(found.found, true, `confidence ${found.confidence}`);
  assert.equal(found.payload, PAYLOAD);
  // The template starts at the song's first sample: in the excerpt, 7.3 s later, modulo a period.
  const expected = (FRAME_SECONDS - ((from / SR) % FRAME_SECONDS)) % FRAME_SECONDS;
  assert.ok(Math.abs(found.frameStartSeconds - expected) < 1e-4, `${found.frameStartSeconds} s, expected ${expected} s`);
});

test('a weak or damaged mark is never read as another payload', () => {
  const short = music.map((c) => c.subarray(0, 12 * SR));
  for (const strength of [0.001, 0.003]) {
    const d = detectWatermark(embedWatermark(short, SR, PAYLOAD, { strength }), SR);
    assert.ok(d.payload === null || d.payload === PAYLOAD, `strength ${strength}: read ${d.payload?.toString(16)}`);
  }
  assert.equal(detectWatermark(embedWatermark(short, SR, 0xfeedn), SR).payload, 0xfeedn);
});

test('the mark sits at least 30 dB below the music in every 1/3-octave band, second by second', () => {
  for (const c of [0, 1]) {
    const levels = markBandLevels(music[c]!, marked[c]!, SR);
    assert.ok(levels.minDb >= 30, `channel ${c}, closest band-window: ${levels.minDb.toFixed(1)} dB`);
  }
  assert.deepEqual(embedWatermark(music, SR, PAYLOAD, { strength: 0 })[0], music[0]);
});

test('silence stays silent', () => {
  const silent = [new Float32Array(SR * 3)];
  assert.ok(embedWatermark(silent, SR, PAYLOAD)[0]!.every((v) => v === 0));
  assert.equal(detectWatermark(silent, SR).found, false);
});
