import { MIDI_TEXT_PREFIX } from '../provenance/midi.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { lastLabel, newDoc } from '../song/label-recorder.test-support.ts';
import { parseMidi, writeMidi } from 'midi-file';
import { LOCAL_EDIT, addBookmark, addClip, addTrack, initSong, setChords, setLoop, updateTrack } from '../song/edits.ts';
import { readSong, songScope } from '../song/schema.ts';
import type { NoteInput, Song } from '../song/types.ts';
import { EditError } from '../song/validate.ts';
import { MidiFormatError, clipToMidi, importMidiIntoTrack, importMidiSong, readMidi, songToMidi } from './song-midi.ts';
import { readSmf, writeSmf, type TextEvent } from './smf.ts';
import { END_OF_TRACK, midiFile } from './test-fixtures.ts';

const BAR = 3 * 480; // the test song is in 3/4

function note(pitch: number, tick: number, duration: number, velocity = 100): NoteInput {
  return { pitch, tick, duration, velocity };
}

interface Fixture {
  doc: Y.Doc;
  song: Song;
  ids: { drums: string; bass: string; keys: string; lead: string; bassClip: string };
}

/** A small band arrangement in 3/4, E minor, 96 BPM, with notes that are hidden or cut by their clip. */
function bandSong(): Fixture {
  const doc = newDoc();
  initSong(doc, { title: 'Night Drive', bpm: 96, meter: { numerator: 3, denominator: 4 }, key: { tonic: 4, mode: 'minor' } });
  const drums = addTrack(doc, { role: 'drums', name: 'Kit' });
  const bass = addTrack(doc, { role: 'bass', name: 'Bass', volumeDb: -6, pan: -0.5 });
  const keys = addTrack(doc, { role: 'keys', name: 'Rhodes', pan: 1 });
  const lead = addTrack(doc, { role: 'lead', name: 'Lead', instrument: 'square-lead' });
  addTrack(doc, { role: 'other', name: 'Empty pad' });
  addClip(doc, {
    trackId: drums,
    startBar: 0,
    lengthBars: 2,
    notes: [note(36, 0, 120), note(42, 480, 60, 70), note(38, 960, 120), note(36, BAR, 120)],
  });
  addClip(doc, { trackId: drums, startBar: 2, lengthBars: 1, notes: [note(36, 0, 120), note(49, 0, 480, 127)] });
  const bassClip = addClip(doc, {
    trackId: bass,
    startBar: 1,
    lengthBars: 1,
    // The last note runs past the clip's end and is cut there; the one at tick BAR is hidden.
    notes: [note(40, 0, 480), note(40, 480, 240), note(43, 960, 2000)],
  });
  addClip(doc, {
    trackId: keys,
    startBar: 0,
    lengthBars: 4,
    notes: [note(64, 0, BAR * 4, 60), note(67, 0, BAR * 4, 60), note(71, 0, BAR * 2, 60)],
  });
  addClip(doc, {
    trackId: lead,
    startBar: 3,
    lengthBars: 1,
    notes: [note(76, 0, 1), note(79, 1, 1), note(127, BAR - 1, 1, 1), note(0, 0, 5, 127)],
  });
  // A note the clip hides because it starts at its end (added when the clip was longer).
  const bassMap = doc.getMap<Y.Map<unknown>>('clips').get(bassClip)!;
  doc.transact(() => (bassMap.get('notes') as Y.Map<NoteInput>).set('hidden', note(45, BAR, 240)));
  addBookmark(doc, 'Intro', 0);
  addBookmark(doc, 'Verse', 2);
  setChords(doc, 0, BAR * 4, [
    { tick: 0, duration: BAR * 2, symbol: 'Em' },
    { tick: BAR * 2, duration: BAR, symbol: 'Cmaj7' },
    { tick: BAR * 3, duration: BAR, symbol: 'B7/D#' },
  ]);
  setLoop(doc, { startBar: 0, endBar: 2 });
  updateTrack(doc, drums, { volumeDb: 6 });
  return { doc, song: readSong(doc), ids: { drums, bass, keys, lead, bassClip } };
}

