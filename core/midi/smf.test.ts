import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSmf, writeSmf, type MidiEvent, type SmfFile } from './smf.ts';
import { END_OF_TRACK, FIRST_TRACK_BODY, midiFile } from './test-fixtures.ts';
import { ByteReader, ByteWriter } from './bytes.ts';

test('variable-length quantities round-trip at every length boundary', () => {
  const values = [0, 1, 0x7f, 0x80, 0x2000, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0x0fffffff];
  const out = new ByteWriter();
  for (const v of values) out.vlq(v);
  const bytes = out.toBytes();
  // The spec's own examples: 0x80 is 81 00, 0x0FFFFFFF is FF FF FF 7F.
  assert.deepEqual([...bytes.slice(3, 5)], [0x81, 0x00]);
  assert.deepEqual([...bytes.slice(-4)], [0xff, 0xff, 0xff, 0x7f]);
  const reader = new ByteReader(bytes);
  assert.deepEqual(
    values.map(() => reader.vlq('value')),
    values,
  );
  assert.equal(reader.remaining, 0);
  assert.throws(() => out.vlq(0x10000000), RangeError);
});

test('reads a hand-built track that uses running status and note-on velocity 0 as note-off', () => {
  const bytes = midiFile(0, 96, [
    0x00,
    0x90,
    0x3c,
    0x64, // note on C4
    0x00,
    0x40,
    0x50, //       running status: note on E4
    0x60,
    0x3c,
    0x00, //       96 ticks later: running status note on C4 velocity 0 = note off
    0x00,
    0x40,
    0x00, //       note off E4
    0x00,
    0xb0,
    0x07,
    0x64, // controller 7 on channel 1
    0x10,
    0x20,
    0x30, //       running status: controller 32
    ...END_OF_TRACK,
  ]);
  const file = readSmf(bytes);
  assert.equal(file.format, 0);
  assert.equal(file.ticksPerQuarter, 96);
  assert.deepEqual(file.tracks[0]!.events, [
    { type: 'noteOn', tick: 0, channel: 0, pitch: 60, velocity: 100 },
    { type: 'noteOn', tick: 0, channel: 0, pitch: 64, velocity: 80 },
    { type: 'noteOff', tick: 96, channel: 0, pitch: 60, velocity: 0 },
    { type: 'noteOff', tick: 96, channel: 0, pitch: 64, velocity: 0 },
    { type: 'controlChange', tick: 96, channel: 0, controller: 7, value: 100 },
    { type: 'controlChange', tick: 112, channel: 0, controller: 32, value: 48 },
    { type: 'endOfTrack', tick: 112 },
  ]);
});

test('running status survives a meta event in between, as lenient readers do', () => {
  const bytes = midiFile(0, 480, [0x00, 0x91, 0x3c, 0x64, 0x00, 0xff, 0x06, 0x01, 0x41, 0x10, 0x3c, 0x00, ...END_OF_TRACK]);
  const events = readSmf(bytes).tracks[0]!.events;
  assert.deepEqual(events[2], { type: 'noteOff', tick: 16, channel: 1, pitch: 60, velocity: 0 });
});

