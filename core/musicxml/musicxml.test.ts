import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastLabel, newDoc } from '../song/label-recorder.test-support.ts';
import { BAR, band, note, notesOf, randomSong } from './band.test-support.ts';
import { DIVISIONS } from './notation.ts';
import { writeZip } from './zip.ts';
import { checkFile, describeCheck } from '../provenance/read-file.ts';
import { LOCAL_EDIT, addClip, addTrack, initSong } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import { EditError } from '../song/validate.ts';
import {
  clipToMusicXml,
  importMusicXmlIntoTrack,
  importMusicXmlSong,
  isMusicXmlFileError,
  musicXmlFileText,
  readScore,
  songToMusicXml,
  summarizeMusicXml,
  writeMxl,
} from './musicxml.ts';
import { childElements, firstChild, parseXml, textOf, type XmlElement } from './xml.ts';

function measures(xml: string, partIndex: number): XmlElement[] {
  return childElements(childElements(parseXml(xml), 'part')[partIndex]!, 'measure');
}

test('a song exports as partwise MusicXML 4.0 with parts, key, meter, tempo and chord symbols', () => {
  const { song } = band();
  const { xml } = songToMusicXml(song);
  const root = parseXml(xml);
  assert.equal(root.name, 'score-partwise');
  assert.equal(root.attributes.version, '4.0');
  const names = childElements(firstChild(root, 'part-list')!, 'score-part').map((p) => textOf(firstChild(p, 'part-name')!));
  assert.deepEqual(names, ['Kit', 'Bass', 'Piano', 'Melody']);
  const first = measures(xml, 1)[0]!;
  const attributes = firstChild(first, 'attributes')!;
  assert.equal(textOf(firstChild(firstChild(attributes, 'key')!, 'fifths')!), '-2');
  assert.equal(textOf(firstChild(firstChild(attributes, 'time')!, 'beats')!), '4');
  assert.equal(textOf(firstChild(firstChild(attributes, 'clef')!, 'sign')!), 'F', 'the bass part reads in bass clef');
  assert.match(xml, /<sound tempo="100"\/>/);
  // Chords go over the first pitched part (the bass), never the drum staff.
  assert.equal((measures(xml, 0)[0]!.children as XmlElement[]).filter((c) => c.name === 'harmony').length, 0);
  const harmonies = measures(xml, 1).flatMap((m) => childElements(m, 'harmony'));
  assert.equal(harmonies.length, 3);
  assert.equal(firstChild(harmonies[1]!, 'kind')!.attributes.text, '9');
  assert.equal(
    textOf(firstChild(harmonies[1]!, 'kind')!),
    'dominant-ninth',
    'an extension is its own kind, for readers that ignore the text',
  );
  assert.equal(textOf(firstChild(firstChild(harmonies[2]!, 'bass')!, 'bass-step')!), 'A');
});

test('drums are unpitched notes on a percussion staff, each drum its own MIDI instrument', () => {
  const { xml } = songToMusicXml(band().song);
  const bar1 = measures(xml, 0)[0]!;
  assert.equal(textOf(firstChild(firstChild(firstChild(bar1, 'attributes')!, 'clef')!, 'sign')!), 'percussion');
  const notes = childElements(bar1, 'note').filter((n) => firstChild(n, 'unpitched'));
  assert.ok(notes.length >= 5);
  assert.ok(notes.every((n) => firstChild(n, 'instrument')));
  assert.match(xml, /<midi-unpitched>37<\/midi-unpitched>/, 'the kick (36) is MIDI key 37, 1-based');
  assert.match(xml, /<notehead>x<\/notehead>/, 'hi-hats are crosses');
});

