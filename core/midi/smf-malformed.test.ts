import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EVENTS, MAX_FILE_BYTES, MAX_TRACKS, MidiFormatError, readSmf, writeSmf, type MidiEvent } from './smf.ts';
import { readMidi } from './midi-read.ts';
import { END_OF_TRACK, FIRST_TRACK_BODY, ascii, chunk, header, midiFile, seededRandom, u32 } from './test-fixtures.ts';

/** Asserts that reading fails with a MidiFormatError (and nothing else) naming this offset. */
function assertMalformed(bytes: Uint8Array | number[], offset: number, message: RegExp): void {
  const input = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  assert.throws(
    () => readSmf(input),
    (error: unknown) => {
      assert.ok(error instanceof MidiFormatError, `expected a MidiFormatError, got ${String(error)}`);
      assert.match(error.message, message);
      assert.equal(error.offset, offset, error.message);
      assert.ok(error.message.endsWith(`(at byte ${offset})`), error.message);
      return true;
    },
  );
}

/** A one-track file whose track body is given; the body starts at FIRST_TRACK_BODY. */
function withTrack(body: number[]): Uint8Array {
  return midiFile(1, 480, body);
}

const BODY = FIRST_TRACK_BODY;

test('files that are not MIDI files', () => {
  assertMalformed([], 0, /not a MIDI file/);
  assertMalformed(ascii('RIFF\0\0\0\0RMIDdata'), 0, /not a MIDI file/);
  assertMalformed(ascii('{"tracks": []}'), 0, /not a MIDI file/);
});

test('a cut-off or inconsistent header', () => {
  assertMalformed(ascii('MTh'), 3, /header is cut off/);
  assertMalformed([...ascii('MThd'), 0, 0, 0, 6, 0, 1], 10, /header is cut off/);
  assertMalformed([...ascii('MThd'), ...u32(100), 0, 1, 0, 1, 1, 0xe0], 4, /header chunk length 100 runs past the end/);
  assertMalformed([...ascii('MThd'), ...u32(2), 0, 1, 0, 1, 1, 0xe0], 4, /at least 6/);
  assertMalformed(header(3, 1, 480), 8, /unknown MIDI file format 3/);
  assertMalformed([...header(1, 1, 0xe728), ...chunk('MTrk', END_OF_TRACK)], 12, /SMPTE time division .* not supported/);
  assertMalformed([...header(1, 1, 0), ...chunk('MTrk', END_OF_TRACK)], 12, /0 ticks per quarter/);
});

test('chunks that are cut off or run past the end of the file', () => {
  assertMalformed(
    [...header(1, 1, 480), ...ascii('MTrk'), ...u32(1000), ...END_OF_TRACK],
    18,
    /chunk length 1000 runs past the end of the file \(4 bytes left\)/,
  );
  assertMalformed([...header(1, 1, 480), ...ascii('MTr')], 14, /chunk header is cut off/);
  assertMalformed([...header(1, 2, 480), ...chunk('MTrk', END_OF_TRACK)], 26, /declares 2 tracks but ends after 1/);
  // An unknown chunk with a bad length is still caught.
  assertMalformed([...header(1, 1, 480), ...ascii('JUNK'), ...u32(0x7fffffff)], 18, /runs past the end/);
});

