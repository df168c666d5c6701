import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { bandSong } from '../audio/fixtures.ts';
import { stemFileName } from './export-names.ts';
import { soloCopy, stemTracks } from './stems.ts';
import { zipStems } from './stems-archive.ts';

test('stems are the tracks the mix has in it, in track order', () => {
  const song = bandSong();
  assert.deepEqual(
    stemTracks(song).map((t) => t.id),
    ['drums', 'bass', 'keys', 'lead'],
  );
  const muted = {
    ...song,
    tracks: song.tracks.map((t) => (t.id === 'keys' ? { ...t, mute: true } : t.id === 'lead' ? { ...t, volumeDb: -60 } : t)),
  };
  assert.deepEqual(
    stemTracks(muted).map((t) => t.id),
    ['drums', 'bass'],
  );
  const soloed = { ...song, tracks: song.tracks.map((t) => (t.id === 'bass' || t.id === 'lead' ? { ...t, solo: true } : t)) };
  assert.deepEqual(
    stemTracks(soloed).map((t) => t.id),
    ['bass', 'lead'],
  );
  const reordered = { ...song, tracks: song.tracks.map((t) => (t.id === 'drums' ? { ...t, order: 99 } : t)) };
  assert.deepEqual(
    stemTracks(reordered).map((t) => t.id),
    ['bass', 'keys', 'lead', 'drums'],
  );
});

test('a solo copy hears one track and leaves the song alone', () => {
  const song = bandSong();
  const soloed = { ...song, tracks: song.tracks.map((t) => (t.id === 'lead' ? { ...t, solo: true } : t)) };
  const copy = soloCopy(soloed, 'bass');
  assert.deepEqual(
    copy.tracks.filter((t) => t.solo).map((t) => t.id),
    ['bass'],
  );
  assert.deepEqual(
    stemTracks(copy).map((t) => t.id),
    ['bass'],
  );
  assert.equal(soloed.tracks.find((t) => t.id === 'lead')!.solo, true, 'the original is untouched');
  assert.equal(copy.clips, song.clips);
  assert.throws(() => soloCopy(song, 'nope'), /no track nope/);
});

test('stem file names: numbered, safe, unique', () => {
  const used = new Set<string>();
  assert.equal(stemFileName(1, 'Drums', used), '01 Drums.wav');
  assert.equal(stemFileName(2, 'Lead / solo?', used), '02 Lead solo.wav');
  assert.equal(stemFileName(3, '***', used), '03 Track.wav');
  const again = new Set(['01 drums.wav']);
  assert.equal(stemFileName(1, 'Drums', again), '01 Drums (2).wav');
});

test('the stems zip holds every file in one folder, and the same stems make the same bytes', () => {
  const files = [
    { name: '01 Drums.wav', bytes: Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff) },
    { name: '02 Bass.wav', bytes: new Uint8Array([1, 2, 3]) },
  ];
  const zip = zipStems('Song stems', files);
  const back = unzipSync(zip);
  assert.deepEqual(Object.keys(back).sort(), ['Song stems/01 Drums.wav', 'Song stems/02 Bass.wav']);
  assert.deepEqual(back['Song stems/01 Drums.wav'], files[0]!.bytes);
  assert.deepEqual(back['Song stems/02 Bass.wav'], files[1]!.bytes);
  assert.deepEqual(zipStems('Song stems', files), zip, 'deterministic');
  // Stored, not deflated: the archive is the files plus headers.
  assert.ok(zip.length < 1003 + 400, `${zip.length} bytes`);
  assert.throws(() => zipStems('x', [files[0]!, files[0]!]), /two files named/);
  assert.throws(() => zipStems('x', []), /no files/);
});