test('durations are spelled: ties across the bar line, rests filling every voice, triplets', () => {
  const { xml } = songToMusicXml(band().song);
  const bass = measures(xml, 1);
  for (const m of [...bass, ...measures(xml, 2), ...measures(xml, 3)]) {
    const byVoice = new Map<string, number>();
    for (const n of childElements(m, 'note')) {
      if (firstChild(n, 'chord')) continue;
      const v = textOf(firstChild(n, 'voice')!);
      byVoice.set(v, (byVoice.get(v) ?? 0) + Number(textOf(firstChild(n, 'duration')!)));
    }
    for (const [voice, total] of byVoice) assert.equal(total, 96, `voice ${voice} fills its 4/4 measure (96 divisions)`);
  }
  const tiedOut = childElements(bass[0]!, 'note').filter((n) => childElements(n, 'tie').some((t) => t.attributes.type === 'start'));
  const tiedIn = childElements(bass[1]!, 'note').filter((n) => childElements(n, 'tie').some((t) => t.attributes.type === 'stop'));
  assert.equal(tiedOut.length, 1);
  assert.equal(tiedIn.length, 1);
  const melodyBar2 = childElements(measures(xml, 3)[1]!, 'note');
  const triplets = melodyBar2.filter((n) => firstChild(n, 'time-modification'));
  assert.equal(triplets.length, 3);
  assert.deepEqual(
    triplets.map((n) => textOf(firstChild(n, 'type')!)),
    ['eighth', 'eighth', 'eighth'],
  );
  assert.match(xml, /<tuplet type="start" bracket="yes"\/>/);
  const voices = new Set(childElements(measures(xml, 2)[0]!, 'note').map((n) => textOf(firstChild(n, 'voice')!)));
  assert.deepEqual([...voices].sort(), ['1', '2'], 'the held chord and the moving line are two voices');
});

test('rests and notes are spelled on the beat: no dotted rests, syncopations tied at the beat', () => {
  const { xml } = songToMusicXml(band().song);
  const spelled = (m: XmlElement) =>
    childElements(m, 'note').map(
      (n) => `${firstChild(n, 'rest') ? 'rest' : 'note'} ${textOf(firstChild(n, 'type')!)}${firstChild(n, 'dot') ? '.' : ''}`,
    );
  assert.deepEqual(spelled(measures(xml, 0)[1]!), ['note quarter', 'rest quarter', 'rest half'], 'kit, bar 2');
  assert.deepEqual(
    spelled(measures(xml, 1)[1]!),
    ['note quarter', 'rest quarter', 'rest quarter', 'rest eighth', 'note eighth'],
    'bass, bar 2',
  );
});

test('export then import gives back every part, note, chord, section, the key, meter and tempo', () => {
  const { song, ids } = band();
  const { xml, noteCount } = songToMusicXml(song);
  const doc = newDoc();
  initSong(doc);
  const result = importMusicXmlSong(doc, xml, { fileName: 'band.musicxml' });
  const back = readSong(doc);
  assert.deepEqual(result.warnings, []);
  assert.equal(back.meta.bpm, 100);
  assert.deepEqual(back.meta.key, { tonic: 10, mode: 'major' });
  assert.deepEqual(back.meta.meter, { numerator: 4, denominator: 4 });
  assert.equal(back.meta.title, 'Teacher & Co');
  assert.deepEqual(
    back.tracks.map((t) => [t.name, t.role]),
    [
      ['Kit', 'drums'],
      ['Bass', 'bass'],
      ['Piano', 'keys'],
      ['Melody', 'lead'],
    ],
  );
  for (const [i, id] of [ids.bass, ids.keys, ids.lead].entries()) {
    assert.deepEqual(notesOf(back, back.tracks[i + 1]!.id), notesOf(song, id), `${back.tracks[i + 1]!.name} comes back unchanged`);
  }
  // Drums come back with notation's lengths (until the next hit), everything else unchanged.
  const drums = notesOf(back, back.tracks[0]!.id);
  assert.deepEqual(
    drums.map((n) => [n.pitch, n.tick, n.velocity]),
    notesOf(song, ids.drums).map((n) => [n.pitch, n.tick, n.velocity]),
  );
  assert.equal(
    noteCount,
    back.clips.reduce((n, c) => n + c.notes.length, 0),
  );
  assert.deepEqual(
    back.chords.map((c) => [c.tick, c.duration, c.symbol]),
    [
      [0, BAR, 'Bb'],
      [BAR, 960, 'Eb9'],
      [BAR + 960, 960, 'F7/A'],
    ],
  );
  assert.deepEqual(
    back.bookmarks.map((b) => [b.bar, b.name]),
    [
      [0, 'Intro'],
      [1, 'Verse & Hook'],
    ],
    'section bookmarks travel as rehearsal marks',
  );
  assert.equal(lastLabel(doc), 'imported MusicXML "Teacher & Co" with 4 tracks');
  assert.equal(back.clips[0]!.provenance?.detail?.format, 'musicxml');
});

