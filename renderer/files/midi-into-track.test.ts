import { test } from 'node:test';
import assert from 'node:assert/strict';
import { songToMidi } from '../../core/midi/song-midi.ts';
import { MidiFormatError } from '../../core/midi/smf-types.ts';
import { addClip, addTrack, initSong } from '../../core/song/edits.ts';
import { lastLabel, newDoc } from '../../core/song/label-recorder.test-support.ts';
import { readSong } from '../../core/song/schema.ts';
import { EditError } from '../../core/song/validate.ts';
import { LocalUndo } from '../state/local-undo.ts';
import { importMidiIntoSong, summarizeMidi } from './midi-into-track.ts';

/** A MIDI file of a one-track song: a bass line of four notes. */
function bassMidi(): Uint8Array {
  const doc = newDoc();
  initSong(doc, { title: 'Groove' });
  const track = addTrack(doc, { role: 'bass', name: 'Bass' });
  addClip(doc, {
    trackId: track,
    startBar: 0,
    lengthBars: 1,
    notes: [0, 1, 2, 3].map((i) => ({ pitch: 40 + i, tick: i * 480, duration: 240, velocity: 90 })),
  });
  return songToMidi(readSong(doc));
}

test('the summary names the notes, the likely role and a name', () => {
  const s = summarizeMidi(bassMidi(), 'groove.mid');
  assert.equal(s.noteCount, 4);
  assert.equal(s.suggestedRole, 'bass');
  assert.equal(s.suggestedName, 'Groove');
  assert.throws(() => summarizeMidi(new Uint8Array([1, 2, 3, 4]), 'x.mid'), MidiFormatError);
});

test('into an existing track: one clip at the start bar, one history entry', () => {
  const doc = newDoc();
  initSong(doc);
  const keys = addTrack(doc, { role: 'keys' });
  const result = importMidiIntoSong(doc, bassMidi(), { trackId: keys }, 2, 'groove.mid');
  const song = readSong(doc);
  assert.equal(song.clips.length, 1);
  assert.deepEqual([song.clips[0]!.trackId, song.clips[0]!.startBar, song.clips[0]!.notes.length], [keys, 2, 4]);
  assert.equal(result.trackId, keys);
  assert.equal(lastLabel(doc), 'imported 4 notes from MIDI');
});

test('into a new track: track and clip in one undo step', () => {
  const doc = newDoc();
  initSong(doc);
  const undo = new LocalUndo(doc);
  const result = importMidiIntoSong(doc, bassMidi(), { newTrack: { role: 'bass', name: 'Groove' } }, 0, 'groove.mid');
  let song = readSong(doc);
  assert.deepEqual(
    song.tracks.map((t) => [t.id, t.name, t.role]),
    [[result.trackId, 'Groove', 'bass']],
  );
  assert.equal(song.clips[0]!.notes.length, 4);
  assert.equal(lastLabel(doc), 'imported 4 notes from MIDI into new track Groove');
  assert.ok(undo.undo());
  song = readSong(doc);
  assert.deepEqual([song.tracks.length, song.clips.length], [0, 0]);
});

test('a malformed file or one that does not fit changes nothing', () => {
  const doc = newDoc();
  initSong(doc);
  const before = JSON.stringify(readSong(doc));
  assert.throws(
    () => importMidiIntoSong(doc, new TextEncoder().encode('MThd not really'), { newTrack: { role: 'keys', name: 'X' } }, 0, 'bad.mid'),
    MidiFormatError,
  );
  assert.throws(() => importMidiIntoSong(doc, bassMidi(), { newTrack: { role: 'keys', name: 'X' } }, 4095 + 1, 'late.mid'), EditError);
  assert.equal(JSON.stringify(readSong(doc)), before);
});
