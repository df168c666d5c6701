/**
 * The Ogg Opus muxer against an independent implementation: ffmpeg (libopus) encodes a signal to
 * an .opus file; its pages' CRCs must equal ours, and its packets, re-muxed by muxOggOpus with
 * our headers and tags, must decode in ffmpeg to the same samples, the same duration, and show
 * our tags. (The browser side, WebCodecs packets, is tests/export/exports.test.ts.)
 * Fails, naming ffmpeg, when it is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { encodeWav } from '../../renderer/audio/wav.ts';
import { muxOggOpus, readOggPages } from '../../renderer/export/ogg-opus.ts';
import { ffmpegDecode, ffprobe, requireFfmpeg, withTempFile } from '../support/ffmpeg-decode.ts';

test("ffmpeg's Ogg pages pass our CRC; its packets re-muxed by us decode to the same audio with our tags", () => {
  requireFfmpeg();
  const rate = 48000;
  const frames = Math.round(2.345 * rate); // not a whole number of 20 ms packets
  const left = Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 330 * i) / rate) * Math.min(1, i / 4800));
  const right = Float32Array.from({ length: frames }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 523 * i) / rate));
  const theirs = withTempFile('in.wav', encodeWav({ sampleRate: rate, channels: [left, right] }, { bitDepth: 24 }), (path) => {
    const out = path.replace(/in\.wav$/, 'ffmpeg.opus');
    execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-c:a', 'libopus', '-b:a', '96k', out]);
    return new Uint8Array(readFileSync(out));
  });
  const pages = readOggPages(theirs);
  assert.ok(pages.length > 3);
  for (const p of pages) assert.equal(p.computedCrc, p.storedCrc, `ffmpeg's page ${p.sequence}: our CRC agrees`);
  const head = pages[0]!.packets[0]!;
  assert.equal(new TextDecoder().decode(head.subarray(0, 8)), 'OpusHead');
  const preSkip = new DataView(head.buffer, head.byteOffset).getUint16(10, true);
  const packets = pages.slice(2).flatMap((p) => p.packets);
  const length = Number(pages.at(-1)!.granule) - preSkip;
  assert.equal(length, frames, "ffmpeg's end granule is pre-skip + the input's length");
  const ours = muxOggOpus({
    packets,
    channels: 2,
    preSkip,
    inputSampleRate: rate,
    length,
    metadata: { title: 'Re-muxed', provenance: 'a test', masteringChain: { gainDb: -2 } },
  });
  const decode = (bytes: Uint8Array) => withTempFile('x.opus', bytes, (path) => ({ probe: ffprobe(path), audio: ffmpegDecode(path) }));
  const a = decode(theirs);
  const b = decode(ours);
  assert.equal(b.probe.codec, 'opus');
  assert.equal(b.probe.channels, 2);
  // ffprobe 5.1 reports the last granule over 48 kHz, pre-skip included (6.5 ms here), for
  // ffmpeg's own files too: ours must read the same, and decode to exactly the input's length.
  assert.equal(b.probe.duration, a.probe.duration);
  assert.ok(Math.abs(b.probe.duration - frames / rate) < 0.02, `duration ${b.probe.duration} vs ${frames / rate}`);
  assert.equal(b.probe.tags.title, 'Re-muxed');
  assert.equal(b.probe.tags.comment, 'a test\nMastering: {"gainDb":-2}');
  assert.equal(b.probe.tags.riffroom_mastering, '{"gainDb":-2}');
  assert.equal(b.audio.channels[0]!.length, a.audio.channels[0]!.length);
  assert.equal(b.audio.channels[0]!.length, frames);
  let worst = 0;
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < frames; i++) worst = Math.max(worst, Math.abs(a.audio.channels[c]![i]! - b.audio.channels[c]![i]!));
  assert.equal(worst, 0, 'the same packets decode to the same samples');
});