test('events that break the rules', () => {
  assertMalformed(
    withTrack([0xff, 0xff, 0xff, 0xff, 0x00, ...END_OF_TRACK]),
    BODY,
    /delta time is a variable-length quantity longer than 4 bytes/,
  );
  assertMalformed(withTrack([0x81]), BODY + 1, /delta time is cut off/);
  assertMalformed(withTrack([0x00, 0x3c, 0x64, ...END_OF_TRACK]), BODY + 1, /no running status/);
  assertMalformed(
    withTrack([0x00, 0x90, 0x3c, 0x80, ...END_OF_TRACK]),
    BODY + 3,
    /note-on velocity must be a data byte \(0..127\), got 128/,
  );
  assertMalformed(withTrack([0x00, 0xb0, 0xff, 0x00, ...END_OF_TRACK]), BODY + 2, /controller number must be a data byte/);
  assertMalformed(withTrack([0x00, 0xf8, ...END_OF_TRACK]), BODY + 1, /status byte 0xF8 .* not allowed/);
  assertMalformed(
    withTrack([0x00, 0xff, 0x51, 0x02, 0x07, 0xa1, ...END_OF_TRACK]),
    BODY + 1,
    /tempo meta event has 2 data bytes, 3 expected/,
  );
  assertMalformed(withTrack([0x00, 0xff, 0x51, 0x03, 0, 0, 0, ...END_OF_TRACK]), BODY + 1, /tempo of 0/);
  assertMalformed(withTrack([0x00, 0xff, 0x58, 0x02, 4, 2, ...END_OF_TRACK]), BODY + 1, /time signature meta event has 2 data bytes/);
  assertMalformed(withTrack([0x00, 0xff, 0x59, 0x01, 0, ...END_OF_TRACK]), BODY + 1, /key signature meta event has 1 data bytes/);
  assertMalformed(
    withTrack([0x00, 0xff, 0x03, 0x8f, 0xff, 0xff, 0xff, 0x7f]),
    BODY + 3,
    /meta event length is a variable-length quantity longer than 4 bytes/,
  );
});

test('a track that ends in the middle of an event', () => {
  assertMalformed(withTrack([0x00, 0x90, 0x3c]), BODY + 3, /note-on velocity is cut off/);
  assertMalformed(withTrack([0x00, 0xe0, 0x00]), BODY + 3, /pitch bend is cut off/);
  assertMalformed(withTrack([0x00, 0xff, 0x03, 0x10, 0x41]), BODY + 4, /meta event data is cut off: it needs 16 byte\(s\), 1 left/);
  assertMalformed(withTrack([0x00, 0xf0, 0x05, 0x7e, 0xf7]), BODY + 3, /sysex data is cut off/);
  assertMalformed(withTrack([0x00, 0xff]), BODY + 2, /meta event type is cut off/);
  // The next chunk's bytes are never read as part of this track.
  const cut = [...header(1, 2, 480), ...chunk('MTrk', [0x00, 0x90, 0x3c]), ...chunk('MTrk', END_OF_TRACK)];
  assertMalformed(cut, BODY + 3, /cut off/);
});

test('limits keep a hostile file from exhausting memory', () => {
  const huge = new Uint8Array(MAX_FILE_BYTES + 1);
  huge.set(ascii('MThd'));
  assertMalformed(huge, MAX_FILE_BYTES, /larger than the 64 MiB limit/);

  const tinyTrack = chunk('MTrk', END_OF_TRACK);
  const manyTracks = [...header(1, 0xffff, 480)];
  for (let i = 0; i <= MAX_TRACKS; i++) manyTracks.push(...tinyTrack);
  assertMalformed(manyTracks, 14 + MAX_TRACKS * tinyTrack.length, new RegExp(`more than ${MAX_TRACKS} tracks`));

  // MAX_EVENTS + 1 three-byte events (delta 0, running-status note-on): about 6 MB.
  const body = new Uint8Array(4 + (MAX_EVENTS + 1) * 3);
  body.set([0x00, 0x90, 0x3c, 0x64]);
  for (let i = 4; i < body.length; i += 3) body.set([0x00, 0x3c, 0x64], i);
  const file = new Uint8Array(BODY + body.length);
  file.set([...header(0, 1, 480), ...ascii('MTrk'), ...u32(body.length)]);
  file.set(body, BODY);
  assertMalformed(file, BODY + 4 + (MAX_EVENTS - 1) * 3 + 1, new RegExp(`more than ${MAX_EVENTS} events`));
});