test('off-grid notes are quantized to notation, to the nearest 32nd where no triplets are meant', () => {
  const doc = newDoc();
  initSong(doc, { meter: { numerator: 3, denominator: 4 } });
  const lead = addTrack(doc, { role: 'lead', name: 'Played' });
  const played = [note(60, 7, 233), note(62, 245, 230), note(64, 478, 500), note(65, 1000, 37)];
  addClip(doc, { trackId: lead, startBar: 0, lengthBars: 2, notes: played });
  const { xml } = songToMusicXml(readSong(doc));
  const back = readScore(xml).parts[0]!.notes;
  assert.equal(back.length, played.length);
  back.forEach((n, i) => {
    assert.ok(Math.abs(n.tick - played[i]!.tick) <= 40, `note ${i} starts near where it was played`);
    // Ends too, except that a note shorter than a 32nd is written as one.
    assert.ok(Math.abs(n.tick + n.duration - (played[i]!.tick + played[i]!.duration)) <= (i === 3 ? 60 : 40));
    assert.equal(n.tick % 60, 0, 'on the 32nd grid (these are not triplets)');
  });
});

test('a clip exports alone: its track, its bars, the chords under it', () => {
  const { song, ids } = band();
  const { xml } = clipToMusicXml(song, ids.leadClip);
  const score = readScore(xml);
  assert.equal(score.parts.length, 1);
  assert.equal(score.title, 'Teacher & Co', 'an unnamed clip adds nothing to the title');
  assert.deepEqual(
    score.parts[0]!.notes.map((n) => n.tick),
    [0, 160, 320, 480, 960],
  );
  assert.deepEqual(
    score.chords.map((c) => c.symbol),
    ['Eb9', 'F7/A'],
  );
  assert.throws(() => clipToMusicXml(song, 'nope'), EditError);
});

