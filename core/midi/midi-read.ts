/**
 * Reads a MIDI file into what Riffroom can hold: one tempo, one meter, one key, and per track a
 * list of notes (paired from note-on/off events) at Riffroom's resolution of 480 ticks per quarter.
 * What the song model cannot represent (tempo or meter changes, controllers) is left out and
 * reported in `warnings`, never dropped without a word.
 */
import { TICKS_PER_QUARTER, type Meter, type Ticks } from '../time.ts';
import type { Key, NoteInput } from '../song/types.ts';
import { DRUM_CHANNEL, defaultTrackName } from './general-midi.ts';
import { readSmf } from './smf-read.ts';
import type { KeySignatureEvent, MidiEvent, SmfFile, SmfTrack, TempoEvent, TimeSignatureEvent } from './smf-types.ts';

export interface ImportedTrack {
  name: string;
  /** 0..15, the channel most of the track's notes are on (9 is General MIDI drums, "channel 10"). */
  channel: number;
  /** General MIDI program (0..127) of that channel, or null when the file sets none. */
  program: number | null;
  isDrums: boolean;
  /** Absolute ticks at 480 per quarter from the start of the file, sorted by tick then pitch. */
  notes: NoteInput[];
}

export interface ImportedMidi {
  bpm: number;
  meter: Meter;
  /** From the file's key signature; null when it has none. */
  key: Key | null;
  /** The name of the file's first track (the conventional place for a song title); '' when none. */
  title: string;
  /** Tracks that hold at least one note, in file order (format 0 files are split by channel). */
  tracks: ImportedTrack[];
  /** Length of the whole file (its longest track, or last note end) in ticks at 480 per quarter. */
  lengthTicks: Ticks;
  /** What the file holds that Riffroom leaves out, in words for the user. */
  warnings: string[];
}

export const DEFAULT_BPM = 120;
export const DEFAULT_METER: Meter = { numerator: 4, denominator: 4 };

/** Parses the file and throws MidiFormatError when it is malformed. */
export function readMidi(bytes: Uint8Array): ImportedMidi {
  const file = readSmf(bytes);
  const scale = (tick: number): Ticks => Math.round((tick * TICKS_PER_QUARTER) / file.ticksPerQuarter);
  const warnings: string[] = [];
  const tracks: ImportedTrack[] = [];
  let lengthTicks = 0;
  for (const track of file.tracks) {
    const voices = pairNotes(track);
    lengthTicks = Math.max(lengthTicks, scale(voices.endTick));
    const groups = file.format === 0 ? splitByChannel(voices.notes) : [voices.notes];
    for (const notes of groups) {
      if (notes.length === 0) continue;
      const channel = mostUsedChannel(notes);
      const program = voices.programs.get(channel) ?? null;
      const fileName = groups.length === 1 ? voices.name : null;
      const converted = notes
        .map((n) => {
          const tick = scale(n.on);
          // A zero-length note (on and off at the same tick, or rounded together) still sounds.
          return { pitch: n.pitch, tick, duration: Math.max(1, scale(n.off) - tick), velocity: n.velocity };
        })
        .sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
      for (const n of converted) lengthTicks = Math.max(lengthTicks, n.tick + n.duration);
      tracks.push({
        name: fileName || defaultTrackName(program, channel),
        channel,
        program,
        isDrums: channel === DRUM_CHANNEL,
        notes: converted,
      });
    }
  }
  return {
    bpm: readTempo(file, warnings),
    meter: readMeter(file, warnings),
    key: readKey(file, warnings),
    title: file.tracks[0] ? trackName(file.tracks[0]) : '',
    tracks,
    lengthTicks,
    warnings,
  };
}

interface PairedNote {
  channel: number;
  pitch: number;
  velocity: number;
  /** In the file's own ticks. */
  on: number;
  off: number;
}

interface TrackVoices {
  name: string;
  notes: PairedNote[];
  /** First program change per channel. */
  programs: Map<number, number>;
  /** Tick of the track's last event (its End Of Track when present). */
  endTick: number;
}

function trackName(track: SmfTrack): string {
  for (const e of track.events) if (e.type === 'text' && e.kind === 'trackName') return e.text.trim();
  return '';
}

/**
 * Pairs note-ons with note-offs per channel and pitch, first in first out, so overlapping
 * re-strikes of one pitch keep their order. Notes never released end where the track ends;
 * stray note-offs are ignored.
 */
