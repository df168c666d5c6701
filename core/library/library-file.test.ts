import { test } from 'node:test';
import assert from 'node:assert/strict';
import { libraryClip, preset } from '../../tests/support/library-fixtures.ts';
import { decodeLibraryFile, encodeLibraryFile, LibraryFileError } from './library-file.ts';

const snapshot = { clips: [libraryClip({ id: 'a' }), libraryClip({ id: 'b', role: 'drums' })], presets: [preset()] };

test('a library file round-trips exactly', () => {
  assert.deepEqual(decodeLibraryFile(encodeLibraryFile(snapshot)), snapshot);
});

test('files that are not a library, from a newer Riffroom, or damaged are refused with a sentence', () => {
  const refuses = (text: string | null, pattern: RegExp) =>
    assert.throws(
      () => decodeLibraryFile(text),
      (e: Error) => e instanceof LibraryFileError && pattern.test(e.message),
      String(text).slice(0, 40),
    );
  refuses(null, /not readable JSON text/);
  refuses('{"format":"riffroom-library","version":1,"clips":[', /not readable JSON text/);
  refuses('{"hello":1}', /not a Riffroom library file/);
  refuses(JSON.stringify({ format: 'riffroom-library', version: 9, clips: [], presets: [] }), /newer Riffroom/);
  const bad = JSON.parse(encodeLibraryFile(snapshot));
  bad.clips[1].notes[0].pitch = 300;
  refuses(JSON.stringify(bad), /clip 2 has a note pitch that is not a whole number from 0 to 127/);
  const noId = JSON.parse(encodeLibraryFile(snapshot));
  noId.presets[0].id = '../x';
  refuses(JSON.stringify(noId), /preset 1 has no valid id/);
});
