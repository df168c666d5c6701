import { test } from 'node:test';
import assert from 'node:assert/strict';
import { songToMidi } from '../../core/midi/song-export.ts';
import { writeSmf } from '../../core/midi/smf-write.ts';
import { provenanceSong } from '../../core/provenance/fixture.test-support.ts';
import { runVerify, VERIFY_EXIT } from './verify.ts';

const FILES: Record<string, Uint8Array> = {
  'song.mid': songToMidi(provenanceSong()),
  'plain.mid': writeSmf({ format: 0, ticksPerQuarter: 480, tracks: [{ events: [{ type: 'endOfTrack', tick: 0 }] }] }),
  'notes.txt': new TextEncoder().encode('not music'),
};

function verify(...argv: string[]): { status: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const read = (path: string): Uint8Array => {
    const bytes = FILES[path];
    if (!bytes) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return bytes;
  };
  const status = runVerify(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, read);
  return { status, out: out.join('\n'), err: err.join('\n') };
}

test('verify prints what a file shows; the exit status tells found, none and unreadable apart', () => {
  const found = verify('song.mid');
  assert.equal(found.status, VERIFY_EXIT.found);
  assert.match(found.out, /^Riffroom provenance found in this MIDI file\.\n"Night Drive": the song, bars 1–4\.\nMade in Riffroom: 5 clips/);
  const none = verify('plain.mid');
  assert.deepEqual([none.status, none.out], [VERIFY_EXIT.none, 'No provenance found in this MIDI file.']);
  const bad = verify('notes.txt');
  assert.deepEqual(
    [bad.status, bad.err],
    [VERIFY_EXIT.unreadable, 'Cannot check this file: this is not a MIDI, WAV, Ogg Opus or MusicXML file.'],
  );
  assert.equal(verify('missing.wav').err, 'Cannot check this file: there is no such file.');
});

test('verify --json prints the record (null without one); several files: each named, the worst verdict is the status', () => {
  const json = verify('--json', 'song.mid');
  assert.equal(JSON.parse(json.out).summary.notes.total, 14);
  assert.equal(verify('--json', 'plain.mid').out, 'null');
  const many = verify('song.mid', 'plain.mid');
  assert.equal(many.status, VERIFY_EXIT.none);
  assert.match(many.out, /^song\.mid:\nRiffroom provenance found.*\nplain\.mid:\nNo provenance found/s);
  assert.equal(verify('plain.mid', 'notes.txt', 'song.mid').status, VERIFY_EXIT.unreadable);
  assert.equal(verify().status, VERIFY_EXIT.usage);
  assert.equal(verify('--loud', 'song.mid').status, VERIFY_EXIT.usage);
});
