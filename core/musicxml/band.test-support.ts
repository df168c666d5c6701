/**
 * A small band arrangement for the MusicXML tests (core/musicxml/musicxml.test.ts and the
 * MuseScore check, tests/musicxml-musescore.test.ts): every notation case the writer handles, and
 * random arrangements to fuzz it with.
 */
import type * as Y from 'yjs';
import { addBookmark, addClip, addTrack, initSong, setChords } from '../song/edits.ts';
import { readSong } from '../song/schema.ts';
import type { NoteInput, Song } from '../song/types.ts';
import { newDoc } from '../song/label-recorder.test-support.ts';
import { seededRandom } from '../random.ts';

export const BAR = 4 * 480;

export function note(pitch: number, tick: number, duration: number, velocity = 90): NoteInput {
  return { pitch, tick, duration, velocity };
}

export interface Fixture {
  doc: Y.Doc;
  song: Song;
  ids: { drums: string; bass: string; keys: string; lead: string; leadClip: string };
}

/** A band in 4/4, Bb major, 100 BPM: chords, a tie across the bar line, triplets, drums, voices. */
export function band(): Fixture {
  const doc = newDoc();
  initSong(doc, { title: 'Teacher & Co', bpm: 100, meter: { numerator: 4, denominator: 4 }, key: { tonic: 10, mode: 'major' } });
  const drums = addTrack(doc, { role: 'drums', name: 'Kit' });
  const bass = addTrack(doc, { role: 'bass', name: 'Bass' });
  const keys = addTrack(doc, { role: 'keys', name: 'Piano' });
  const lead = addTrack(doc, { role: 'lead', name: 'Melody' });
  addClip(doc, {
    trackId: drums,
    startBar: 0,
    lengthBars: 2,
    notes: [note(36, 0, 60), note(42, 0, 60, 70), note(42, 240, 60, 70), note(38, 480, 60), note(42, 480, 60, 70), note(36, BAR, 60)],
  });
  addClip(doc, {
    trackId: bass,
    startBar: 0,
    lengthBars: 2,
    // The second note is tied across the bar line; the third starts off the beat (syncopation).
    notes: [note(34, 0, 960), note(41, 960 + 480, 960), note(39, BAR + 1440 + 240, 240)],
  });
  addClip(doc, {
    trackId: keys,
    startBar: 0,
    lengthBars: 2,
    // A chord held for a bar over a moving inner line: two voices.
    notes: [note(62, 0, BAR, 60), note(65, 0, BAR, 60), note(70, 0, 480), note(72, 480, 480), note(74, 960, 960)],
  });
  const leadClip = addClip(doc, {
    trackId: lead,
    startBar: 1,
    lengthBars: 1,
    // Eighth triplets on beat 1, then a quarter, then a half.
    notes: [note(70, 0, 160, 100), note(72, 160, 160, 80), note(74, 320, 160, 110), note(75, 480, 480), note(77, 960, 960)],
  });
  setChords(doc, 0, 2 * BAR, [
    { tick: 0, duration: BAR, symbol: 'Bb' },
    { tick: BAR, duration: 960, symbol: 'Eb9' },
    { tick: BAR + 960, duration: 960, symbol: 'F7/A' },
  ]);
  addBookmark(doc, 'Intro', 0);
  addBookmark(doc, 'Verse & Hook', 1);
  return { doc, song: readSong(doc), ids: { drums, bass, keys, lead, leadClip } };
}

export function notesOf(song: Song, trackId: string): NoteInput[] {
  const meterBar = 480 * song.meta.meter.numerator * (4 / song.meta.meter.denominator);
  return song.clips
    .filter((c) => c.trackId === trackId)
    .flatMap((c) =>
      c.notes.map((n) => ({ pitch: n.pitch, tick: n.tick + c.startBar * meterBar, duration: n.duration, velocity: n.velocity })),
    )
    .sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

/**
 * A random arrangement for fuzzing the notation: a meter from a varied list, a drum track and
 * pitched tracks with notes on straight, triplet and free positions, overlapping and repeated.
 */
export function randomSong(seed: number): Song {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const meter = pick([
    { numerator: 4, denominator: 4 },
    { numerator: 3, denominator: 4 },
    { numerator: 6, denominator: 8 },
    { numerator: 5, denominator: 4 },
    { numerator: 7, denominator: 8 },
    { numerator: 2, denominator: 2 },
  ]);
  const doc = newDoc();
  initSong(doc, {
    title: `Fuzz ${seed}`,
    bpm: 60 + Math.floor(random() * 120),
    meter,
    key: { tonic: Math.floor(random() * 12), mode: pick(['major', 'minor'] as const) },
  });
  const bar = (480 * 4 * meter.numerator) / meter.denominator;
  for (const role of ['drums', 'bass', 'keys', 'lead'] as const) {
    const track = addTrack(doc, { role, name: role });
    const bars = 1 + Math.floor(random() * 3);
    const notes: NoteInput[] = [];
    for (let i = 0; i < 4 + random() * 12; i++) {
      const grid = pick([120, 240, 160, 80, 1]);
      const tick = Math.min(bars * bar - 1, Math.floor((random() * bars * bar) / grid) * grid);
      const duration = Math.max(1, Math.floor((random() * 0.6 * bar) / grid) * grid);
      const pitch =
        role === 'drums'
          ? pick([36, 38, 42, 46, 49, 51])
          : role === 'bass'
            ? 28 + Math.floor(random() * 24)
            : 48 + Math.floor(random() * 36);
      notes.push({ pitch, tick, duration, velocity: 1 + Math.floor(random() * 127) });
    }
    addClip(doc, { trackId: track, startBar: Math.floor(random() * 2), lengthBars: bars, notes });
  }
  return readSong(doc);
}
