import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeXmlBytes, mxlScoreText, readMxl } from './mxl.ts';
import { MusicXmlError } from './musicxml.ts';
import { ZipFormatError } from './zip.ts';
import { makeZip } from './zip-fixture.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sample = path.resolve(repoRoot, '../shared/datasets/openewld/dataset/[Traditional]/Red_River_Valley/Red_River_Valley.mxl');

const SCORE = `<?xml version="1.0"?><score-partwise><part-list><score-part id="P1"/></part-list><part id="P1"><measure number="1">
  <attributes><divisions>1</divisions><key><fifths>2</fifths></key><time><beats>2</beats><beat-type>4</beat-type></time></attributes>
  <harmony><root><root-step>D</root-step></root><kind>major</kind></harmony>
  <note><pitch><step>F</step><alter>1</alter><octave>4</octave></pitch><duration>2</duration></note>
</measure></part></score-partwise>`;
const container = (fullPath: string, quote = '"'): string =>
  `<?xml version="1.0"?><container><rootfiles><rootfile full-path=${quote}${fullPath}${quote} media-type="application/vnd.recordare.musicxml+xml"/></rootfiles></container>`;

test('the container names the score', () => {
  const mxl = makeZip([
    { name: 'META-INF/container.xml', data: container('scores/tune.musicxml'), method: 'store' },
    { name: 'decoy.xml', data: '<not-a-score/>' },
    { name: 'scores/tune.musicxml', data: SCORE },
  ]);
  const sheet = readMxl(mxl);
  assert.deepEqual(sheet.notes, [{ pitch: 66, tick: 0, duration: 960, velocity: 90 }]);
  assert.deepEqual(sheet.key, { tonic: 2, mode: 'major' });
  assert.deepEqual(
    sheet.chords.map((c) => c.root),
    [2],
  );
});

test('rootfiles that are not MusicXML are passed over', () => {
  const mxl = makeZip([
    {
      name: 'META-INF/container.xml',
      data: `<container><rootfiles><rootfile full-path="tune.pdf" media-type="application/pdf"/><rootfile full-path="tune.xml"/></rootfiles></container>`,
    },
    { name: 'tune.pdf', data: '%PDF' },
    { name: 'tune.xml', data: SCORE },
  ]);
  assert.equal(readMxl(mxl).notes.length, 1);
});

test('a missing or malformed container falls back to the first .xml outside META-INF', () => {
  // Wikifonia wrote full-path='That's a Plenty.xml': the apostrophe ends the attribute early.
  const malformed = makeZip([
    { name: 'META-INF/container.xml', data: container("That's a Plenty.xml", "'") },
    { name: "That's a Plenty.xml", data: SCORE },
  ]);
  assert.equal(readMxl(malformed).notes.length, 1);
  const none = makeZip([
    { name: 'META-INF/other.xml', data: '<x/>' },
    { name: 'Song.XML', data: SCORE },
  ]);
  assert.equal(readMxl(none).notes.length, 1);
  const dangling = makeZip([
    { name: 'META-INF/container.xml', data: container('gone.xml') },
    { name: 'here.xml', data: SCORE },
  ]);
  assert.equal(readMxl(dangling).notes.length, 1);
});

test('archives without a score, and non-archives, are refused', () => {
  assert.throws(() => readMxl(makeZip([{ name: 'readme.txt', data: 'hi' }])), MusicXmlError);
  assert.throws(() => readMxl(new TextEncoder().encode(SCORE)), ZipFormatError);
});

test('UTF-16 scores (with a byte-order mark) are decoded', () => {
  const text = '<r>é</r>';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  assert.equal(decodeXmlBytes(le), text);
  const be = Buffer.from(le.subarray(2)).swap16();
  assert.equal(decodeXmlBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), text);
  assert.equal(decodeXmlBytes(Buffer.from('\uFEFF<r/>', 'utf8')), '<r/>');
  const utf16Score = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SCORE, 'utf16le')]);
  assert.equal(readMxl(makeZip([{ name: 's.xml', data: utf16Score }])).notes.length, 1);
});

test('a real OpenEWLD .mxl reads', { skip: fs.existsSync(sample) ? false : `${sample} is missing` }, () => {
  const bytes = fs.readFileSync(sample);
  assert.match(mxlScoreText(bytes), /<score-partwise/);
  const sheet = readMxl(bytes);
  assert.ok(sheet.notes.length > 20);
  assert.ok(sheet.chords.length > 5);
  assert.equal(sheet.meterSource, 'score');
  assert.ok(sheet.notes.every((n) => n.tick >= 0 && n.duration > 0 && n.tick + n.duration <= sheet.lengthTicks));
});