/** A valid file with a bit of everything the reader handles, as the seed for mutations. */
function fuzzSeedFile(): Uint8Array {
  const conductor: MidiEvent[] = [
    { type: 'text', kind: 'trackName', tick: 0, text: 'Fuzz' },
    { type: 'tempo', tick: 0, microsecondsPerQuarter: 500000 },
    { type: 'timeSignature', tick: 0, numerator: 7, denominator: 8, clocksPerClick: 12, thirtySecondsPerQuarter: 8 },
    { type: 'keySignature', tick: 0, sharps: 2, minor: false },
    { type: 'text', kind: 'marker', tick: 1920, text: 'Chorus' },
    { type: 'tempo', tick: 3840, microsecondsPerQuarter: 400000 },
  ];
  const melody: MidiEvent[] = [
    { type: 'sysex', tick: 0, escape: false, data: Uint8Array.of(0x7e, 0x7f, 0x09, 0x01, 0xf7) },
    { type: 'programChange', tick: 0, channel: 2, program: 40 },
    { type: 'pitchBend', tick: 100, channel: 2, value: 1000 },
  ];
  for (let i = 0; i < 24; i++) {
    melody.push({ type: 'noteOn', tick: i * 240, channel: 2, pitch: 60 + (i % 12), velocity: 64 + i });
    melody.push({ type: 'noteOff', tick: i * 240 + 200, channel: 2, pitch: 60 + (i % 12), velocity: 0 });
  }
  const drums: MidiEvent[] = [];
  for (let i = 0; i < 16; i++) drums.push({ type: 'noteOn', tick: i * 120, channel: 9, pitch: 36 + (i % 3), velocity: 100 });
  return writeSmf({ format: 1, ticksPerQuarter: 96, tracks: [{ events: conductor }, { events: melody }, { events: drums }] });
}

const SPECIAL_BYTES = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xf0, 0xf7, 0xf8, 0xff];

function mutate(source: Uint8Array, random: () => number): Uint8Array {
  let bytes = [...source];
  const at = (): number => Math.floor(random() * (bytes.length + 1));
  const byte = (): number => (random() < 0.5 ? SPECIAL_BYTES[Math.floor(random() * SPECIAL_BYTES.length)]! : Math.floor(random() * 256));
  const steps = random() < 0.7 ? 1 : 2;
  for (let s = 0; s < steps; s++) {
    // Half of all mutations overwrite bytes in place, which keeps chunk lengths intact and so
    // reaches deeper into the event parser than the edits that shift everything after them.
    const kind = random() < 0.5 ? 0 : 1 + Math.floor(random() * 4);
    if (kind === 0) for (let i = 0; i < 1 + random() * 4; i++) bytes[Math.min(at(), bytes.length - 1)] = byte();
    else if (kind === 1) bytes = bytes.slice(0, at());
    else if (kind === 2) bytes.splice(at(), 0, ...Array.from({ length: 1 + Math.floor(random() * 6) }, byte));
    else if (kind === 3) bytes.splice(at(), 1 + Math.floor(random() * 16));
    else {
      const from = at();
      bytes.splice(at(), 0, ...bytes.slice(from, from + Math.floor(random() * 32)));
    }
  }
  return Uint8Array.from(bytes);
}

test('2,000 random mutations of a valid file either parse or throw MidiFormatError', () => {
  const seedFile = fuzzSeedFile();
  assert.equal(readMidi(seedFile).tracks.length, 2);
  const random = seededRandom(0x5eed);
  let parsed = 0;
  let rejected = 0;
  /** Distinct messages (numbers masked): shows the mutations reach many different checks. */
  const reasons = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const bytes = mutate(seedFile, random);
    try {
      const midi = readMidi(bytes);
      for (const t of midi.tracks) for (const n of t.notes) assert.ok(n.duration >= 1 && n.tick >= 0 && n.pitch <= 127);
      parsed++;
    } catch (error) {
      if (!(error instanceof MidiFormatError)) {
        assert.fail(`mutation ${i} threw ${String(error)} instead of a MidiFormatError: ${Buffer.from(bytes).toString('hex')}`);
      }
      assert.match(error.message, /\(at byte \d+\)$/);
      rejected++;
      reasons.add(error.message.replace(/\d+/g, 'N'));
    }
  }
  // Both outcomes happen, so the mutations explore the parser rather than only its first check.
  assert.ok(parsed > 50 && rejected > 500 && reasons.size > 20, `parsed ${parsed}, rejected ${rejected}, ${reasons.size} reasons`);
});