const EVERY_KIND: MidiEvent[] = [
  { type: 'sequenceNumber', tick: 0, number: 7 },
  { type: 'text', kind: 'trackName', tick: 0, text: 'Guitar – Strophe ♪ 🎸' },
  { type: 'text', kind: 'copyright', tick: 0, text: '(c) 2024' },
  { type: 'text', kind: 'instrumentName', tick: 0, text: 'Strat' },
  { type: 'text', kind: 'text', tick: 0, text: 'Am7' },
  { type: 'text', kind: 'lyric', tick: 480, text: 'la' },
  { type: 'text', kind: 'marker', tick: 960, text: 'Chorus' },
  { type: 'text', kind: 'cuePoint', tick: 960, text: 'cue' },
  { type: 'tempo', tick: 0, microsecondsPerQuarter: 500000 },
  { type: 'timeSignature', tick: 0, numerator: 6, denominator: 8, clocksPerClick: 36, thirtySecondsPerQuarter: 8 },
  { type: 'keySignature', tick: 0, sharps: -3, minor: true },
  { type: 'meta', tick: 0, metaType: 0x21, data: Uint8Array.of(0) },
  { type: 'meta', tick: 0, metaType: 0x7f, data: Uint8Array.of(0x00, 0x00, 0x41, 1, 2) },
  { type: 'sysex', tick: 0, escape: false, data: Uint8Array.of(0x7e, 0x7f, 0x09, 0x01, 0xf7) },
  { type: 'sysex', tick: 10, escape: true, data: Uint8Array.of(0xf3, 0x01) },
  { type: 'programChange', tick: 0, channel: 3, program: 33 },
  { type: 'controlChange', tick: 0, channel: 3, controller: 10, value: 127 },
  { type: 'noteOn', tick: 0, channel: 3, pitch: 0, velocity: 1 },
  { type: 'polyAftertouch', tick: 100, channel: 3, pitch: 0, pressure: 90 },
  { type: 'channelPressure', tick: 200, channel: 3, pressure: 12 },
  { type: 'pitchBend', tick: 300, channel: 3, value: -8192 },
  { type: 'pitchBend', tick: 301, channel: 3, value: 8191 },
  { type: 'pitchBend', tick: 302, channel: 3, value: 0 },
  { type: 'noteOff', tick: 480, channel: 3, pitch: 0, velocity: 64 },
  { type: 'noteOn', tick: 480, channel: 15, pitch: 127, velocity: 127 },
  { type: 'noteOff', tick: 100000000, channel: 15, pitch: 127, velocity: 0 },
];

function byTickAndOrder(events: MidiEvent[]): MidiEvent[] {
  return [...events].sort((a, b) => a.tick - b.tick);
}

test('every event kind survives write then read', () => {
  const file: SmfFile = { format: 1, ticksPerQuarter: 480, tracks: [{ events: EVERY_KIND }, { events: [] }] };
  const back = readSmf(writeSmf(file));
  assert.equal(back.format, 1);
  assert.equal(back.ticksPerQuarter, 480);
  assert.equal(back.tracks.length, 2);
  const events = back.tracks[0]!.events;
  assert.deepEqual(events.at(-1), { type: 'endOfTrack', tick: 100000000 });
  // Same events, as a multiset: the writer reorders events that share a tick.
  const key = (e: MidiEvent): string =>
    JSON.stringify(
      Object.entries(e)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]),
    );
  assert.deepEqual(events.slice(0, -1).map(key).sort(), EVERY_KIND.map(key).sort());
  assert.deepEqual(back.tracks[1]!.events, [{ type: 'endOfTrack', tick: 0 }]);
  // Writing what was read gives the same bytes back.
  assert.deepEqual(writeSmf(back), writeSmf(file));
});

test('at one tick the writer puts meta events first and note-offs before note-ons', () => {
  const events: MidiEvent[] = [
    { type: 'noteOn', tick: 480, channel: 0, pitch: 60, velocity: 90 },
    { type: 'programChange', tick: 480, channel: 0, program: 5 },
    { type: 'noteOff', tick: 480, channel: 0, pitch: 60, velocity: 0 },
    { type: 'text', kind: 'marker', tick: 480, text: 'B' },
    { type: 'noteOn', tick: 0, channel: 0, pitch: 60, velocity: 80 },
    { type: 'tempo', tick: 0, microsecondsPerQuarter: 600000 },
    { type: 'endOfTrack', tick: 960 },
  ];
  const back = readSmf(writeSmf({ format: 0, ticksPerQuarter: 480, tracks: [{ events }] })).tracks[0]!.events;
  assert.deepEqual(
    back.map((e) => `${e.tick}:${e.type}`),
    ['0:tempo', '0:noteOn', '480:text', '480:noteOff', '480:programChange', '480:noteOn', '960:endOfTrack'],
  );
  // The order does not depend on the input order.
  const again = writeSmf({ format: 0, ticksPerQuarter: 480, tracks: [{ events: byTickAndOrder(events).reverse() }] });
  assert.deepEqual(
    readSmf(again).tracks[0]!.events.map((e) => `${e.tick}:${e.type}`),
    back.map((e) => `${e.tick}:${e.type}`),
  );
});

