/**
 * POP909 reader: each song's MIDI (MELODY, BRIDGE, PIANO tracks) with its beat, chord and key
 * annotations becomes a Piece with lead (MELODY), keys (PIANO), a bass line derived from the
 * piano's lowest notes and the chord roots, and the chord track.
 *
 * POP909's MIDI has one tempo and notes aligned to its quarter notes, starting from the first
 * annotated beat (beat_midi.txt); downbeats are marked there too. Key annotations are on the
 * audio's timeline (key_audio.txt) and are moved onto the MIDI's by the offset between the two
 * first beats.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readMidi } from '../../../core/midi/midi-read.ts';
import type { NoteInput } from '../../../core/song/types.ts';
import type { ChordQuality } from '../../../core/theory/chords.ts';
import { chordPitchClasses, pitchClassOf } from '../../../core/theory/chords.ts';
import { TICKS_PER_QUARTER } from '../../../core/time.ts';
import type { Piece, PieceChord, PieceKey, SkippedFile } from '../piece.ts';
import { readColumns } from './text-files.ts';

const METER = { numerator: 4, denominator: 4 };
const BAR_TICKS = 4 * TICKS_PER_QUARTER;

/** Harte-style chord qualities in POP909's chord files → our qualities. */
const POP909_QUALITIES: Record<string, ChordQuality> = {
  maj: 'maj',
  min: 'min',
  dim: 'dim',
  aug: 'aug',
  sus2: 'sus2',
  sus4: 'sus4',
  '7': '7',
  maj7: 'maj7',
  min7: 'm7',
  dim7: 'dim7',
  hdim7: 'm7b5',
  minmaj7: 'mMaj7',
  maj6: '6',
  min6: 'm6',
  '9': '7',
  maj9: 'maj7',
  min9: 'm7',
  '11': '7',
  '13': '7',
  '5': 'maj',
  '1': 'maj',
};

/** Reads every song folder under `<pop909>/POP909/`; bad songs are reported, never fatal. */
export function readPop909(datasetDir: string): { pieces: Piece[]; skipped: SkippedFile[] } {
  const root = join(datasetDir, 'POP909');
  const pieces: Piece[] = [];
  const skipped: SkippedFile[] = [];
  if (!existsSync(root)) return { pieces, skipped };
  for (const id of readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort()) {
    const folder = join(root, id);
    try {
      pieces.push(readPop909Song(folder, id));
    } catch (error) {
      skipped.push({ file: join(folder, `${id}.mid`), reason: (error as Error).message });
    }
  }
  return { pieces, skipped };
}

export function readPop909Song(folder: string, id: string): Piece {
  const midi = readMidi(readFileSync(join(folder, `${id}.mid`)));
  const secondsToTicks = (s: number): number => (s * midi.bpm * TICKS_PER_QUARTER) / 60;
  const beats = readColumns(join(folder, 'beat_midi.txt')).map((row) => ({
    time: Number(row[0]),
    downbeat: row[2] === '1.0' || row[2] === '1',
  }));
  if (beats.length < 8 || beats.some((b) => !Number.isFinite(b.time))) throw new Error('beat_midi.txt is missing or malformed');

  // Bar 0 starts on the downbeat at or before the first beat: the most common phase of the
  // annotated downbeats (a pickup before it lands at the end of bar 0).
  const phaseVotes = [0, 0, 0, 0];
  beats.forEach((b, i) => {
    if (b.downbeat) phaseVotes[i % 4]!++;
  });
  const phase = phaseVotes.indexOf(Math.max(...phaseVotes));
  const firstBeatTick = Math.round(secondsToTicks(beats[0]!.time) / 10) * 10;
  const origin = firstBeatTick + (phase === 0 ? 0 : (phase - 4) * TICKS_PER_QUARTER);

  const shift = (notes: NoteInput[]): NoteInput[] => notes.map((n) => ({ ...n, tick: n.tick - origin })).filter((n) => n.tick >= 0);
  const track = (name: string): NoteInput[] => shift(midi.tracks.find((t) => t.name.toUpperCase() === name)?.notes ?? []);
  const melody = track('MELODY');
  const piano = track('PIANO');
  if (melody.length === 0 && piano.length === 0) throw new Error('no MELODY or PIANO notes');

  // Chords are annotated per beat: snap each change to the nearest beat of the MIDI's grid.
  const toBeat = (s: number): number => Math.round((secondsToTicks(s) - origin) / TICKS_PER_QUARTER) * TICKS_PER_QUARTER;
  const chords = readChords(join(folder, 'chord_midi.txt'), toBeat);
  const keys = readKeys(folder, (s) => Math.round(secondsToTicks(s)) - origin, beats[0]!.time);
  const bass = deriveBass(piano, chords);
  const lastTick = Math.max(0, ...[...melody, ...piano].map((n) => n.tick + n.duration));
  return {
    source: 'pop909',
    id: `pop909/${id}`,
    group: `pop909/${id}`,
    datasetSplit: null,
    style: 'pop',
    meter: METER,
    bpm: midi.bpm,
    keys,
    lengthBars: Math.ceil(lastTick / BAR_TICKS),
    tracks: [
      { role: 'lead', notes: melody },
      { role: 'keys', notes: piano },
      { role: 'bass', notes: bass },
    ],
    chords,
  };
}

