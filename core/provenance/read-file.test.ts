import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWav } from '../../renderer/audio/wav.ts';
import { muxOggOpus } from '../../renderer/export/ogg-opus.ts';
import { songToMidi } from '../midi/song-export.ts';
import { writeSmf } from '../midi/smf-write.ts';
import { provenanceSong } from './fixture.test-support.ts';
import { checkFile, describeCheck, detectFormat } from './read-file.ts';
import { provenanceRecord } from './record.ts';

const audio = { sampleRate: 44100, channels: [new Float32Array(100), new Float32Array(100)] };
const record = provenanceRecord(provenanceSong(), { content: 'audio' });
const opus = (withRecord: boolean) =>
  muxOggOpus({
    packets: Array.from({ length: 5 }, () => Uint8Array.of(31 << 3)),
    channels: 2,
    preSkip: 312,
    inputSampleRate: 48000,
    length: 4000,
    metadata: { title: 'Night Drive', record: withRecord ? record : undefined, provenance: withRecord ? undefined : 'by Ana' },
  });

test('the format is told by the first bytes', () => {
  assert.equal(detectFormat(songToMidi(provenanceSong())), 'midi');
  assert.equal(detectFormat(encodeWav(audio)), 'wav');
  assert.equal(detectFormat(opus(false)), 'opus');
  assert.equal(detectFormat(new TextEncoder().encode('%PDF-1.7')), null);
});

test('found: MIDI, WAV and Opus say plainly what they carry', () => {
  for (const bytes of [songToMidi(provenanceSong()), encodeWav(audio, { metadata: { title: 'Night Drive', record } }), opus(true)]) {
    const check = checkFile(bytes);
    assert.equal(check.status, 'found');
    const words = describeCheck(check).split('\n');
    assert.match(words[0]!, /^Riffroom provenance found in this (MIDI|WAV|Ogg Opus) file\.$/);
    assert.equal(words[1], '"Night Drive": the song, bars 1–4.');
    assert.match(words[2]!, /^Made in Riffroom: 5 clips/);
    assert.match(words.join('\n'), /model dev-v1 \(sha256 ab12cd34.*seed 1234/);
  }
});

test('none: a file of a known kind without a record says so, with what else it carries', () => {
  const midi = writeSmf({ format: 0, ticksPerQuarter: 480, tracks: [{ events: [{ type: 'endOfTrack', tick: 0 }] }] });
  assert.equal(describeCheck(checkFile(midi)), 'No provenance found in this MIDI file.');
  assert.equal(describeCheck(checkFile(encodeWav(audio))), 'No provenance found in this WAV file.');
  assert.equal(
    describeCheck(checkFile(encodeWav(audio, { metadata: { title: 't', provenance: 'Made by hand' } }))),
    'No provenance found in this WAV file.\nIts comment says: Made by hand',
  );
  assert.equal(describeCheck(checkFile(opus(false))), 'No provenance found in this Ogg Opus file.\nIts comment says: by Ana');
});

test('unreadable: another kind of file, a damaged file, a damaged record', () => {
  assert.equal(
    describeCheck(checkFile(new TextEncoder().encode('hello'))),
    'Cannot check this file: this is not a MIDI, WAV, Ogg Opus or MusicXML file.',
  );
  const midi = songToMidi(provenanceSong());
  assert.match(describeCheck(checkFile(midi.subarray(0, 40))), /^Cannot check this MIDI file: the file is damaged: /);
  const wav = encodeWav(audio, { metadata: { title: 'x', record } });
  assert.match(describeCheck(checkFile(wav.subarray(0, 300))), /^Cannot check this WAV file: the file is damaged: .*cut short/);
  const text = new TextDecoder('latin1').decode(wav);
  const at = text.indexOf('"schema"');
  const broken = wav.slice();
  broken[at] = 0x20; // the JSON's quote becomes a space
  assert.match(describeCheck(checkFile(broken)), /^Cannot check this WAV file: its provenance cannot be read: the provenance is not JSON/);
  const ogg = opus(true);
  ogg[ogg.length - 3] = ogg[ogg.length - 3]! ^ 1;
  // Only the header pages are read: damage in the audio does not hide the record.
  assert.equal(checkFile(ogg).status, 'found');
  const head = opus(true);
  head[40] = head[40]! ^ 1;
  assert.match(describeCheck(checkFile(head)), /^Cannot check this Ogg Opus file: the file is damaged: page 0 fails its CRC check/);
});