/** The notes of a track as the app plays them: absolute ticks, hidden notes left out, cut at clip ends. */
function audibleNotes(song: Song, trackId: string): NoteInput[] {
  const out: NoteInput[] = [];
  for (const clip of song.clips.filter((c) => c.trackId === trackId)) {
    const clipTicks = clip.lengthBars * BAR;
    for (const n of clip.notes) {
      if (n.tick >= clipTicks) continue;
      out.push(note(n.pitch, clip.startBar * BAR + n.tick, Math.min(n.duration, clipTicks - n.tick), n.velocity));
    }
  }
  return out.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

test('song → MIDI → readMidi gives back tempo, meter, key, title and the audible notes of every track', () => {
  const { song, ids } = bandSong();
  const midi = readMidi(songToMidi(song));
  assert.equal(midi.bpm, 96);
  assert.deepEqual(midi.meter, { numerator: 3, denominator: 4 });
  assert.deepEqual(midi.key, { tonic: 4, mode: 'minor' });
  assert.equal(midi.title, 'Night Drive');
  assert.deepEqual(midi.warnings, []);
  assert.equal(midi.lengthTicks, 4 * BAR);
  // The empty track is dropped; the others keep their order and names.
  assert.deepEqual(
    midi.tracks.map((t) => [t.name, t.channel, t.program, t.isDrums]),
    [
      ['Kit', 9, 0, true],
      ['Bass', 0, 33, false],
      ['Rhodes', 1, 4, false],
      ['Lead', 2, 80, false],
    ],
  );
  assert.deepEqual(
    midi.tracks.map((t) => t.notes),
    [ids.drums, ids.bass, ids.keys, ids.lead].map((id) => audibleNotes(song, id)),
  );
  // The cut and the hidden note really were in the song.
  assert.deepEqual(
    midi.tracks[1]!.notes.map((n) => [n.pitch, n.tick, n.duration]),
    [
      [40, BAR, 480],
      [40, BAR + 480, 240],
      [43, BAR + 960, 480],
    ],
  );
});

test('the conductor track carries markers for bookmarks and text events for chords; mixer settings become controllers', () => {
  const { song } = bandSong();
  const file = readSmf(songToMidi(song));
  assert.equal(file.format, 1);
  assert.equal(file.ticksPerQuarter, 480);
  assert.equal(file.tracks.length, 1 + song.tracks.length);
  // The provenance's text event is read in core/provenance/midi.test.ts.
  const texts = file.tracks[0]!.events.filter((e): e is TextEvent => e.type === 'text' && !e.text.startsWith(MIDI_TEXT_PREFIX));
  assert.deepEqual(
    texts.map((e) => [e.kind, e.tick, e.text]),
    [
      ['trackName', 0, 'Night Drive'],
      ['marker', 0, 'Intro'],
      ['text', 0, 'Em'],
      ['marker', 2 * BAR, 'Verse'],
      ['text', 2 * BAR, 'Cmaj7'],
      ['text', 3 * BAR, 'B7/D#'],
    ],
  );
  const controllers = file.tracks
    .slice(1)
    .map((t) => t.events.flatMap((e) => (e.type === 'controlChange' ? [[e.controller, e.value]] : [])));
  assert.deepEqual(controllers, [
    [
      [7, 127],
      [10, 64],
    ], // +6 dB is as loud as controller 7 goes
    [
      [7, 90],
      [10, 32],
    ],
    [
      [7, 127],
      [10, 127],
    ],
    [
      [7, 127],
      [10, 64],
    ],
    [
      [7, 127],
      [10, 64],
    ],
  ]);
  // Every track lasts as long as the song, so DAWs show the full length.
  assert.deepEqual(
    file.tracks.map((t) => t.events.at(-1)),
    file.tracks.map(() => ({ type: 'endOfTrack', tick: 4 * BAR })),
  );
});

test('an independent parser (midi-file) reads our files with the same notes', () => {
  const { song } = bandSong();
  const bytes = songToMidi(song);
  const parsed = parseMidi(bytes);
  assert.equal(parsed.header.format, 1);
  assert.equal(parsed.header.numTracks, 6);
  assert.equal(parsed.header.ticksPerBeat, 480);
  const ours = readMidi(bytes);
  const noteOns = parsed.tracks.map((t) => t.filter((e) => e.type === 'noteOn').length).filter((n) => n > 0);
  assert.deepEqual(
    noteOns,
    ours.tracks.map((t) => t.notes.length),
  );
  const conductor = parsed.tracks[0]!;
  assert.deepEqual(
    conductor.find((e) => e.type === 'setTempo'),
    { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 625000 },
  );
  assert.deepEqual(
    conductor.find((e) => e.type === 'keySignature'),
    { deltaTime: 0, meta: true, type: 'keySignature', key: 1, scale: 1 },
  );
  // midi-file pairs nothing, so rebuild absolute note spans from its deltas and compare with ours.
  const bassTrack = parsed.tracks[2]!;
  let tick = 0;
  const spans: number[][] = [];
  const open = new Map<number, number>();
  for (const e of bassTrack) {
    tick += e.deltaTime;
    if (e.type === 'noteOn') open.set(e.noteNumber, tick);
    if (e.type === 'noteOff') spans.push([e.noteNumber, open.get(e.noteNumber)!, tick - open.get(e.noteNumber)!]);
  }
  assert.deepEqual(
    spans,
    ours.tracks[1]!.notes.map((n) => [n.pitch, n.tick, n.duration]),
  );
});

test('we read a file written by an independent writer (midi-file, with running status and note-on velocity 0)', () => {
  const bytes = writeMidi(
    {
      header: { format: 1, numTracks: 2, ticksPerBeat: 96 },
      tracks: [
        [
          { deltaTime: 0, meta: true, type: 'trackName', text: 'Other DAW' },
          { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 400000 },
          { deltaTime: 0, meta: true, type: 'timeSignature', numerator: 6, denominator: 8, metronome: 36, thirtyseconds: 8 },
          { deltaTime: 0, meta: true, type: 'endOfTrack' },
        ],
        [
          { deltaTime: 0, meta: true, type: 'trackName', text: 'Strings' },
          { deltaTime: 0, channel: 4, type: 'programChange', programNumber: 48 },
          { deltaTime: 0, channel: 4, type: 'noteOn', noteNumber: 60, velocity: 80 },
          { deltaTime: 48, channel: 4, type: 'noteOn', noteNumber: 64, velocity: 81 },
          { deltaTime: 48, channel: 4, type: 'noteOff', noteNumber: 60, velocity: 0 },
          { deltaTime: 1, channel: 4, type: 'noteOff', noteNumber: 64, velocity: 0 },
          { deltaTime: 0, meta: true, type: 'endOfTrack' },
        ],
      ],
    },
    { running: true, useByte9ForNoteOff: true },
  );
  const midi = readMidi(Uint8Array.from(bytes));
  assert.equal(midi.bpm, 150);
  assert.deepEqual(midi.meter, { numerator: 6, denominator: 8 });
  assert.equal(midi.title, 'Other DAW');
  assert.deepEqual(midi.tracks, [
    {
      name: 'Strings',
      channel: 4,
      program: 48,
      isDrums: false,
      // 96 ticks per quarter rescaled to 480: times 5.
      notes: [note(60, 0, 480, 80), note(64, 240, 245, 81)],
    },
  ]);
});

test('clipToMidi writes one clip from tick 0 with the chords under it', () => {
  const { song, ids } = bandSong();
  const bytes = clipToMidi(song, ids.bassClip);
  const midi = readMidi(bytes);
  assert.equal(midi.bpm, 96);
  assert.equal(midi.lengthTicks, BAR);
  assert.deepEqual(
    midi.tracks.map((t) => [t.name, t.program]),
    [['Bass', 33]],
  );
  assert.deepEqual(
    midi.tracks[0]!.notes.map((n) => [n.pitch, n.tick, n.duration]),
    [
      [40, 0, 480],
      [40, 480, 240],
      [43, 960, 480],
    ],
  );
  const chords = readSmf(bytes).tracks[0]!.events.filter(
    (e): e is TextEvent => e.type === 'text' && e.kind === 'text' && !e.text.startsWith(MIDI_TEXT_PREFIX),
  );
  assert.deepEqual(
    chords.map((e) => [e.tick, e.text]),
    [[0, 'Em']],
  );
  assert.equal(parseMidi(bytes).tracks[1]!.filter((e) => e.type === 'noteOn').length, 3);
  assert.throws(() => clipToMidi(song, 'nope'), EditError);
});

test('readMidi pairs notes first in first out, ends unreleased notes at the track end and splits format 0 by channel', () => {
  const bytes = midiFile(0, 240, [
    0x00,
    0xff,
    0x03,
    0x04,
    ...[0x4a, 0x61, 0x6d, 0x21], // track name "Jam!"
    0x00,
    0xc1,
    0x21, //             program 33 (bass) on channel 2
    0x00,
    0x99,
    0x24,
    0x64, //       drums: kick on
    0x00,
    0x91,
    0x28,
    0x50, //       bass: E on
    0x3c,
    0x91,
    0x28,
    0x60, //       60 ticks later: the same E again, overlapping
    0x00,
    0x89,
    0x24,
    0x00, //       kick off at tick 60
    0x3c,
    0x81,
    0x28,
    0x00, //       tick 120: an E off ends the first E (first in, first out)
    0x3c,
    0x81,
    0x28,
    0x00, //       tick 180: the second E off
    0x00,
    0x99,
    0x26,
    0x7f, //       snare on, never released: ends with the track
    0x00,
    0x99,
    0x2a,
    0x40, //       hi-hat on and off at the same tick
    0x00,
    0x89,
    0x2a,
    0x00,
    0x00,
    0x81,
    0x30,
    0x00, //       a stray note-off is ignored
    0x78,
    0xff,
    0x2f,
    0x00, //       end of track at tick 300 (600 at 480 per quarter)
  ]);
  const midi = readMidi(bytes);
  assert.equal(midi.title, 'Jam!');
  assert.equal(midi.key, null);
  assert.equal(midi.bpm, 120);
  assert.deepEqual(midi.meter, { numerator: 4, denominator: 4 });
  assert.equal(midi.lengthTicks, 300 * 2);
  assert.deepEqual(midi.tracks, [
    {
      name: 'Bass',
      channel: 1,
      program: 33,
      isDrums: false,
      notes: [note(40, 0, 240, 80), note(40, 120, 240, 96)],
    },
    {
      name: 'Drums',
      channel: 9,
      program: null,
      isDrums: true,
      notes: [note(36, 0, 120, 100), note(38, 360, 240, 127), note(42, 360, 1, 64)],
    },
  ]);
});

test('readMidi reports what the song model leaves out', () => {
  const bytes = writeSmf({
    format: 1,
    ticksPerQuarter: 480,
    tracks: [
      {
        events: [
          { type: 'tempo', tick: 0, microsecondsPerQuarter: 500000 },
          { type: 'tempo', tick: 960, microsecondsPerQuarter: 500000 }, // not a change
          { type: 'tempo', tick: 1920, microsecondsPerQuarter: 400000 },
          { type: 'timeSignature', tick: 0, numerator: 4, denominator: 4, clocksPerClick: 24, thirtySecondsPerQuarter: 8 },
          { type: 'timeSignature', tick: 1920, numerator: 3, denominator: 4, clocksPerClick: 24, thirtySecondsPerQuarter: 8 },
          { type: 'keySignature', tick: 0, sharps: -3, minor: false },
        ],
      },
    ],
  });
  const midi = readMidi(bytes);
  assert.equal(midi.bpm, 120);
  assert.deepEqual(midi.key, { tonic: 3, mode: 'major' }); // 3 flats: Eb major
  assert.deepEqual(midi.warnings, [
    'the file has 1 tempo change(s); only the first tempo is used',
    'the file has 1 time signature change(s); only the first time signature is used',
  ]);
  assert.deepEqual(midi.tracks, []);
});

test('every key survives export and import with its spelling', () => {
  for (let tonic = 0; tonic < 12; tonic++) {
    for (const mode of ['major', 'minor'] as const) {
      const doc = newDoc();
      initSong(doc, { key: { tonic, mode } });
      const sharps = readSmf(songToMidi(readSong(doc))).tracks[0]!.events.find((e) => e.type === 'keySignature');
      assert.ok(sharps && sharps.type === 'keySignature' && Math.abs(sharps.sharps) <= 6);
      assert.deepEqual(readMidi(songToMidi(readSong(doc))).key, { tonic, mode });
    }
  }
});

test('importMidiSong rebuilds the song in one labelled, undoable edit', () => {
  const { song, ids } = bandSong();
  const doc = newDoc();
  initSong(doc);
  const undo = new Y.UndoManager(songScope(doc), { trackedOrigins: new Set([LOCAL_EDIT]) });
  let updates = 0;
  doc.on('update', () => updates++);
  const result = importMidiSong(doc, songToMidi(song), { fileName: 'night-drive.mid' });
  assert.equal(updates, 1);
  assert.equal(lastLabel(doc), 'imported MIDI "Night Drive" with 4 tracks');
  assert.deepEqual(result.warnings, []);
  const imported = readSong(doc);
  assert.equal(imported.meta.title, 'Night Drive');
  assert.equal(imported.meta.bpm, 96);
  assert.deepEqual(imported.meta.meter, { numerator: 3, denominator: 4 });
  assert.deepEqual(imported.meta.key, { tonic: 4, mode: 'minor' });
  assert.deepEqual(
    imported.tracks.map((t) => t.id),
    result.trackIds,
  );
  assert.deepEqual(
    imported.tracks.map((t) => [t.name, t.role]),
    [
      ['Kit', 'drums'],
      ['Bass', 'bass'],
      ['Rhodes', 'keys'],
      ['Lead', 'lead'],
    ],
  );
  assert.deepEqual(
    imported.clips.map((c) => c.id),
    result.clipIds,
  );
  assert.deepEqual(
    imported.clips.map((c) => [c.startBar, c.lengthBars]),
    [
      [0, 3],
      [0, 2],
      [0, 4],
      [0, 4],
    ],
  );
  const strip = (notes: NoteInput[]): NoteInput[] =>
    notes.map(({ pitch, tick, duration, velocity }) => ({ pitch, tick, duration, velocity }));
  assert.deepEqual(
    imported.clips.map((c) => strip(c.notes)),
    [ids.drums, ids.bass, ids.keys, ids.lead].map((id) => audibleNotes(song, id)),
  );
  assert.deepEqual(imported.clips[1]!.provenance, {
    source: 'import',
    detail: { format: 'midi', tracks: ['Bass'], fileName: 'night-drive.mid' },
  });
  undo.undo();
  assert.deepEqual(readSong(doc).tracks, []);
  assert.equal(readSong(doc).meta.title, 'Untitled');
});

test('importMidiSong leaves the document untouched when the file is malformed or too long for a song', () => {
  const { doc } = bandSong();
  const before = Y.encodeStateAsUpdate(doc);
  let updates = 0;
  doc.on('update', () => updates++);
  const valid = songToMidi(readSong(doc));
  const smpte = valid.slice();
  smpte[12] = 0xe7;
  const badPitch = valid.slice();
  badPitch[valid.indexOf(0x99) + 1] = 0x80; // the first drum note-on's pitch
  const malformed = [valid.slice(0, valid.length - 3), smpte, badPitch, new Uint8Array(0)];
  for (const bytes of malformed) assert.throws(() => importMidiSong(doc, bytes), MidiFormatError);
  // Valid MIDI, but the last note starts 5,000 bars in: more than a song holds.
  const tooLong = writeSmf({
    format: 1,
    ticksPerQuarter: 480,
    tracks: [
      {
        events: [
          { type: 'noteOn', tick: 0, channel: 0, pitch: 60, velocity: 100 },
          { type: 'noteOn', tick: 5000 * 1920, channel: 0, pitch: 62, velocity: 100 },
        ],
      },
    ],
  });
  assert.throws(() => importMidiSong(doc, tooLong), EditError);
  assert.equal(updates, 0);
  assert.deepEqual(Y.encodeStateAsUpdate(doc), before);
});

test('importMidiSong fits what the song cannot hold and says so', () => {
  const bytes = writeSmf({
    format: 1,
    ticksPerQuarter: 480,
    tracks: [
      {
        events: [
          { type: 'tempo', tick: 0, microsecondsPerQuarter: 6_000_000 }, // 10 BPM
          { type: 'timeSignature', tick: 0, numerator: 5, denominator: 32, clocksPerClick: 3, thirtySecondsPerQuarter: 8 },
          { type: 'programChange', tick: 0, channel: 0, program: 100 },
          { type: 'noteOn', tick: 0, channel: 0, pitch: 60, velocity: 1 },
          { type: 'noteOff', tick: 480 * 4 * 100, channel: 0, pitch: 60, velocity: 0 },
        ],
      },
    ],
  });
  const doc = newDoc();
  const result = importMidiSong(doc, bytes);
  assert.deepEqual(result.warnings, [
    "the file's meter 5/32 is not supported; 4/4 is used",
    "the file's tempo of 10 BPM is outside 20..400; 20 BPM is used",
  ]);
  const song = readSong(doc);
  assert.equal(song.meta.bpm, 20);
  assert.equal(song.meta.title, 'Untitled');
  assert.deepEqual(
    song.tracks.map((t) => [t.name, t.role]),
    [['Synth Effects', 'other']],
  );
  // A 100-bar note is shortened to the longest note a clip holds (64 bars of 4/4).
  assert.deepEqual(
    song.clips.map((c) => [c.lengthBars, c.notes[0]!.duration]),
    [[64, 480 * 4 * 64]],
  );
});

test('importMidiIntoTrack adds one clip with every note of the file at the given bar', () => {
  const { song } = bandSong();
  const doc = newDoc();
  initSong(doc, { meter: { numerator: 3, denominator: 4 } });
  const track = addTrack(doc, { role: 'keys' });
  let updates = 0;
  doc.on('update', () => updates++);
  const clipId = importMidiIntoTrack(doc, track, songToMidi(song), 8, { fileName: 'night-drive.mid' });
  assert.equal(updates, 1);
  const merged = song.tracks.flatMap((t) => audibleNotes(song, t.id)).sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
  assert.equal(lastLabel(doc), `imported ${merged.length} notes from MIDI`);
  const clip = readSong(doc).clips.find((c) => c.id === clipId)!;
  assert.equal(clip.trackId, track);
  assert.equal(clip.startBar, 8);
  assert.equal(clip.lengthBars, 4);
  assert.equal(clip.name, 'Night Drive');
  assert.deepEqual(clip.provenance, {
    source: 'import',
    detail: { format: 'midi', tracks: ['Kit', 'Bass', 'Rhodes', 'Lead'], fileName: 'night-drive.mid' },
  });
  assert.deepEqual(
    clip.notes.map(({ pitch, tick, duration, velocity }) => ({ pitch, tick, duration, velocity })),
    merged,
  );
});

test('importMidiIntoTrack of a file without notes adds an empty one-bar clip; a bad file changes nothing', () => {
  const doc = newDoc();
  initSong(doc);
  const track = addTrack(doc, { role: 'lead' });
  const clipId = importMidiIntoTrack(doc, track, midiFile(1, 480, END_OF_TRACK), 0, { name: 'Blank' });
  assert.deepEqual(
    readSong(doc).clips.map((c) => [c.id, c.name, c.lengthBars, c.notes.length]),
    [[clipId, 'Blank', 1, 0]],
  );
  const before = Y.encodeStateAsUpdate(doc);
  assert.throws(() => importMidiIntoTrack(doc, track, Uint8Array.of(1, 2, 3), 0), MidiFormatError);
  assert.throws(() => importMidiIntoTrack(doc, 'no-such-track', midiFile(1, 480, END_OF_TRACK), 0), EditError);
  assert.throws(() => importMidiIntoTrack(doc, track, midiFile(1, 480, END_OF_TRACK), 4096), EditError);
  assert.deepEqual(Y.encodeStateAsUpdate(doc), before);
});
