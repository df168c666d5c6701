/**
 * Test support: a small band in a real document (core edits, as the app makes them): drums, bass
 * and keys with a 4-bar clip each, a lead track without clips, Am7 | D7 | Gmaj7 | Cmaj7 on the
 * chord track, in E minor at 100 BPM.
 */
import type * as Y from 'yjs';
import { addClip, addTrack, initSong, setChords } from '../../core/song/edits.ts';
import { newDoc } from '../../core/song/label-recorder.test-support.ts';
import type { NoteInput } from '../../core/song/types.ts';

export interface Band {
  doc: Y.Doc;
  drums: string;
  bass: string;
  keys: string;
  lead: string;
  drumClip: string;
  bassClip: string;
  keysClip: string;
}

const BAR = 1920;

/** One note per beat for `bars` bars, cycling through `pitches`. */
export function beatNotes(bars: number, pitches: number[], duration = 240): NoteInput[] {
  return Array.from({ length: bars * 4 }, (_, i) => ({
    pitch: pitches[i % pitches.length]!,
    tick: i * 480,
    duration,
    velocity: 90 + (i % 3) * 10,
  }));
}

export function band(): Band {
  const doc = newDoc();
  initSong(doc, { title: 'Fixture', bpm: 100, key: { tonic: 4, mode: 'minor' } });
  const drums = addTrack(doc, { role: 'drums' });
  const bass = addTrack(doc, { role: 'bass' });
  const keys = addTrack(doc, { role: 'keys' });
  const lead = addTrack(doc, { role: 'lead' });
  const drumClip = addClip(doc, { trackId: drums, startBar: 0, lengthBars: 4, notes: beatNotes(4, [36, 42, 38, 42], 40) });
  const bassClip = addClip(doc, { trackId: bass, startBar: 0, lengthBars: 4, notes: beatNotes(4, [45, 45, 52, 50]) });
  const keysClip = addClip(doc, { trackId: keys, startBar: 0, lengthBars: 4, notes: beatNotes(4, [60, 64, 67, 71], 480) });
  setChords(doc, 0, 4 * BAR, [
    { tick: 0, duration: BAR, symbol: 'Am7' },
    { tick: BAR, duration: BAR, symbol: 'D7' },
    { tick: 2 * BAR, duration: BAR, symbol: 'Gmaj7' },
    { tick: 3 * BAR, duration: BAR, symbol: 'Cmaj7' },
  ]);
  return { doc, drums, bass, keys, lead, drumClip, bassClip, keysClip };
}
