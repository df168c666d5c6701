import { provenanceSong } from '../../core/provenance/fixture.test-support.ts';
import { provenanceRecord, withMastering } from '../../core/provenance/record.ts';
import { readWavProvenance } from '../../core/provenance/wav.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav, encodeWav, floatToInt16, floatToInt24 } from './wav.ts';

test('a known stereo buffer encodes to the exact RIFF/WAVE bytes', () => {
  const left = new Float32Array([0, 1, -1, 0.5]);
  const right = new Float32Array([-0.5, 2, -2, Number.NaN]);
  const bytes = encodeWav({ sampleRate: 44100, channels: [left, right] });
  assert.equal(bytes.length, 44 + 4 * 2 * 2);
  const view = new DataView(bytes.buffer);
  const text = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  assert.equal(text(0), 'RIFF');
  assert.equal(view.getUint32(4, true), bytes.length - 8);
  assert.equal(text(8), 'WAVE');
  assert.equal(text(12), 'fmt ');
  assert.equal(view.getUint32(16, true), 16);
  assert.equal(view.getUint16(20, true), 1, 'PCM');
  assert.equal(view.getUint16(22, true), 2, 'channels');
  assert.equal(view.getUint32(24, true), 44100);
  assert.equal(view.getUint32(28, true), 44100 * 4, 'byte rate');
  assert.equal(view.getUint16(32, true), 4, 'block align');
  assert.equal(view.getUint16(34, true), 16, 'bits');
  assert.equal(text(36), 'data');
  assert.equal(view.getUint32(40, true), 16);
  // Interleaved L R L R..., clamped, NaN as silence.
  const samples = Array.from({ length: 8 }, (_, i) => view.getInt16(44 + i * 2, true));
  assert.deepEqual(samples, [0, -16384, 32767, 32767, -32767, -32767, 16384, 0]);
  assert.deepEqual(
    [...bytes.subarray(0, 44)],
    [
      82, 73, 70, 70, 52, 0, 0, 0, 87, 65, 86, 69, 102, 109, 116, 32, 16, 0, 0, 0, 1, 0, 2, 0, 68, 172, 0, 0, 16, 177, 2, 0, 4, 0, 16, 0,
      100, 97, 116, 97, 16, 0, 0, 0,
    ],
  );
});

test('round trip within one quantisation step; mono works; bad input is refused', () => {
  const sine = Float32Array.from({ length: 1000 }, (_, i) => 0.8 * Math.sin(i / 7));
  const back = decodeWav(encodeWav({ sampleRate: 48000, channels: [sine] }));
  assert.equal(back.sampleRate, 48000);
  assert.equal(back.channels.length, 1);
  let worst = 0;
  for (let i = 0; i < sine.length; i++) worst = Math.max(worst, Math.abs(back.channels[0]![i]! - sine[i]!));
  assert.ok(worst <= 0.5 / 32767 + 1e-7, `worst error ${worst}`);
  assert.throws(() => encodeWav({ sampleRate: 44100, channels: [] }), /no channels/);
  assert.throws(() => encodeWav({ sampleRate: 44100, channels: [new Float32Array(2), new Float32Array(3)] }), /differ/);
  assert.throws(() => decodeWav(new Uint8Array(44)), /RIFF/);
  assert.equal(floatToInt16(-0.00001), -0);
});

test('24-bit: exact header and sample bytes, round trip within one 24-bit step', () => {
  const bytes = encodeWav({ sampleRate: 48000, channels: [new Float32Array([0, 1, -1, 0.5, -0.25])] }, { bitDepth: 24 });
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint16(34, true), 24, 'bits');
  assert.equal(view.getUint16(32, true), 3, 'block align');
  assert.equal(view.getUint32(28, true), 48000 * 3, 'byte rate');
  assert.equal(view.getUint32(40, true), 15, 'data bytes');
  assert.equal(bytes.length, 44 + 16, 'odd data padded to an even size');
  assert.equal(view.getUint32(4, true), bytes.length - 8);
  // 1.0 → 0x7fffff, -1.0 → -0x7fffff = 0x800001, 0.5 → 0x400000 (4194303.5 rounds away from zero), -0.25 → -2097152.
  assert.deepEqual([...bytes.subarray(44, 59)], [0, 0, 0, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x80, 0x00, 0x00, 0x40, 0x00, 0x00, 0xe0]);
  assert.equal(floatToInt24(0.5), 4194304);
  const sine = Float32Array.from({ length: 4000 }, (_, i) => 0.9 * Math.sin(i / 5));
  const back = decodeWav(encodeWav({ sampleRate: 44100, channels: [sine, sine.map((v) => -v)] }, { bitDepth: 24 }));
  assert.equal(back.bitDepth, 24);
  let worst = 0;
  for (let i = 0; i < sine.length; i++)
    worst = Math.max(worst, Math.abs(back.channels[0]![i]! - sine[i]!), Math.abs(back.channels[1]![i]! + sine[i]!));
  assert.ok(worst <= 0.5 / 8388607 + 1e-7, `worst error ${worst}`);
  assert.throws(() => encodeWav({ sampleRate: 44100, channels: [sine] }, { bitDepth: 20 as 16 }), /bit depth 20/);
});