function pairNotes(track: SmfTrack): TrackVoices {
  const open = new Map<number, PairedNote[]>();
  const notes: PairedNote[] = [];
  const programs = new Map<number, number>();
  let endTick = 0;
  for (const e of track.events) {
    endTick = Math.max(endTick, e.tick);
    if (e.type === 'noteOn') {
      const note = { channel: e.channel, pitch: e.pitch, velocity: e.velocity, on: e.tick, off: -1 };
      notes.push(note);
      const key = e.channel * 128 + e.pitch;
      const queue = open.get(key);
      if (queue) queue.push(note);
      else open.set(key, [note]);
    } else if (e.type === 'noteOff') {
      const note = open.get(e.channel * 128 + e.pitch)?.shift();
      if (note) note.off = e.tick;
    } else if (e.type === 'programChange' && !programs.has(e.channel)) {
      programs.set(e.channel, e.program);
    }
  }
  for (const n of notes) if (n.off < 0) n.off = endTick;
  return { name: trackName(track), notes, programs, endTick };
}

function splitByChannel(notes: PairedNote[]): PairedNote[][] {
  const byChannel = new Map<number, PairedNote[]>();
  for (const n of notes) {
    const list = byChannel.get(n.channel);
    if (list) list.push(n);
    else byChannel.set(n.channel, [n]);
  }
  return [...byChannel.keys()].sort((a, b) => a - b).map((c) => byChannel.get(c)!);
}

function mostUsedChannel(notes: PairedNote[]): number {
  const counts = new Array<number>(16).fill(0);
  for (const n of notes) counts[n.channel]!++;
  return counts.indexOf(Math.max(...counts));
}

/** Events of one type from all tracks, earliest first (file order among equal ticks). */
function eventsOfType<T extends MidiEvent>(file: SmfFile, type: T['type']): T[] {
  return file.tracks.flatMap((t) => t.events.filter((e): e is T => e.type === type)).sort((a, b) => a.tick - b.tick);
}

function warnAboutChanges<T extends MidiEvent>(events: T[], same: (a: T, b: T) => boolean, what: string, warnings: string[]): void {
  const changes = events.filter((e, i) => i > 0 && !same(e, events[i - 1]!)).length;
  if (changes > 0) warnings.push(`the file has ${changes} ${what} change(s); only the first ${what} is used`);
}

function readTempo(file: SmfFile, warnings: string[]): number {
  const tempos = eventsOfType<TempoEvent>(file, 'tempo');
  warnAboutChanges(tempos, (a, b) => a.microsecondsPerQuarter === b.microsecondsPerQuarter, 'tempo', warnings);
  if (!tempos[0]) return DEFAULT_BPM;
  // Hundredths of a BPM: enough to give back what we wrote, without float noise like 90.00009.
  return Math.round(6_000_000_000 / tempos[0].microsecondsPerQuarter) / 100;
}

function readMeter(file: SmfFile, warnings: string[]): Meter {
  const signatures = eventsOfType<TimeSignatureEvent>(file, 'timeSignature');
  warnAboutChanges(signatures, (a, b) => a.numerator === b.numerator && a.denominator === b.denominator, 'time signature', warnings);
  const first = signatures[0];
  return first ? { numerator: first.numerator, denominator: first.denominator } : { ...DEFAULT_METER };
}

/** Tonic pitch class of the major key with this many sharps (negative: flats), around the circle of fifths. */
function majorTonic(sharps: number): number {
  return (((sharps * 7) % 12) + 12) % 12;
}

function readKey(file: SmfFile, warnings: string[]): Key | null {
  const signatures = eventsOfType<KeySignatureEvent>(file, 'keySignature');
  warnAboutChanges(signatures, (a, b) => a.sharps === b.sharps && a.minor === b.minor, 'key signature', warnings);
  const first = signatures[0];
  if (!first) return null;
  if (first.sharps < -7 || first.sharps > 7) {
    warnings.push(`the key signature has ${first.sharps} sharps (-7..7 expected); it is ignored`);
    return null;
  }
  const major = majorTonic(first.sharps);
  // The relative minor sits a minor third (3 semitones) below its major.
  return first.minor ? { tonic: (major + 9) % 12, mode: 'minor' } : { tonic: major, mode: 'major' };
}
