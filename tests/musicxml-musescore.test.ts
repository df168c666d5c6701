/**
 * An independent reader checks what core/musicxml writes: Debian's MuseScore 3 (`musescore3`,
 * headless) converts our .musicxml and .mxl exports to MIDI and to its own .mscx format, without
 * errors; the MIDI's notes (pitch, start, length per part) must be the notes of our export as our
 * own reader reads them back (which the unit tests compare with the song), and the .mscx must hold
 * every chord symbol; and the MusicXML MuseScore writes back from it must import as the same
 * notes, chords, sections, tempo, key and meter (a second writer for our reader). Besides our own songs, three OpenEWLD lead sheets (shared datasets, skipped
 * without them) go through our import and export first. scripts/setup-notation-tools.sh installs MuseScore (as root, from apt);
 * without it this test skips saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMidi } from '../core/midi/song-midi.ts';
import { band, randomSong } from '../core/musicxml/band.test-support.ts';
import { importMusicXmlSong, musicXmlFileText, readScore, songToMusicXml, writeMxl, type ReadScore } from '../core/musicxml/musicxml.ts';
import { keyFifths } from '../core/musicxml/spelling.ts';
import { addClip, addTrack, initSong } from '../core/song/edits.ts';
import { parseChordSymbol } from '../core/theory/chords.ts';
import { newDoc } from '../core/song/label-recorder.test-support.ts';
import { readSong } from '../core/song/schema.ts';
import type { Song } from '../core/song/types.ts';

const MUSESCORE = 'musescore3';
const missing = spawnSync('sh', ['-c', `command -v ${MUSESCORE}`]).status !== 0;
const skip = missing ? `${MUSESCORE} is not installed (bash scripts/setup-notation-tools.sh installs it as root with apt)` : false;

/** MuseScore rounds note ends a tick short when it plays a score back. */
const LENGTH_SLACK = 2;

