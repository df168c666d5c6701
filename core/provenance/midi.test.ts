import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMidi } from 'midi-file';
import { clipToMidi, songToMidi } from '../midi/song-export.ts';
import { readSmf } from '../midi/smf-read.ts';
import { writeSmf } from '../midi/smf-write.ts';
import { provenanceSong } from './fixture.test-support.ts';
import { ProvenanceFormatError } from './json.ts';
import { MIDI_TEXT_PREFIX, readMidiProvenance, SEQUENCER_SPECIFIC } from './midi.ts';
import { provenanceRecord } from './record.ts';

test('an exported song carries its record and its words at tick 0 of the conductor track, and reads back', () => {
  const song = provenanceSong();
  const bytes = songToMidi(song);
  const found = readMidiProvenance(readSmf(bytes));
  assert.deepEqual(found.record, provenanceRecord(song, { what: 'song' }));
  assert.match(found.text ?? '', /^"Night Drive": the song, bars 1–4\.\nMade in Riffroom: 5 clips/);
  // An independent parser (midi-file) sees a text event and a sequencer-specific event (7D = non-commercial id).
  const conductor = parseMidi(bytes).tracks[0]!;
  const text = conductor.find((e) => e.type === 'text' && e.text.startsWith(MIDI_TEXT_PREFIX));
  assert.equal(text?.deltaTime, 0);
  const specific = conductor.find((e) => e.type === 'sequencerSpecific');
  assert.ok(specific?.type === 'sequencerSpecific');
  assert.deepEqual(Array.from(specific.data).slice(0, 10), [0x7d, ...Buffer.from('Riffroom'), 0]);
  assert.equal(JSON.parse(Buffer.from(Array.from(specific.data).slice(10)).toString('utf8')).schema, 'riffroom-provenance/1');
});

test('a clip exported alone carries that clip only', () => {
  const song = provenanceSong();
  const found = readMidiProvenance(readSmf(clipToMidi(song, 'c-keys')));
  assert.equal(found.record?.what, 'clip');
  assert.equal(found.record?.track, 'Keys');
  assert.deepEqual(
    found.record?.clips.map((c) => c.author.kind === 'model' && c.author.editedByPerson),
    [true],
  );
});

test('a MIDI file without provenance has none; a damaged record is an error, not silence', () => {
  const plain = writeSmf({ format: 0, ticksPerQuarter: 480, tracks: [{ events: [{ type: 'endOfTrack', tick: 0 }] }] });
  assert.deepEqual(readMidiProvenance(readSmf(plain)), { record: null, text: null });
  // Another maker's sequencer-specific event is left alone.
  const other = writeSmf({
    format: 0,
    ticksPerQuarter: 480,
    tracks: [{ events: [{ type: 'meta', tick: 0, metaType: SEQUENCER_SPECIFIC, data: Uint8Array.of(0x41, 1, 2) }] }],
  });
  assert.equal(readMidiProvenance(readSmf(other)).record, null);
  const damaged = writeSmf({
    format: 0,
    ticksPerQuarter: 480,
    tracks: [
      { events: [{ type: 'meta', tick: 0, metaType: SEQUENCER_SPECIFIC, data: Uint8Array.of(0x7d, ...Buffer.from('Riffroom'), 0, 0x7b) }] },
    ],
  });
  assert.throws(() => readMidiProvenance(readSmf(damaged)), ProvenanceFormatError);
});
