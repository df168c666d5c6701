import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Song } from '../../core/song/types.ts';
import { baseName, clipFileName, songFileName } from './file-names.ts';

const song = (over: Partial<Song['meta']> = {}): Song => ({
  meta: {
    title: 'Night: Drive/2',
    bpm: 120,
    meter: { numerator: 4, denominator: 4 },
    key: { tonic: 0, mode: 'major' },
    swing: 0,
    loop: null,
    ...over,
  },
  tracks: [{ id: 't', name: 'Bass', role: 'bass', instrument: 'finger-bass', volumeDb: 0, pan: 0, mute: false, solo: false, order: 1 }],
  clips: [
    { id: 'c', trackId: 't', name: '', startBar: 2, lengthBars: 4, locked: false, provenance: null, notes: [] },
    { id: 'd', trackId: 't', name: 'Fill', startBar: 8, lengthBars: 1, locked: false, provenance: null, notes: [] },
  ],
  chords: [],
  bookmarks: [],
});

test('file names from the title and the clip, without characters file systems refuse', () => {
  assert.equal(songFileName('Night: Drive/2', 'mid'), 'Night Drive2.mid');
  assert.equal(songFileName('???', 'wav'), 'riffroom-song.wav');
  assert.equal(clipFileName(song(), song().clips[0]!, 'mid'), 'Night Drive2 - Bass (bars 3-6).mid');
  assert.equal(clipFileName(song(), song().clips[1]!, 'mid'), 'Night Drive2 - Fill (bars 9-9).mid');
  assert.equal(baseName('groove.take2.mid'), 'groove.take2');
});
