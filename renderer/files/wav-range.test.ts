import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Song } from '../../core/song/types.ts';
import { describeRange, loopRange, rangeSeconds, wholeSongRange } from './wav-range.ts';

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

test('WAV ranges: the whole song to its last clip, or the loop', () => {
  assert.deepEqual(wholeSongRange(song()), { fromBar: 0, toBar: 9 });
  assert.equal(wholeSongRange({ ...song(), clips: [] }), null);
  assert.equal(loopRange(song()), null);
  assert.deepEqual(loopRange(song({ loop: { startBar: 2, endBar: 4 } })), { fromBar: 2, toBar: 4 });
  assert.equal(rangeSeconds(song(), { fromBar: 0, toBar: 2 }), 4);
  assert.equal(rangeSeconds(song({ meter: { numerator: 6, denominator: 8 }, bpm: 90 }), { fromBar: 0, toBar: 1 }), 2);
  assert.equal(describeRange({ fromBar: 2, toBar: 4 }), 'bars 3–4');
});