test('.mxl: written as a zip with its container, read back to the same score', async () => {
  const { xml } = songToMusicXml(band().song);
  const mxl = await writeMxl(xml);
  assert.deepEqual([...mxl.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
  assert.ok(mxl.length < xml.length / 3, 'deflated');
  assert.match(new TextDecoder().decode(mxl.subarray(30, 38)), /^mimetype/);
  assert.equal(await musicXmlFileText(mxl), xml);
  assert.equal(await musicXmlFileText(new TextEncoder().encode(xml)), xml);
});

test('exports carry their provenance; Check a file reads it from .musicxml and .mxl', async () => {
  const { song, ids } = band();
  const { xml } = songToMusicXml(song);
  const check = checkFile(new TextEncoder().encode(xml));
  assert.equal(check.status, 'found');
  assert.ok(check.status === 'found');
  assert.deepEqual(
    [check.format, check.record.what, check.record.content, check.record.bars],
    ['musicxml', 'song', 'notation', { from: 0, to: 2 }],
  );
  assert.equal(
    check.record.summary.notes.total,
    song.clips.reduce((n, c) => n + c.notes.length, 0),
  );
  const compressed = checkFile(await writeMxl(xml));
  assert.deepEqual(compressed, check, 'the same record from the .mxl, read synchronously');
  const clip = checkFile(new TextEncoder().encode(clipToMusicXml(song, ids.leadClip).xml));
  assert.ok(clip.status === 'found');
  assert.deepEqual([clip.record.what, clip.record.track, clip.record.clips.length], ['clip', 'Melody', 1]);
  // A score from elsewhere: readable, without a record; a damaged one says why.
  const foreign = xml.replace(/<miscellaneous>[\s\S]*<\/miscellaneous>\n/, '').replace('<software>Riffroom', '<software>MuseScore 3.2.3');
  assert.equal(
    describeCheck(checkFile(new TextEncoder().encode(foreign))),
    'No provenance found in this MusicXML file.\nIt was written by MuseScore 3.2.3.',
  );
  assert.match(
    describeCheck(checkFile(new TextEncoder().encode(xml.slice(0, 3000)))),
    /^Cannot check this MusicXML file: the file is damaged: /,
  );
  const mxl = await writeMxl(xml);
  assert.match(describeCheck(checkFile(mxl.subarray(0, mxl.length - 30))), /^Cannot check this MusicXML file: the file is damaged: /);
  const stems = await writeZip([{ name: 'Song stems/01 Bass.wav', data: new Uint8Array(64) }]);
  assert.equal(describeCheck(checkFile(stems)), 'Cannot check this file: this is not a MIDI, WAV, Ogg Opus or MusicXML file.');
});

test('importing into a track: one clip from the chosen bar, chords over it, one history entry', () => {
  const { xml } = songToMusicXml(band().song);
  const doc = newDoc();
  initSong(doc);
  const track = addTrack(doc, { role: 'keys', name: 'Mine' });
  const clipId = importMusicXmlIntoTrack(doc, track, xml, 2, { fileName: 'x.musicxml', origin: LOCAL_EDIT });
  const song = readSong(doc);
  const clip = song.clips.find((c) => c.id === clipId)!;
  assert.equal(clip.startBar, 2);
  assert.equal(clip.lengthBars, 2);
  assert.equal(clip.notes.length, summarizeMusicXml(xml).noteCount);
  assert.deepEqual(
    song.chords.map((c) => [c.tick, c.symbol]),
    [
      [2 * BAR, 'Bb'],
      [3 * BAR, 'Eb9'],
      [3 * BAR + 960, 'F7/A'],
    ],
  );
  assert.match(lastLabel(doc) ?? '', /^imported \d+ notes and 3 chords from MusicXML$/);
  assert.throws(() => importMusicXmlIntoTrack(doc, 'missing', xml, 0), EditError);
  assert.deepEqual(readSong(doc), song, 'a refused import changes nothing');
});

test('malformed scores are refused with a clear error and change nothing', async () => {
  const { xml } = songToMusicXml(band().song);
  const doc = newDoc();
  initSong(doc);
  const before = readSong(doc);
  const broken = [
    xml.slice(0, xml.length / 2),
    '<score-timewise version="4.0"/>',
    '<html><body>hello</body></html>',
    '<score-partwise><part-list/></score-partwise>',
    xml.replace('<divisions>24</divisions>', '<divisions>zero</divisions>'),
    xml.replace(/<step>B<\/step>/, '<step>H</step>'),
    xml.replace(/<octave>(\d)<\/octave>/, '<octave>$1.5</octave>'),
    xml.replace('<duration>', '<duration>-'),
    'not xml at all',
  ];
  for (const text of broken) {
    assert.throws(
      () => importMusicXmlSong(doc, text),
      (e) => isMusicXmlFileError(e),
      text.slice(0, 60),
    );
    assert.deepEqual(readSong(doc), before);
  }
  const mxl = await writeMxl(xml);
  for (const bytes of [mxl.subarray(0, mxl.length - 30), Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])]) {
    await assert.rejects(musicXmlFileText(bytes), (e) => isMusicXmlFileError(e));
  }
  const corrupt = mxl.slice();
  corrupt[200] ^= 0xff;
  await assert.rejects(musicXmlFileText(corrupt), (e) => isMusicXmlFileError(e));
});

