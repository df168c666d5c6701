/**
 * Real-world scores: the OpenEWLD lead sheets of the shared training data (502 .mxl files written
 * by Wikifonia's editors; never copied into the repo) go through the app's import like a user's
 * file would. Each must import whole, agree note for note with the training pipeline's lead-sheet
 * view of the same reader (its melody is the first voice only), and survive our export and import
 * again. Skipped when the data is not there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { readMxl } from '../../models/training/sources/mxl.ts';
import { initSong } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import type { NoteInput, Song } from '../song/types.ts';
import { importMusicXmlSong, musicXmlFileText, readScore, songToMusicXml } from './musicxml.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dataset = path.resolve(repoRoot, '../shared/datasets/openewld/dataset');
const skip = fs.existsSync(dataset) ? false : `dataset folder ${dataset} is missing`;

function scores(): string[] {
  return fs
    .readdirSync(dataset, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.mxl'))
    .sort();
}

function key(notes: Pick<NoteInput, 'pitch' | 'tick' | 'duration'>[]): string[] {
  return notes.map((n) => `${n.pitch}@${n.tick}+${n.duration}`);
}

async function imported(file: string): Promise<{ song: Song; warnings: string[]; bytes: Uint8Array }> {
  const bytes = new Uint8Array(fs.readFileSync(path.join(dataset, file)));
  const doc = new Y.Doc();
  initSong(doc);
  const { warnings } = importMusicXmlSong(doc, await musicXmlFileText(bytes), { fileName: path.basename(file) });
  return { song: readSong(doc), warnings, bytes };
}

test('every OpenEWLD lead sheet imports whole: melody, chords, key, as the training reader reads it', { skip }, async () => {
  const files = scores();
  assert.ok(files.length >= 500, `${files.length} lead sheets`);
  for (const file of files) {
    const { song, bytes } = await imported(file);
    assert.equal(song.tracks.length, 1, `${file}: one melody track`);
    assert.equal(song.tracks[0]!.role, 'lead', file);
    const melody = song.clips[0]!.notes;
    assert.ok(melody.length > 0, `${file}: notes`);
    assert.ok(song.chords.length > 0, `${file}: chord symbols`);
    // The training pipeline keeps the first voice of the first part: for a lead sheet, all of it.
    assert.deepEqual(key(melody), key(readMxl(bytes).notes), `${file}: the training reader reads the same melody`);
  }
});

test('OpenEWLD lead sheets survive our export and import: notes and chords come back', { skip }, async () => {
  const files = scores().filter((_f, i) => i % 5 === 0);
  let exact = 0;
  for (const file of files) {
    const { song } = await imported(file);
    const back = readScore(songToMusicXml(song).xml);
    const before = song.clips[0]!.notes;
    const after = back.parts[0]!.notes;
    assert.deepEqual(
      back.chords.map((c) => [c.tick, c.symbol]),
      song.chords.map((c) => [c.tick, c.symbol]),
      `${file}: chord symbols come back`,
    );
    assert.equal(after.length, before.length, `${file}: as many notes come back`);
    if (key(after).join() === key(before).join()) {
      exact++;
      continue;
    }
    // Rhythms finer than the notation grid (a 16th triplet beside plain 16ths in one beat) move
    // by less than a 32nd; pitches never change.
    after.forEach((n, i) => {
      assert.equal(n.pitch, before[i]!.pitch, `${file} note ${i}: pitch`);
      assert.ok(Math.abs(n.tick - before[i]!.tick) < 60, `${file} note ${i}: start ${n.tick}, was ${before[i]!.tick}`);
    });
  }
  assert.ok(exact >= files.length * 0.98, `${exact} of ${files.length} lead sheets come back exactly`);
});