/** Chord changes; POP909 repeats a chord per beat, so repeats are merged. */
function readChords(path: string, toTick: (seconds: number) => number): PieceChord[] {
  const chords: PieceChord[] = [];
  for (const [start, , label] of readColumns(path)) {
    const chord = parseHarteChord(label ?? '');
    const tick = Math.max(0, toTick(Number(start)));
    const last = chords.at(-1);
    if (last && last.root === chord.root && last.quality === chord.quality) continue;
    if (last && last.tick === tick) chords.pop();
    chords.push({ tick, ...chord });
  }
  return chords;
}

/** "B:maj7", "C:maj/3", "G:sus4(b7)", "N" → root and quality (unknown qualities read as maj). */
export function parseHarteChord(label: string): { root: number | null; quality: ChordQuality } {
  if (label === 'N' || label === '') return { root: null, quality: 'maj' };
  const [rootName, rest = 'maj'] = label.split(':');
  const root = pitchClassOf(rootName ?? '');
  if (root === null) return { root: null, quality: 'maj' };
  const quality = rest.split(/[/(]/)[0] ?? 'maj';
  return { root, quality: POP909_QUALITIES[quality] ?? 'maj' };
}

function readKeys(folder: string, toTick: (seconds: number) => number, firstMidiBeat: number): PieceKey[] {
  const path = join(folder, 'key_audio.txt');
  if (!existsSync(path)) return [];
  const audioBeats = existsSync(join(folder, 'beat_audio.txt')) ? readColumns(join(folder, 'beat_audio.txt')) : [];
  const audioToMidi = audioBeats.length > 0 ? firstMidiBeat - Number(audioBeats[0]![0]) : 0;
  const keys: PieceKey[] = [];
  for (const [start, , label] of readColumns(path)) {
    const [tonicName, mode] = (label ?? '').split(':');
    const tonic = pitchClassOf(tonicName ?? '');
    if (tonic === null || (mode !== 'maj' && mode !== 'min')) continue;
    const tick = keys.length === 0 ? 0 : Math.max(0, toTick(Number(start) + audioToMidi));
    keys.push({ tick, key: { tonic, mode: mode === 'maj' ? 'major' : 'minor' } });
  }
  return keys;
}

const BASS_LOW = 28;
const BASS_HIGH = 55;

/**
 * A bass line from the piano's left hand: at each onset of the piano's lowest note (below middle
 * C) the bass plays that note's pitch class when it is a tone of the current chord (roots, fifths,
 * inversions the pianist chose), else the chord's root, an octave below the piano, in E1..G3.
 * Each note lasts until the next onset, at most as long as the piano note and at least a 16th.
 */
export function deriveBass(piano: readonly NoteInput[], chords: readonly PieceChord[]): NoteInput[] {
  const lowestAt = new Map<number, NoteInput>();
  for (const note of piano) {
    if (note.pitch >= 60) continue;
    const step = Math.round(note.tick / 40) * 40;
    const seen = lowestAt.get(step);
    if (!seen || note.pitch < seen.pitch) lowestAt.set(step, note);
  }
  const onsets = [...lowestAt.entries()].sort((a, b) => a[0] - b[0]);
  const bass: NoteInput[] = [];
  let c = 0;
  for (let i = 0; i < onsets.length; i++) {
    const [tick, note] = onsets[i]!;
    while (c + 1 < chords.length && chords[c + 1]!.tick <= tick) c++;
    const chord = chords[c];
    if (!chord || chord.tick > tick || chord.root === null) continue;
    const tones = chordPitchClasses({ root: chord.root, quality: chord.quality });
    const pc = tones.has(note.pitch % 12) ? note.pitch % 12 : chord.root;
    const pitch = placeInRange(pc, note.pitch - 12);
    const next = onsets[i + 1]?.[0] ?? tick + note.duration;
    const duration = Math.max(120, Math.min(next - tick, Math.max(note.duration, 240)));
    bass.push({ pitch, tick, duration, velocity: note.velocity });
  }
  return bass;
}

function placeInRange(pc: number, near: number): number {
  let best = -1;
  for (let pitch = BASS_LOW; pitch <= BASS_HIGH; pitch++) {
    if (pitch % 12 === pc && (best < 0 || Math.abs(pitch - near) < Math.abs(best - near))) best = pitch;
  }
  return best;
}