test('a lead sheet from another program: pickup, voices, ties, N.C. and unpitched fallbacks', () => {
  const xml = `<?xml version="1.0"?>
<score-partwise version="3.1">
  <movement-title>Little Tune</movement-title>
  <part-list><score-part id="A"><part-name>Voice</part-name></score-part></part-list>
  <part id="A">
    <measure number="0" implicit="yes">
      <attributes><divisions>2</divisions><key><fifths>1</fifths><mode>minor</mode></key><time><beats>3</beats><beat-type>4</beat-type></time></attributes>
      <direction><direction-type><metronome><beat-unit>quarter</beat-unit><beat-unit-dot/><per-minute>60</per-minute></metronome></direction-type></direction>
      <note><pitch><step>B</step><octave>4</octave></pitch><duration>2</duration><voice>1</voice><type>quarter</type></note>
    </measure>
    <measure number="1">
      <harmony><root><root-step>E</root-step></root><kind text="m">minor</kind></harmony>
      <note><pitch><step>E</step><octave>5</octave></pitch><duration>4</duration><tie type="start"/><voice>1</voice></note>
      <harmony><root><root-step>C</root-step></root><kind>major-seventh</kind></harmony>
      <note><pitch><step>E</step><octave>5</octave></pitch><duration>1</duration><tie type="stop"/><voice>1</voice></note>
      <note><grace/><pitch><step>F</step><alter>1</alter><octave>5</octave></pitch><voice>1</voice></note>
      <note><pitch><step>F</step><alter>1</alter><octave>5</octave></pitch><duration>1</duration><voice>1</voice></note>
      <backup><duration>6</duration></backup>
      <note><pitch><step>E</step><octave>3</octave></pitch><duration>6</duration><voice>2</voice></note>
    </measure>
    <measure number="2">
      <harmony><root><root-step>C</root-step></root><kind>none</kind></harmony>
      <note><rest/><duration>6</duration><voice>1</voice></note>
    </measure>
  </part>
</score-partwise>`;
  const score = readScore(xml);
  assert.equal(score.title, 'Little Tune');
  assert.deepEqual(score.key, { tonic: 4, mode: 'minor' });
  assert.equal(score.bpm, 90, 'a dotted-quarter metronome mark of 60 is 90 quarters per minute');
  assert.equal(score.pickupTicks, 480);
  assert.deepEqual(
    score.parts[0]!.notes.map((n) => [n.pitch, n.tick, n.duration]),
    [
      [71, 960, 480],
      [52, 1440, 1440],
      [76, 1440, 1200],
      [78, 2640, 240],
    ],
  );
  assert.deepEqual(
    score.chords.map((c) => [c.tick, c.duration, c.symbol]),
    [
      [1440, 960, 'Em'],
      [2400, 480, 'Cmaj7'],
    ],
  );
  assert.equal(summarizeMusicXml(xml).suggestedRole, 'lead');
});

test('fuzz: random arrangements in six meters export as well-formed measures and read back', () => {
  let overflowing = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const song = randomSong(seed);
    const { xml, noteCount, shortened } = songToMusicXml(song);
    const { numerator, denominator } = song.meta.meter;
    const measureDivisions = (DIVISIONS * 4 * numerator) / denominator;
    for (const part of childElements(parseXml(xml), 'part')) {
      for (const m of childElements(part, 'measure')) {
        const voices = new Map<string, number>();
        let backups = 0;
        for (const child of m.children as XmlElement[]) {
          if (child.name === 'backup') backups++;
          if (child.name !== 'note' || firstChild(child, 'chord')) continue;
          const voice = textOf(firstChild(child, 'voice')!);
          voices.set(voice, (voices.get(voice) ?? 0) + Number(textOf(firstChild(child, 'duration')!)));
        }
        for (const [voice, total] of voices) assert.equal(total, measureDivisions, `seed ${seed}: voice ${voice} fills its measure`);
        assert.equal(backups, voices.size - 1, `seed ${seed}: one <backup> before each further voice`);
      }
    }
    const back = readScore(xml);
    assert.equal(
      back.parts.reduce((n, p) => n + p.notes.length, 0),
      noteCount,
      `seed ${seed}: every written note reads back once`,
    );
    assert.deepEqual(back.meter, song.meta.meter);
    // Exported again after import, it is the same score: notation is stable once quantized.
    // (Unless voices overflowed: shortening a note there can move later ones to other voices.)
    const doc = newDoc();
    initSong(doc);
    importMusicXmlSong(doc, xml);
    const again = songToMusicXml(readSong(doc)).xml;
    const notes = (text: string) => readScore(text).parts.map((p) => p.notes);
    assert.deepEqual(notes(again), notes(xml), `seed ${seed}: the same notes`);
    const body = (text: string) => text.slice(text.indexOf('<part id'));
    if (!shortened) assert.equal(body(again), body(xml), `seed ${seed}: the same score`);
    else overflowing++;
  }
  assert.ok(overflowing < 30, `${overflowing} of 60 songs overflowed the voices: most are compared whole`);
});