function convert(input: string, output: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      MUSESCORE,
      ['-o', output, input],
      // Headless: no display; its own runtime dir so parallel tests do not share one.
      { env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', XDG_RUNTIME_DIR: path.dirname(output) }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${MUSESCORE} failed on ${path.basename(input)}: ${error.message}\n${stderr}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** A song whose bars are played, not drawn: 3/4, off-grid starts and lengths, a 16th triplet. */
function playedSong(): Song {
  const doc = newDoc();
  initSong(doc, { title: 'Played', bpm: 84, meter: { numerator: 3, denominator: 4 }, key: { tonic: 9, mode: 'minor' } });
  const piano = addTrack(doc, { role: 'keys', name: 'Piano' });
  addClip(doc, {
    trackId: piano,
    startBar: 0,
    lengthBars: 3,
    notes: [
      { pitch: 57, tick: 5, duration: 1430, velocity: 60 },
      { pitch: 69, tick: 0, duration: 230, velocity: 80 },
      { pitch: 71, tick: 245, duration: 250, velocity: 80 },
      { pitch: 72, tick: 480, duration: 80, velocity: 80 },
      { pitch: 74, tick: 560, duration: 80, velocity: 80 },
      { pitch: 76, tick: 640, duration: 80, velocity: 80 },
      { pitch: 77, tick: 1300, duration: 1700, velocity: 100 },
      { pitch: 48, tick: 2900, duration: 1000, velocity: 70 },
    ],
  });
  return readSong(doc);
}

/** Exports the song both ways, has MuseScore convert each, and compares what it plays with ours. */
async function checkWithMuseScore(song: Song): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'riffroom-musescore-'));
  try {
    const { xml, noteCount } = songToMusicXml(song);
    const ours = readScore(xml);
    const plain = path.join(dir, 'score.musicxml');
    const compressed = path.join(dir, 'score.mxl');
    writeFileSync(plain, xml);
    writeFileSync(compressed, await writeMxl(xml));
    for (const input of [plain, compressed]) {
      const midiPath = path.join(dir, `${path.basename(input)}.mid`);
      const log = await convert(input, midiPath);
      assert.match(log, /success/, log);
      const midi = readMidi(readFileSync(midiPath));
      const theirs = midi.tracks.filter((t) => t.notes.length);
      assert.equal(
        theirs.reduce((n, t) => n + t.notes.length, 0),
        noteCount,
        `${path.basename(input)}: MuseScore plays as many notes as we wrote`,
      );
      const withNotes = ours.parts.filter((p) => p.notes.length);
      assert.equal(theirs.length, withNotes.length, 'one MIDI track per part with notes');
      withNotes.forEach((part, i) => {
        const got = theirs[i]!.notes;
        assert.equal(got.length, part.notes.length, `${part.name}: note count`);
        part.notes.forEach((n, k) => {
          const m = got[k]!;
          assert.equal(m.pitch, n.pitch, `${part.name} note ${k}: pitch`);
          assert.equal(m.tick, n.tick, `${part.name} note ${k}: start`);
          assert.ok(
            Math.abs(m.duration - n.duration) <= LENGTH_SLACK,
            `${part.name} note ${k}: ${m.duration} ticks, we wrote ${n.duration}`,
          );
        });
      });
      // MIDI stores whole microseconds per quarter: 98 BPM comes back as 97.9998.
      assert.ok(Math.abs(midi.bpm - song.meta.bpm) < 0.01, `tempo ${midi.bpm}, we wrote ${song.meta.bpm}`);
      assert.deepEqual(midi.meter, song.meta.meter);
    }
    // Its own format keeps the chord symbols (MIDI has none).
    const mscx = path.join(dir, 'score.mscx');
    await convert(compressed, mscx);
    const harmonies = readFileSync(mscx, 'utf8').match(/<Harmony>/g)?.length ?? 0;
    assert.equal(harmonies, ours.chords.length, 'every chord symbol arrives');
    // And the other way: MusicXML that MuseScore writes from it, read by our importer, is our score.
    const theirsPath = path.join(dir, 'theirs.musicxml');
    await convert(mscx, theirsPath);
    const theirs = readScore(readFileSync(theirsPath, 'utf8'));
    const notes = (score: ReadScore) =>
      score.parts.map((p) => [p.name, p.percussion, p.notes.map((n) => [n.pitch, n.tick, n.duration, n.velocity])]);
    assert.deepEqual(notes(theirs), notes(ours), "MuseScore's own MusicXML reads back as our notes");
    // MuseScore keeps a symbol's chord but not always its spelling ("B7sus4" comes back "Bsus4").
    const chords = (score: ReadScore) => score.chords.map((c) => [c.tick, c.duration, parseChordSymbol(c.symbol)]);
    assert.deepEqual(chords(theirs), chords(ours), 'and our chord symbols');
    assert.deepEqual(theirs.sections, ours.sections, 'and our rehearsal marks');
    // MuseScore 3 keeps the key signature but not the mode (A minor comes back as C major).
    assert.ok(Math.abs(theirs.bpm! - ours.bpm!) < 0.01, `tempo ${theirs.bpm}, we wrote ${ours.bpm}`);
    assert.deepEqual([keyFifths(theirs.key!), theirs.meter], [keyFifths(ours.key!), ours.meter]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('MuseScore reads the band as we wrote it, from .musicxml and .mxl', { skip, timeout: 300_000 }, async () => {
  await checkWithMuseScore(band().song);
});

test('MuseScore reads a played piano part as we wrote it', { skip, timeout: 300_000 }, async () => {
  await checkWithMuseScore(playedSong());
});

test('MuseScore reads random arrangements in six meters as we wrote them', { skip, timeout: 300_000 }, async () => {
  // Seeds whose meters cover 4/4, 3/4, 6/8, 5/4, 7/8 and 2/2, with triplets and crowded voices.
  const meters = new Set<string>();
  for (let seed = 1; meters.size < 6 && seed < 100; seed++) {
    const song = randomSong(seed);
    const meter = `${song.meta.meter.numerator}/${song.meta.meter.denominator}`;
    if (meters.has(meter)) continue;
    meters.add(meter);
    await checkWithMuseScore(song);
  }
  assert.equal(meters.size, 6);
});

const openEwld = path.resolve(import.meta.dirname, '../../shared/datasets/openewld/dataset');
const LEAD_SHEETS = [
  "A._Emmett_Adams-Douglas_Furber/The_Bells_of_St._Mary's/The_Bells_of_St._Mary's.mxl",
  'Vladimir_Vavilov-[Traditional]/Ave_Maria_(Caccini)/Ave_Maria_(Caccini).mxl',
  '[Traditional]/Red_River_Valley/Red_River_Valley.mxl',
];

test('MuseScore reads real lead sheets after our import and export', {
  skip: skip || (existsSync(openEwld) ? false : `dataset folder ${openEwld} is missing`),
  timeout: 300_000,
}, async () => {
  for (const file of LEAD_SHEETS) {
    const doc = newDoc();
    initSong(doc);
    importMusicXmlSong(doc, await musicXmlFileText(new Uint8Array(readFileSync(path.join(openEwld, file)))));
    await checkWithMuseScore(readSong(doc));
  }
});
