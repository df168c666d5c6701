/**
 * The OpenEWLD reader on the real dataset (never copied into the repo; skipped when absent) and on
 * small folders built here: labels from the CSV tables, missing tables, and broken files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ticksPerBar } from '../../../core/time.ts';
import { STYLES } from '../../../inference/tokenizer/vocabulary.ts';
import { readOpenEwld, readOpenEwldFile } from './openewld.ts';
import { loadOpenEwldLabels, parseCsv, parseTonality, styleForGenre } from './openewld-labels.ts';
import { makeZip } from './zip-fixture.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const openEwldDir = path.resolve(repoRoot, '../shared/datasets/openewld');

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

test('the real OpenEWLD folder reads almost whole, with notes, chords and a key in every piece', {
  skip: fs.existsSync(openEwldDir) ? false : `dataset folder ${openEwldDir} is missing`,
}, (t) => {
  const started = performance.now();
  const { pieces, skipped, warnings } = readOpenEwld(openEwldDir);
  const ms = performance.now() - started;
  const files = pieces.length + skipped.length;
  t.diagnostic(
    `${pieces.length} of ${files} lead sheets read in ${ms.toFixed(0)} ms; ${skipped.length} skipped, ${warnings.length} warnings`,
  );
  for (const s of skipped) t.diagnostic(`skipped ${path.relative(openEwldDir, s.file)}: ${s.reason}`);
  t.diagnostic(`styles ${JSON.stringify(tally(pieces.map((p) => p.style)))}`);
  t.diagnostic(`meters ${JSON.stringify(tally(pieces.map((p) => `${p.meter.numerator}/${p.meter.denominator}`)))}`);
  t.diagnostic(
    `notes ${pieces.reduce((n, p) => n + p.tracks[0]!.notes.length, 0)}, chords ${pieces.reduce((n, p) => n + p.chords.length, 0)}`,
  );

  assert.ok(files >= 500, `${files} .mxl files found`);
  assert.ok(pieces.length >= 0.95 * files, `only ${pieces.length} of ${files} read`);
  const ids = new Set<string>();
  for (const p of pieces) {
    assert.equal(p.source, 'openewld');
    assert.ok(p.id.startsWith('openewld/dataset/') && !p.id.endsWith('.mxl'), p.id);
    assert.ok(!ids.has(p.id), `duplicate id ${p.id}`);
    ids.add(p.id);
    assert.equal(p.group, p.id);
    assert.equal(p.datasetSplit, null);
    assert.ok((STYLES as readonly string[]).includes(p.style), `${p.id}: style ${p.style}`);
    assert.ok(p.bpm >= 30 && p.bpm <= 300, `${p.id}: bpm ${p.bpm}`);
    assert.equal(p.keys.length, 1);
    assert.equal(p.keys[0]!.tick, 0);
    assert.ok(p.chords.length > 0, `${p.id}: no chords`);
    assert.deepEqual(
      p.tracks.map((tr) => tr.role),
      ['lead'],
    );
    const notes = p.tracks[0]!.notes;
    assert.ok(notes.length > 0, `${p.id}: no notes`);
    const end = p.lengthBars * ticksPerBar(p.meter);
    for (let i = 0; i < notes.length; i++) {
      const n = notes[i]!;
      assert.ok(Number.isInteger(n.tick) && n.tick >= 0, `${p.id}: tick ${n.tick}`);
      assert.ok(Number.isInteger(n.duration) && n.duration > 0, `${p.id}: duration ${n.duration}`);
      assert.ok(n.tick + n.duration <= end, `${p.id}: a note ends after bar ${p.lengthBars}`);
      assert.ok(n.pitch >= 36 && n.pitch <= 96, `${p.id}: pitch ${n.pitch}`);
      assert.equal(n.velocity, 90);
      const prev = notes[i - 1];
      if (prev) assert.ok(prev.tick < n.tick || (prev.tick === n.tick && prev.pitch < n.pitch), `${p.id}: notes out of order`);
    }
    for (let i = 0; i < p.chords.length; i++) {
      const c = p.chords[i]!;
      assert.ok(Number.isInteger(c.tick) && c.tick >= 0 && c.tick < end, `${p.id}: chord tick ${c.tick}`);
      if (i > 0) assert.ok(p.chords[i - 1]!.tick < c.tick, `${p.id}: chords out of order`);
    }
  }
  // Every piece was labelled from the tables' genres except the few the tables leave out.
  assert.ok(pieces.filter((p) => p.style === 'any').length < 0.1 * pieces.length);
});

test('a folder with one garbage .mxl reports it as skipped and does not throw', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openewld-garbage-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'dataset', 'Nobody', 'Broken', 'Broken.mxl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'PK\x03\x04 this is not really a zip archive');
  const { pieces, skipped, warnings } = readOpenEwld(dir);
  assert.deepEqual(pieces, []);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.file, file);
  assert.match(skipped[0]!.reason, /^ZipFormatError: /);
  // The missing tables are worth a warning each, not a failure.
  assert.deepEqual(
    warnings.map((w) => path.basename(w.file)),
    ['features.csv', 'genres.csv'],
  );

  assert.deepEqual(readOpenEwld(path.join(dir, 'no-such-folder')).pieces, []);
});

const SCORE_WITHOUT_TIME = `<?xml version="1.0"?><score-partwise><part-list><score-part id="P1"/></part-list><part id="P1">
  <measure number="1"><attributes><divisions>1</divisions></attributes>
    <harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root><kind>major</kind></harmony>
    <note><pitch><step>F</step><octave>4</octave></pitch><duration>3</duration></note></measure>
  <measure number="2"><harmony><root><root-step>E</root-step><root-alter>-1</root-alter></root><kind>major</kind></harmony>
    <note><pitch><step>G</step><octave>4</octave></pitch><duration>3</duration></note></measure>
  <measure number="3"><harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root><kind>major</kind></harmony>
    <note><pitch><step>B</step><alter>-1</alter><octave>4</octave></pitch><duration>3</duration></note></measure>
</part></score-partwise>`;

test('labels come from the tables; the score fills what they lack and broken files are skipped', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openewld-small-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const song = 'dataset/Anon/Étude/Étude.mxl';
  const other = 'dataset/Anon/Other/Other.mxl';
  fs.mkdirSync(path.join(dir, path.dirname(song.normalize('NFD'))), { recursive: true });
  fs.mkdirSync(path.join(dir, path.dirname(other)), { recursive: true });
  // Decomposed accents on disk (as macOS writes them), composed in the tables.
  fs.writeFileSync(path.join(dir, song.normalize('NFD')), makeZip([{ name: 'Étude.xml', data: SCORE_WITHOUT_TIME }]));
  fs.writeFileSync(path.join(dir, other), makeZip([{ name: 'Other.xml', data: '<score-partwise><part-list/><part/></score-partwise>' }]));
  // Two rows disagree on the tonality: the one whose tonic is the final chord's root wins.
  fs.writeFileSync(path.join(dir, 'features.csv'), `leadsheet,metric,tonality\n${song},3/4,"C major"\n${song},3/4,"B- major"\n`);
  fs.writeFileSync(
    path.join(dir, 'genres.csv'),
    `leadsheet,genre,occurrences\n${song},Pop,2\n${song},"Funk / Soul",3\n${song},"Funk / Soul",3\n`,
  );

  const { pieces, skipped } = readOpenEwld(dir);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.file, path.join(dir, other));
  assert.match(skipped[0]!.reason, /no measures/);
  assert.equal(pieces.length, 1);
  const piece = pieces[0]!;
  assert.equal(piece.id, 'openewld/dataset/Anon/Étude/Étude');
  assert.equal(piece.style, 'soul');
  assert.deepEqual(piece.meter, { numerator: 3, denominator: 4 });
  assert.deepEqual(piece.keys, [{ tick: 0, key: { tonic: 10, mode: 'major' } }]);
  assert.equal(piece.bpm, 120);
  assert.equal(piece.lengthBars, 3);
  assert.deepEqual(
    piece.tracks[0]!.notes.map((n) => [n.pitch, n.tick, n.duration]),
    [
      [65, 0, 1440],
      [67, 1440, 1440],
      [70, 2880, 1440],
    ],
  );
  assert.deepEqual(piece.chords, [
    { tick: 0, root: 10, quality: 'maj' },
    { tick: 1440, root: 3, quality: 'maj' },
    { tick: 2880, root: 10, quality: 'maj' },
  ]);

  // Read alone without labels: no key anywhere means the file is refused.
  assert.throws(() => readOpenEwldFile(path.join(dir, song.normalize('NFD'))), /no key signature/);
  const alone = readOpenEwldFile(path.join(dir, song.normalize('NFD')), { keys: [{ tonic: 10, mode: 'major' }] });
  assert.equal(alone.id, 'openewld/Étude');
  assert.equal(alone.style, 'any');
  assert.deepEqual(alone.meter, { numerator: 4, denominator: 4 });
});

test('tables: CSV quoting, music21 tonality names, genre to style', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",2\n\n'), [
    ['a', 'b'],
    ['x, y', 'say "hi"'],
    ['multi\nline', '2'],
  ]);
  assert.deepEqual(parseTonality('E- major'), { tonic: 3, mode: 'major' });
  assert.deepEqual(parseTonality('F# minor'), { tonic: 6, mode: 'minor' });
  assert.deepEqual(parseTonality('B-- major'), { tonic: 9, mode: 'major' });
  assert.equal(parseTonality('atonal'), null);
  const expected: [string | null, string][] = [
    ['Jazz', 'jazz'],
    ['Rock', 'rock'],
    ['Pop', 'pop'],
    ['Folk, World, & Country', 'folk'],
    ['Blues', 'blues'],
    ['Latin', 'latin'],
    ['Funk / Soul', 'soul'],
    ['Classical', 'classical'],
    ['Electronic', 'electronic'],
    ['Hip Hop', 'hiphop'],
    ['Reggae', 'reggae'],
    ['Stage & Screen', 'stage'],
    ["Children's", 'any'],
    ['Non-Music', 'any'],
    ['Brass & Military', 'any'],
    ['Polka', 'any'],
    [null, 'any'],
  ];
  for (const [genre, style] of expected) {
    assert.equal(styleForGenre(genre), style, String(genre));
    assert.ok((STYLES as readonly string[]).includes(style));
  }
});

test('the real tables give every lead sheet a meter and a tonality', {
  skip: fs.existsSync(path.join(openEwldDir, 'features.csv')) ? false : 'features.csv is missing',
}, () => {
  const labels = loadOpenEwldLabels(openEwldDir);
  assert.equal(labels.size, 502);
  const all = [...labels.values()];
  assert.ok(all.every((l) => l.meters.length >= 1 && l.keys.length >= 1));
  assert.ok(all.filter((l) => l.genre !== null).length >= 480);
});
