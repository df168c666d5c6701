import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip, addTrack } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { deleteSelected, duplicateAfter, neighbourClip, nudgeClip, toggleLoopOnClip } from './clip-commands.ts';

function song() {
  const doc = new Y.Doc();
  const drums = addTrack(doc, { role: 'drums' });
  const bass = addTrack(doc, { role: 'bass' });
  const d1 = addClip(doc, { trackId: drums, startBar: 0, lengthBars: 2 });
  const d2 = addClip(doc, { trackId: drums, startBar: 4, lengthBars: 2 });
  const b1 = addClip(doc, { trackId: bass, startBar: 3, lengthBars: 4 });
  return { doc, drums, bass, d1, d2, b1 };
}

test('arrow keys move the selected clip a bar, or to the next track; never out of the song', () => {
  const { doc, bass, d1 } = song();
  assert.equal(nudgeClip(doc, readSong(doc), d1, 'left'), false, 'bar 1 is the start');
  assert.ok(nudgeClip(doc, readSong(doc), d1, 'right'));
  assert.ok(nudgeClip(doc, readSong(doc), d1, 'down'));
  const moved = readSong(doc).clips.find((c) => c.id === d1)!;
  assert.deepEqual([moved.startBar, moved.trackId], [1, bass]);
  assert.equal(nudgeClip(doc, readSong(doc), d1, 'down'), false, 'no track below bass');
});

test('Mod+D puts the copy right after the clip; Delete removes it', () => {
  const { doc, d2 } = song();
  const copy = duplicateAfter(doc, readSong(doc), d2)!;
  assert.equal(readSong(doc).clips.find((c) => c.id === copy)!.startBar, 6);
  assert.ok(deleteSelected(doc, readSong(doc), copy));
  assert.equal(readSong(doc).clips.length, 3);
  assert.equal(deleteSelected(doc, readSong(doc), 'gone'), false);
});

test('L loops the clip, and again clears the loop', () => {
  const { doc, b1 } = song();
  toggleLoopOnClip(doc, readSong(doc), b1);
  assert.deepEqual(readSong(doc).meta.loop, { startBar: 3, endBar: 7 });
  toggleLoopOnClip(doc, readSong(doc), b1);
  assert.equal(readSong(doc).meta.loop, null);
});

test('Alt+arrows walk the selection between clips', () => {
  const { doc, d1, d2, b1 } = song();
  const s = readSong(doc);
  assert.equal(neighbourClip(s, null, 'right'), d1);
  assert.equal(neighbourClip(s, d1, 'right'), d2);
  assert.equal(neighbourClip(s, d2, 'right'), d2, 'the last clip stays selected');
  assert.equal(neighbourClip(s, d2, 'down'), b1);
  assert.equal(neighbourClip(s, b1, 'up'), d2, 'nearest in time on the track above');
});