test('the writer uses running status and restates the status after a meta event', () => {
  const bytes = writeSmf({
    format: 0,
    ticksPerQuarter: 480,
    tracks: [
      {
        events: [
          { type: 'noteOn', tick: 0, channel: 0, pitch: 60, velocity: 100 },
          { type: 'noteOn', tick: 0, channel: 0, pitch: 64, velocity: 100 },
          { type: 'text', kind: 'marker', tick: 0, text: 'A' },
          { type: 'noteOn', tick: 0, channel: 0, pitch: 67, velocity: 100 },
        ],
      },
    ],
  });
  const body = [...bytes.slice(FIRST_TRACK_BODY)];
  assert.deepEqual(body, [
    0x00,
    0xff,
    0x06,
    0x01,
    0x41, // meta first
    0x00,
    0x90,
    0x3c,
    0x64,
    0x00,
    0x40,
    0x64,
    0x00,
    0x43,
    0x64,
    ...END_OF_TRACK,
  ]);
});

test('the writer refuses values a MIDI file cannot hold', () => {
  const write =
    (event: MidiEvent, format: 0 | 1 = 0) =>
    () =>
      writeSmf({ format, ticksPerQuarter: 480, tracks: [{ events: [event] }] });
  assert.throws(write({ type: 'noteOn', tick: 0, channel: 16, pitch: 60, velocity: 1 }), /channel/);
  assert.throws(write({ type: 'noteOn', tick: 0, channel: 0, pitch: 128, velocity: 1 }), /pitch/);
  assert.throws(write({ type: 'noteOn', tick: 0, channel: 0, pitch: 60, velocity: 0 }), /velocity/);
  assert.throws(write({ type: 'noteOn', tick: -1, channel: 0, pitch: 60, velocity: 1 }), /tick/);
  assert.throws(write({ type: 'noteOn', tick: 0.5, channel: 0, pitch: 60, velocity: 1 }), /tick/);
  assert.throws(write({ type: 'noteOn', tick: 0x10000000, channel: 0, pitch: 60, velocity: 1 }), /gap/);
  assert.throws(write({ type: 'pitchBend', tick: 0, channel: 0, value: 8192 }), /pitch bend/);
  assert.throws(write({ type: 'tempo', tick: 0, microsecondsPerQuarter: 0 }), /tempo/);
  assert.throws(
    write({ type: 'timeSignature', tick: 0, numerator: 3, denominator: 3, clocksPerClick: 24, thirtySecondsPerQuarter: 8 }),
    /power of two/,
  );
  assert.throws(() => writeSmf({ format: 0, ticksPerQuarter: 480, tracks: [] }), /format 0/);
  assert.throws(() => writeSmf({ format: 1, ticksPerQuarter: 0x8000, tracks: [] }), /ticks per quarter/);
});

test('unknown chunks are skipped and extra tracks beyond the declared count are read', () => {
  const track = [0x00, 0x90, 0x3c, 0x64, 0x60, 0x80, 0x3c, 0x00, ...END_OF_TRACK];
  const bytes = Uint8Array.from([
    ...[0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 8, 0, 1, 0, 1, 0x01, 0xe0, 0xaa, 0xbb], // header with 2 extra bytes
    ...[0x58, 0x46, 0x49, 0x68, 0, 0, 0, 3, 1, 2, 3], // "XFIh" chunk: skipped
    ...[0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, track.length, ...track],
    ...[0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, track.length, ...track], // not declared, still a whole track
    0,
    0,
    0, // trailing padding some writers leave
  ]);
  const file = readSmf(bytes);
  assert.equal(file.ticksPerQuarter, 480);
  assert.equal(file.tracks.length, 2);
  assert.equal(file.tracks[1]!.events.length, 3);
});

test('a track chunk that ends without End Of Track is accepted', () => {
  const file = readSmf(midiFile(1, 480, [0x00, 0x90, 0x3c, 0x64, 0x60, 0x80, 0x3c, 0x00]));
  assert.deepEqual(
    file.tracks[0]!.events.map((e) => e.type),
    ['noteOn', 'noteOff'],
  );
});

test('text that is not UTF-8 is read as Latin-1', () => {
  // "Café" in Latin-1 (0xE9 alone is not valid UTF-8), then "Café" in UTF-8.
  const file = readSmf(
    midiFile(
      1,
      480,
      [0x00, 0xff, 0x03, 0x04, 0x43, 0x61, 0x66, 0xe9, ...END_OF_TRACK],
      [0x00, 0xff, 0x03, 0x05, 0x43, 0x61, 0x66, 0xc3, 0xa9, ...END_OF_TRACK],
    ),
  );
  assert.deepEqual(
    file.tracks.map((t) => (t.events[0] as { text: string }).text),
    ['Café', 'Café'],
  );
});
