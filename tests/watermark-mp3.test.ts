/**
 * The watermark through a real lossy codec: a marked excerpt encoded by Debian's ffmpeg with
 * libmp3lame at 128 kb/s (`ffmpeg -i x.wav -codec:a libmp3lame -b:a 128k x.mp3`) and decoded back
 * is still found and its payload read, and the unmarked excerpt through the same round trip is not. Skips, saying why,
 * where ffmpeg (or its LAME encoder) is missing: `bash scripts/setup-audio-tools.sh`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectWatermark, embedWatermark } from '../core/watermark/index.ts';
import { musicLike } from '../renderer/audio/mastering/signals.ts';
import { ffmpegMissing, mp3RoundTrip } from '../bench/watermark/ffmpeg.ts';

const SR = 44_100;
const missing = ffmpegMissing();

test('a marked 20-s excerpt survives MP3 at 128 kb/s, payload and all; the unmarked one is not flagged', { skip: missing ?? false }, () => {
  const music = musicLike({ seconds: 20, sampleRate: SR, seed: 5, gainDb: -6 }).channels;
  const payload = 0x5eed_0000_1234_abcdn;
  const marked = embedWatermark(music, SR, payload);
  const after = detectWatermark(mp3RoundTrip(marked, SR), SR);
  assert.equal(after.found, true, `confidence after MP3: ${after.confidence.toFixed(2)}`);
  assert.equal(after.payload, payload, 'the payload is read after MP3 too');
  const plain = detectWatermark(mp3RoundTrip(music, SR), SR);
  assert.equal(plain.found, false, `unmarked confidence after MP3: ${plain.confidence.toFixed(2)}`);
});
