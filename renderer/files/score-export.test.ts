import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readScore } from '../../core/musicxml/musicxml.ts';
import { addClip, addTrack, initSong, setLoop } from '../../core/song/edits.ts';
import { newDoc } from '../../core/song/label-recorder.test-support.ts';
import { readSong } from '../../core/song/schema.ts';
import { scoreExport } from './score-export.ts';

/** Two clips of one note each, bars 1 and 3, on a bass track named "Low". */
function twoClips() {
  const doc = newDoc();
  initSong(doc, { title: 'Set/List: 1' });
  const bass = addTrack(doc, { role: 'bass', name: 'Low' });
  const first = addClip(doc, { trackId: bass, startBar: 0, lengthBars: 1, notes: [{ pitch: 40, tick: 0, duration: 480, velocity: 90 }] });
  addClip(doc, { trackId: bass, startBar: 2, lengthBars: 1, name: 'Fill', notes: [{ pitch: 43, tick: 480, duration: 480, velocity: 90 }] });
  return { doc, first };
}

test('the whole song, the loop or a clip, named after what they hold', () => {
  const { doc, first } = twoClips();
  let song = readSong(doc);
  const whole = scoreExport(song, 'song', 'musicxml', null)!;
  assert.equal(whole.fileName, 'SetList 1.musicxml');
  assert.deepEqual(
    readScore(whole.exported.xml).parts[0]!.notes.map((n) => [n.pitch, n.tick]),
    [
      [40, 0],
      [43, 2 * 1920 + 480],
    ],
  );
  assert.equal(scoreExport(song, 'loop', 'mxl', null), null, 'no loop set');
  setLoop(doc, { startBar: 2, endBar: 3 });
  song = readSong(doc);
  const loop = scoreExport(song, 'loop', 'mxl', null)!;
  assert.equal(loop.fileName, 'SetList 1 (bar 3).mxl');
  assert.deepEqual(
    readScore(loop.exported.xml).parts[0]!.notes.map((n) => [n.pitch, n.tick]),
    [[43, 480]],
    'the loop alone, from its first bar',
  );
  const clip = scoreExport(song, 'clip', 'musicxml', first)!;
  assert.equal(clip.fileName, 'SetList 1 - Low (bars 1-1).musicxml');
  assert.equal(readScore(clip.exported.xml).parts[0]!.notes.length, 1);
  assert.equal(scoreExport(song, 'clip', 'musicxml', null), null, 'no clip selected');
});
