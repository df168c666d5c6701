/** Drag a clip out as a .mid file: safe names from any song text, size limits, unique files, old drags removed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { inflateSync } from 'node:zlib';
import { clipToMidi } from '../../core/midi/song-midi.ts';
import { addClip, addTrack, initSong } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import * as Y from 'yjs';
import { LIMITS } from '../contract.ts';
import { DRAG_FOLDER_NAME, DRAG_MAX_AGE_MS, dragFileName, dragFiles, dragIconPng, isMidiFile, safeNamePart } from './drag-files.ts';

function clipMidi(): Uint8Array {
  const doc = new Y.Doc();
  initSong(doc, { title: 'Drag' });
  const track = addTrack(doc, { role: 'bass', name: 'Bass' });
  const clip = addClip(doc, { trackId: track, startBar: 0, lengthBars: 1, notes: [{ pitch: 40, tick: 0, duration: 400, velocity: 100 }] });
  return clipToMidi(readSong(doc), clip);
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-drag-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('"<track> - <clip>.mid" from plain names', () => {
  assert.equal(dragFileName('Bass', 'Groove'), 'Bass - Groove.mid');
  assert.equal(dragFileName('Bass', ''), 'Bass.mid');
  assert.equal(dragFileName('Bass', 'Bass'), 'Bass.mid');
  assert.equal(dragFileName('Lead — take 2', 'Riff (ü)'), 'Lead — take 2 - Riff (ü).mid');
  assert.equal(dragFileName('', ''), 'Track.mid');
});

test('path traversal, path syntax and control characters never make a path', () => {
  for (const [track, clip] of [
    ['../../etc', 'passwd'],
    ['..', '..'],
    ['/etc/passwd', ''],
    ['C:\\Windows\\System32', 'x'],
    ['a/b', 'c\\d'],
    ['x\0y', 'z\nw'],
    ['a:b*c?d"e<f>g|h', ''],
    ['.hidden', '.'],
    ['\u202etxt.exe', ''],
    ['   ', '\t'],
  ]) {
    const name = dragFileName(track!, clip!);
    assert.ok(name.endsWith('.mid'), name);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserts that no control character made it into the name
    assert.doesNotMatch(name, /[/\\:*?"<>|\u0000-\u001f\u202e]/, name);
    assert.ok(!name.startsWith('.') && !name.startsWith(' '), name);
    assert.equal(basename(name), name);
  }
  assert.equal(dragFileName('../../etc', 'passwd'), 'etc - passwd.mid');
  assert.equal(dragFileName('..', '..'), 'Track.mid');
  assert.equal(dragFileName('Bass/../../x', 'a..b'), 'Bass x - a..b.mid');
});

test('reserved device names and very long names', () => {
  for (const reserved of ['CON', 'con', 'PRN', 'aux', 'NUL', 'COM1', 'lpt9', 'con.txt']) {
    const part = safeNamePart(reserved, 'x');
    assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(part), `${reserved} → ${part}`);
  }
  assert.equal(dragFileName('CON', ''), 'CON_.mid');
  const long = dragFileName('ü'.repeat(500), '🎸'.repeat(500));
  assert.ok(long.length < LIMITS.fileNameChars, String(long.length));
  assert.ok(!long.includes('\ufffd'), 'no code point cut in half');
  assert.equal(safeNamePart('trailing dots...', 'x'), 'trailing dots');
});

test('a drag is written in a fresh folder of its own inside the drag folder, never overwriting', (t) => {
  const temp = tempDir(t);
  const files = dragFiles(temp);
  const bytes = clipMidi();
  const a = files.write('Bass', 'Groove', bytes);
  const b = files.write('Bass', 'Groove', bytes);
  assert.equal(basename(a), 'Bass - Groove.mid');
  assert.equal(basename(b), 'Bass - Groove.mid');
  assert.notEqual(dirname(a), dirname(b));
  assert.deepEqual(new Uint8Array(readFileSync(a)), bytes);
  for (const path of [a, b]) assert.equal(relative(join(temp, DRAG_FOLDER_NAME), dirname(path)).includes('..'), false);
  const hostile = files.write('../../../../tmp/evil', '..\\..\\x', bytes);
  assert.equal(dirname(dirname(hostile)), join(temp, DRAG_FOLDER_NAME));
  assert.ok(!existsSync(join(temp, 'evil - x.mid')));
});

test('too large or not MIDI is refused before anything is written', (t) => {
  const temp = tempDir(t);
  const files = dragFiles(temp, { maxBytes: 64 });
  assert.throws(() => files.write('Bass', '', new Uint8Array(65)), /larger than 64 bytes/);
  assert.throws(() => files.write('Bass', '', new TextEncoder().encode('<html>not a midi file</html>')), /not a MIDI file/);
  assert.throws(() => files.write('Bass', '', 'MThd' as unknown as Uint8Array), /expected bytes/);
  assert.equal(existsSync(join(temp, DRAG_FOLDER_NAME)), false);
  assert.equal(isMidiFile(clipMidi()), true);
});

test('drags older than a day are removed, newer ones and other files kept', (t) => {
  const temp = tempDir(t);
  let now = Date.now();
  const files = dragFiles(temp, { now: () => now });
  const bytes = clipMidi();
  const old = files.write('Old', '', bytes);
  const old2 = files.write('Old', 'two', bytes);
  const past = (Date.now() - DRAG_MAX_AGE_MS - 60_000) / 1000;
  utimesSync(dirname(old), past, past);
  utimesSync(dirname(old2), past, past);
  const fresh = files.write('Fresh', '', bytes); // each write cleans up first
  assert.equal(existsSync(old), false);
  assert.equal(existsSync(old2), false);
  assert.equal(existsSync(fresh), true);
  assert.equal(files.cleanup(), 0);
  now += DRAG_MAX_AGE_MS + 1000;
  assert.equal(files.cleanup(), 1);
  assert.deepEqual(readdirSync(files.folder), []);
  assert.equal(dragFiles(join(temp, 'none')).cleanup(), 0, 'no drag folder yet');
});

test('the drag icon is a valid 32×32 RGBA PNG', () => {
  const png = dragIconPng();
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 32);
  assert.equal(png.readUInt32BE(20), 32);
  const idatLength = png.readUInt32BE(33);
  assert.equal(png.toString('latin1', 37, 41), 'IDAT');
  assert.equal(inflateSync(png.subarray(41, 41 + idatLength)).length, 32 * (32 * 4 + 1));
  assert.equal(png.toString('latin1', png.length - 8, png.length - 4), 'IEND');
});
