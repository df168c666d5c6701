import { test } from 'node:test';
import assert from 'node:assert/strict';
import { muxOggOpus } from '../../renderer/export/ogg-opus.ts';
import type { Song } from '../song/types.ts';
import { provenanceSong } from './fixture.test-support.ts';
import { OggFormatError, readOggPages } from './ogg.ts';
import { readOpusProvenance } from './opus-tags.ts';
import { provenanceRecord, withMastering, type ProvenanceRecord } from './record.ts';

/** An Ogg Opus file as the app writes it: 20 ms CELT packets (their content does not matter here). */
function opusFile(record?: ProvenanceRecord, masteringChain?: Record<string, unknown>): Uint8Array {
  const packets = Array.from({ length: 60 }, () => Uint8Array.of(31 << 3, 0, 0));
  return muxOggOpus({
    packets,
    channels: 2,
    preSkip: 312,
    inputSampleRate: 48000,
    length: 48000,
    metadata: { title: 'Night Drive', record, masteringChain },
  });
}

test('OpusTags carry the record (RIFFROOM_PROVENANCE) with the mastering chain, and the words (COMMENT)', () => {
  const record = provenanceRecord(provenanceSong(), { content: 'audio' });
  const chain = { targetLufs: -14 };
  const found = readOpusProvenance(opusFile(record, chain));
  assert.deepEqual(found.record, withMastering(record, chain));
  assert.match(found.tags.COMMENT ?? '', /^Made in Riffroom: 5 clips .*\nMastering: \{"targetLufs":-14\}$/);
  assert.equal(found.tags.TITLE, 'Night Drive');
  const plain = readOpusProvenance(opusFile());
  assert.equal(plain.record, null);
});

test('a record too long for one page spans pages, and reads back', () => {
  const song = provenanceSong();
  // 600 clips of 4 bars: a record of well over 64 KiB, more than one Ogg page holds.
  const many: Song = {
    ...song,
    clips: Array.from({ length: 600 }, (_, i) => ({ ...song.clips[1]!, id: `c${i}`, startBar: i * 4, name: `bass take ${i}` })),
  };
  const record = provenanceRecord(many, { content: 'audio' });
  const bytes = opusFile(record);
  const pages = readOggPages(bytes);
  const headerPages = pages.filter((p) => p.granule === 0n);
  assert.ok(headerPages.length >= 3, `OpusHead and the tags over ${headerPages.length - 1} pages`);
  assert.ok(
    headerPages.slice(2).every((p) => p.flags & 1),
    'pages after the first of the tags are flagged as continued',
  );
  assert.ok(pages.every((p) => p.storedCrc === p.computedCrc));
  assert.equal(readOpusProvenance(bytes).record?.clips.length, 600);
});

test('damaged or foreign Ogg files are refused, saying why', () => {
  const bytes = opusFile(provenanceRecord(provenanceSong(), { content: 'audio' }));
  const refused = (b: Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => readOpusProvenance(b),
      (e: unknown) => e instanceof OggFormatError && pattern.test(e.message),
    );
  const flipped = bytes.slice();
  flipped[100] = flipped[100]! ^ 0xff;
  refused(flipped, /fails its CRC check/);
  refused(bytes.subarray(0, 60), /cut short/);
  const vorbis = bytes.slice();
  vorbis.set(new TextEncoder().encode('OpusHeaX'), 28);
  refused(vorbis, /not Opus|CRC/);
});
