/**
 * Exported WAVs opened by an independent decoder (Debian's ffmpeg): 16- and 24-bit files decode
 * to the samples written (within one step), with their metadata where ffmpeg looks for it; and
 * WAVs ffmpeg writes (24-bit, 32-bit float: WAVE_FORMAT_EXTENSIBLE) read back through decodeWav.
 * Fails, naming ffmpeg, when it is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeWav, encodeWav } from '../../renderer/audio/wav.ts';
import { ffmpegDecode, ffprobe, requireFfmpeg, withTempFile } from '../support/ffmpeg-decode.ts';

const sampleRate = 44100;
const left = Float32Array.from({ length: sampleRate }, (_, i) => 0.8 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
const right = Float32Array.from({ length: sampleRate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / sampleRate + 1));
const metadata = { title: 'Café riff', provenance: 'Drums by Ana; bass generated', masteringChain: { normalize: -14, truePeakLimit: -1 } };

for (const bitDepth of [16, 24] as const) {
  test(`a ${bitDepth}-bit export decodes in ffmpeg to the written samples, with its title and comment`, () => {
    requireFfmpeg();
    const bytes = encodeWav({ sampleRate, channels: [left, right] }, { bitDepth, metadata });
    withTempFile('riff.wav', bytes, (path) => {
      const probe = ffprobe(path);
      assert.equal(probe.codec, bitDepth === 16 ? 'pcm_s16le' : 'pcm_s24le');
      assert.equal(probe.sampleRate, sampleRate);
      assert.equal(probe.channels, 2);
      assert.equal(probe.bitsPerSample, bitDepth);
      assert.ok(Math.abs(probe.duration - 1) < 1e-3, `duration ${probe.duration}`);
      assert.equal(probe.tags.title, 'Café riff');
      assert.equal(probe.tags.comment, 'Drums by Ana; bass generated\nMastering: {"normalize":-14,"truePeakLimit":-1}');
      assert.equal(probe.tags.encoder ?? probe.tags.software, 'Riffroom');
      const decoded = ffmpegDecode(path);
      assert.equal(decoded.channels[0]!.length, sampleRate);
      const step = 1 / (bitDepth === 16 ? 32767 : 8388607);
      let worst = 0;
      for (let i = 0; i < sampleRate; i++) {
        worst = Math.max(worst, Math.abs(decoded.channels[0]![i]! - left[i]!), Math.abs(decoded.channels[1]![i]! - right[i]!));
      }
      // Half a step of rounding, plus ffmpeg scaling by 2^(bits-1) where we scale by 2^(bits-1) - 1
      // (at most one step apart at full scale).
      assert.ok(worst <= 1.5 * step, `worst difference ${worst} vs a step of ${step}`);
    });
  });
}

test('decodeWav reads what ffmpeg writes: 24-bit and 32-bit float (extensible headers)', () => {
  requireFfmpeg();
  const source = encodeWav({ sampleRate, channels: [left, right] }, { bitDepth: 24 });
  for (const codec of ['pcm_s24le', 'pcm_f32le']) {
    const out = withTempFile('in.wav', source, (path) => {
      const target = path.replace(/in\.wav$/, 'out.wav');
      execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-c:a', codec, '-rf64', 'never', target]);
      return readFileSync(target);
    });
    const back = decodeWav(new Uint8Array(out));
    assert.equal(back.channels.length, 2);
    assert.equal(back.channels[0]!.length, sampleRate);
    assert.equal(back.float, codec === 'pcm_f32le');
    let worst = 0;
    for (let i = 0; i < sampleRate; i++) worst = Math.max(worst, Math.abs(back.channels[0]![i]! - left[i]!));
    assert.ok(worst < 3e-7, `${codec}: worst difference ${worst}`);
  }
});
