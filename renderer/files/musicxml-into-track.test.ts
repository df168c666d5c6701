import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMusicXmlFileError, songToMusicXml } from '../../core/musicxml/musicxml.ts';
import { addClip, addTrack, initSong, setChords } from '../../core/song/edits.ts';
import { lastLabel, newDoc } from '../../core/song/label-recorder.test-support.ts';
import { readSong } from '../../core/song/schema.ts';
import { EditError } from '../../core/song/validate.ts';
import { LocalUndo } from '../state/local-undo.ts';
import { importMusicXmlIntoSong, summarizeScore } from './musicxml-into-track.ts';

/** A lead sheet as our export writes it: four melody notes under two chords, no title. */
function leadSheet(): string {
  const doc = newDoc();
  initSong(doc, { title: '' });
  const track = addTrack(doc, { role: 'keys', name: '' });
  addClip(doc, {
    trackId: track,
    startBar: 0,
    lengthBars: 1,
    notes: [0, 1, 2, 3].map((i) => ({ pitch: 67 + i, tick: i * 480, duration: 480, velocity: 90 })),
  });
  setChords(doc, 0, 1920, [
    { tick: 0, duration: 960, symbol: 'C' },
    { tick: 960, duration: 960, symbol: 'G7' },
  ]);
  return songToMusicXml(readSong(doc)).xml;
}

test('the summary: notes, chords, a melody role, and a name from the score or else the file', () => {
  const s = summarizeScore(leadSheet(), 'tune.musicxml');
  assert.deepEqual([s.noteCount, s.chordCount, s.suggestedRole, s.suggestedName], [4, 2, 'lead', 'keys'], 'named after its only part');
  const unnamed = summarizeScore(leadSheet().replace('<part-name>keys</part-name>', '<part-name/>'), 'tune.musicxml');
  assert.equal(unnamed.suggestedName, 'tune');
  assert.throws(() => summarizeScore('<score-partwise', 'x.musicxml'), isMusicXmlFileError);
});

test('into a new track: track, clip and chords in one undo step', () => {
  const doc = newDoc();
  initSong(doc);
  const undo = new LocalUndo(doc);
  const result = importMusicXmlIntoSong(doc, leadSheet(), { newTrack: { role: 'lead', name: 'Tune' } }, 1, 'tune.musicxml');
  let song = readSong(doc);
  assert.deepEqual(
    song.tracks.map((t) => [t.id, t.name]),
    [[result.trackId, 'Tune']],
  );
  assert.deepEqual([song.clips[0]!.startBar, song.clips[0]!.notes.length], [1, 4]);
  assert.deepEqual(
    song.chords.map((c) => [c.tick, c.symbol]),
    [
      [1920, 'C'],
      [2880, 'G7'],
    ],
  );
  assert.equal(lastLabel(doc), 'imported 4 notes from MusicXML into new track Tune');
  assert.ok(undo.undo());
  song = readSong(doc);
  assert.deepEqual([song.tracks.length, song.clips.length, song.chords.length], [0, 0, 0]);
});

test('a malformed score or one that does not fit changes nothing, and leaves no empty track', () => {
  const doc = newDoc();
  initSong(doc);
  const before = JSON.stringify(readSong(doc));
  assert.throws(
    () => importMusicXmlIntoSong(doc, '<score-partwise><part', { newTrack: { role: 'keys', name: 'X' } }, 0, 'bad.musicxml'),
    isMusicXmlFileError,
  );
  assert.throws(
    () => importMusicXmlIntoSong(doc, leadSheet(), { newTrack: { role: 'keys', name: 'X' } }, 4096, 'late.musicxml'),
    EditError,
  );
  assert.equal(JSON.stringify(readSong(doc)), before);
});
