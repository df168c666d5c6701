import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeUtf8 } from '../midi/text.ts';
import { provenanceSong } from './fixture.test-support.ts';
import { encodeProvenance, ProvenanceFormatError } from './json.ts';
import { provenanceRecord, withMastering } from './record.ts';
import { bextChunk, provenanceInfoEntry, readWavProvenance, WavFormatError } from './wav.ts';

const chunk = (id: string, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(encodeUtf8(id));
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
};
const join = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const FMT = chunk('fmt ', Uint8Array.of(1, 0, 2, 0, 0x44, 0xac, 0, 0, 0x10, 0xb1, 2, 0, 4, 0, 16, 0));
const DATA = chunk('data', new Uint8Array(8));
const infoList = (entries: [string, string][]) =>
  chunk('LIST', join(encodeUtf8('INFO'), ...entries.map(([id, text]) => chunk(id, join(encodeUtf8(text), Uint8Array.of(0))))));
const riff = (...chunks: Uint8Array[]): Uint8Array => {
  const body = join(encodeUtf8('WAVE'), ...chunks);
  return join(encodeUtf8('RIFF'), new Uint8Array(new Uint32Array([body.length]).buffer), body);
};

const record = withMastering(provenanceRecord(provenanceSong(), { content: 'audio' }), {
  targetLufs: -14,
  gainDb: 3.5,
  limiter: { ceilingDbtp: -1 },
  measuredAfter: { integratedLufs: -14.02, loudnessRangeLu: 5.3, truePeakDbtp: -1.04, samplePeakDbfs: -1.2 },
});

test('bext (BWF v2): description, originator, coding history, the loudness after mastering; an even size', () => {
  const bytes = bextChunk(record, { sampleRate: 44100, bitDepth: 24, channels: 2 });
  const view = new DataView(bytes.buffer);
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'bext');
  const size = view.getUint32(4, true);
  assert.equal(bytes.length, 8 + size);
  assert.equal(size % 2, 0, 'even, so readers that forget RIFF pad bytes still find the next chunk');
  const text = (at: number, n: number) => String.fromCharCode(...bytes.subarray(8 + at, 8 + at + n)).replace(/\0+$/, '');
  assert.match(text(0, 256), /^Made in Riffroom: 5 clips .*Notes: 43% by the AI bandmate as generated/);
  // This summary line is longer than the field: cut, and marked as cut.
  assert.equal(text(0, 256).length, 256);
  assert.ok(text(0, 256).endsWith('...'));
  assert.ok(
    bytes.subarray(8, 8 + 256).every((b) => b < 0x80),
    'ASCII',
  );
  assert.equal(text(256, 32), 'Riffroom');
  assert.equal(text(288, 32), 'song export');
  assert.equal(text(320, 18), '', 'no date or time: the same song gives the same bytes');
  assert.equal(view.getUint16(8 + 346, true), 2, 'version 2');
  assert.deepEqual(
    [view.getInt16(8 + 412, true), view.getInt16(8 + 414, true), view.getInt16(8 + 416, true), view.getInt16(8 + 418, true)],
    [-1402, 530, -104, 0x7fff],
  );
  assert.equal(
    text(602, size - 602),
    'A=PCM,F=44100,W=24,M=stereo,T=Riffroom offline render\r\n' +
      'A=PCM,F=44100,W=24,M=stereo,T=Riffroom mastering: loudness corrected to -14 LUFS, gain +3.5 dB, true-peak limiter at -1 dBTP\r\n',
  );
});

test('a WAV with bext and the record in INFO reads back; without them, none', () => {
  const wav = riff(
    FMT,
    bextChunk(record, { sampleRate: 44100, bitDepth: 16, channels: 2 }),
    infoList([['INAM', 'Night'], provenanceInfoEntry(record)]),
    DATA,
  );
  const found = readWavProvenance(wav);
  assert.deepEqual(found.record, record);
  assert.equal(found.bext?.originator, 'Riffroom');
  assert.deepEqual(found.bext?.loudness, { integratedLufs: -14.02, rangeLu: 5.3, truePeakDbtp: -1.04 });
  assert.match(found.bext?.codingHistory ?? '', /^A=PCM,F=44100,W=16,M=stereo/);
  assert.equal(found.info.INAM, 'Night');
  const plain = readWavProvenance(riff(FMT, infoList([['INAM', 'x']]), DATA));
  assert.deepEqual([plain.record, plain.bext], [null, null]);
});

test('malformed WAVs are refused, saying where', () => {
  const refused = (bytes: Uint8Array, pattern: RegExp, type: new (message: string) => Error = WavFormatError) =>
    assert.throws(
      () => readWavProvenance(bytes),
      (e: unknown) => e instanceof type && pattern.test(e.message),
    );
  refused(encodeUtf8('RIFF....AVI LIST'), /not a RIFF\/WAVE file/);
  const good = riff(FMT, infoList([provenanceInfoEntry(record)]), DATA);
  refused(good.subarray(0, good.length - 4), /cut short/);
  refused(riff(FMT), /no data chunk/);
  const lying = good.slice();
  new DataView(lying.buffer).setUint32(12 + FMT.length + 4, 1_000_000, true);
  refused(lying, /"LIST" chunk at byte 36 runs past the end/);
  refused(riff(FMT, chunk('bext', new Uint8Array(100)), DATA), /bext chunk is 100 bytes/);
  const badJson = riff(FMT, infoList([['IPRV', encodeProvenance(record).slice(0, 40)]]), DATA);
  refused(badJson, /not JSON/, ProvenanceFormatError);
});
