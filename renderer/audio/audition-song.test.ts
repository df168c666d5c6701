import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITION_TRACK_ID, auditionSong, clipAudition } from './audition-song.ts';
import { bandSong } from './fixtures.ts';
import { compileSong } from './song-events.ts';

test('an audition is a one-track song on the asked instrument, with the song meter and swing, no loop', () => {
  const meta = { ...bandSong().meta, swing: 0.5, loop: { startBar: 3, endBar: 4 }, bpm: 100 };
  const s = auditionSong(
    {
      role: 'bass',
      notes: [
        { pitch: 40, tick: 0, duration: 480, velocity: 100 },
        { pitch: 43, tick: 1920 * 2 + 10, duration: 100, velocity: 90 },
      ],
    },
    meta,
  );
  assert.equal(s.tracks.length, 1);
  assert.equal(s.tracks[0]!.id, AUDITION_TRACK_ID);
  assert.equal(s.clips[0]!.lengthBars, 3);
  assert.equal(s.meta.loop, null);
  assert.equal(s.meta.swing, 0.5);
  const c = compileSong(s);
  assert.equal(c.tracks[0]!.preset, 'bass');
  assert.equal(c.endTick, 3 * 1920);
  assert.equal(c.tracks[0]!.notes.length, 2);
});

test("an instrument name overrides the role's preset; tempo and length can be given", () => {
  const lead = auditionSong({ role: 'keys', instrument: 'saw-lead', notes: [], bpm: 140, bars: 2, volumeDb: -6 });
  assert.equal(compileSong(lead).tracks[0]!.preset, 'lead');
  assert.equal(lead.meta.bpm, 140);
  assert.equal(lead.clips[0]!.lengthBars, 2);
  assert.equal(lead.tracks[0]!.volumeDb, -6);
  // No notes, no length: still a bar, so a loop over it never spins on an empty range.
  assert.equal(auditionSong({ role: 'lead', notes: [] }).clips[0]!.lengthBars, 1);
});

test("a clip's audition plays its notes on its track's instrument, for its length", () => {
  const song = bandSong();
  const request = clipAudition(song, 'keys-1');
  assert.equal(request.role, 'keys');
  assert.equal(request.instrument, 'electric-piano');
  assert.equal(request.bars, 2);
  assert.equal(request.volumeDb, -3);
  assert.equal(request.notes.length, 6);
  assert.throws(() => clipAudition(song, 'nope'), /no clip/);
});