test('metadata goes in a LIST/INFO chunk before the audio, and reads back', () => {
  const audio = { sampleRate: 44100, channels: [new Float32Array([0.1, 0.2, 0.3])] };
  const plain = encodeWav(audio);
  const tagged = encodeWav(audio, {
    metadata: { title: 'Nuit blanche', provenance: 'Bass by Ana; keys generated', masteringChain: { target: -14, limiter: -1 } },
  });
  const back = decodeWav(tagged);
  assert.deepEqual([...back.channels[0]!], [...decodeWav(plain).channels[0]!]);
  assert.equal(back.info.INAM, 'Nuit blanche');
  assert.equal(back.info.ICMT, 'Bass by Ana; keys generated\nMastering: {"target":-14,"limiter":-1}');
  assert.equal(back.info.ISFT, 'Riffroom');
  const text = (o: number) => String.fromCharCode(...tagged.subarray(o, o + 4));
  assert.equal(text(36), 'LIST');
  const listSize = new DataView(tagged.buffer).getUint32(40, true);
  assert.equal(listSize % 2, 0, 'chunk sizes even');
  assert.equal(text(44 + listSize), 'data');
  assert.equal(new DataView(tagged.buffer).getUint32(4, true), tagged.length - 8);
  // Only a title: no comment entry.
  assert.deepEqual(decodeWav(encodeWav(audio, { metadata: { title: 'T' } })).info, { INAM: 'T', ISFT: 'Riffroom' });
});

test('with a provenance record: a bext chunk, then INFO with the record (and its mastering chain) under IPRV, then the audio', () => {
  const audio = { sampleRate: 44100, channels: [new Float32Array([0.1, 0.2, 0.3]), new Float32Array(3)] };
  const record = provenanceRecord(provenanceSong(), { content: 'audio' });
  const chain = { targetLufs: -14 };
  const tagged = encodeWav(audio, { bitDepth: 24, metadata: { title: 'Night Drive', record, masteringChain: chain } });
  const view = new DataView(tagged.buffer);
  const text = (o: number) => String.fromCharCode(...tagged.subarray(o, o + 4));
  const bextSize = view.getUint32(40, true);
  const list = 44 + bextSize + (bextSize & 1);
  const data = list + 8 + view.getUint32(list + 4, true);
  assert.deepEqual([text(12), text(36), text(list), text(data)], ['fmt ', 'bext', 'LIST', 'data']);
  assert.equal(view.getUint32(4, true), tagged.length - 8);
  const back = decodeWav(tagged);
  assert.deepEqual(
    [...back.channels[0]!].map((v) => Math.round(v * 10) / 10),
    [0.1, 0.2, 0.3],
    'the samples where they were',
  );
  assert.match(
    back.info.ICMT ?? '',
    /^Made in Riffroom: 5 clips .*\nMastering: \{"targetLufs":-14\}$/,
    'the summary line when no line is given',
  );
  assert.deepEqual(readWavProvenance(tagged).record, withMastering(record, chain));
  // Without a record: no bext, as before.
  const plain = encodeWav(audio, { metadata: { title: 'T' } });
  assert.equal(String.fromCharCode(...plain.subarray(36, 40)), 'LIST');
});

test('decodeWav reads 32-bit float files and names what it cannot read', () => {
  // A float WAV built by hand: fmt (format 3, 32 bits), data.
  const samples = [0.5, -0.75, 1.25];
  const bytes = new Uint8Array(44 + samples.length * 4);
  const view = new DataView(bytes.buffer);
  const put = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) bytes[o + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 3, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 8000, true);
  view.setUint32(28, 32000, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 32, true);
  put(36, 'data');
  view.setUint32(40, samples.length * 4, true);
  samples.forEach((v, i) => view.setFloat32(44 + i * 4, v, true));
  const back = decodeWav(bytes);
  assert.equal(back.float, true);
  assert.deepEqual([...back.channels[0]!], samples);
  view.setUint16(20, 2, true); // ADPCM
  assert.throws(() => decodeWav(bytes), /unsupported format 2 at 32 bits/);
});
