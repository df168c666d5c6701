/**
 * Song and clip export to Standard MIDI Files that DAWs open: format 1 at 480 ticks per quarter,
 * a conductor track first (title, tempo, meter, key, provenance, section markers, chord symbols),
 * then one track per Riffroom track. The loop range is not written: MIDI files have no standard
 * event for it. The provenance (who wrote each clip: core/provenance/) is a text event in plain
 * words and a sequencer-specific event with the JSON record (core/provenance/midi.ts).
 */
import { TICKS_PER_QUARTER, ticksPerBar, type Ticks } from '../time.ts';
import type { Chord, Clip, Key, Song, SongMeta, Track } from '../song/types.ts';
import { EditError } from '../song/validate.ts';
import { provenanceMidiEvents } from '../provenance/midi.ts';
import { provenanceRecord } from '../provenance/record.ts';
import { DRUM_CHANNEL, programForTrack } from './general-midi.ts';
import { writeSmf } from './smf-write.ts';
import type { MidiEvent, SmfTrack } from './smf-types.ts';

export function songToMidi(song: Song): Uint8Array {
  const barTicks = ticksPerBar(song.meta.meter);
  const endTick = songEndTick(song, barTicks);
  const conductor = conductorTrack(song.meta, endTick, [
    ...provenanceMidiEvents(provenanceRecord(song, { what: 'song' })),
    ...song.bookmarks.map((b): MidiEvent => ({ type: 'text', kind: 'marker', tick: b.bar * barTicks, text: b.name })),
    ...chordEvents(song.chords, 0, endTick),
  ]);
  const channels = assignChannels(song.tracks);
  const tracks = song.tracks.map((track, i) => {
    const notes = song.clips
      .filter((c) => c.trackId === track.id)
      .flatMap((c) => clipNoteEvents(c, barTicks, c.startBar * barTicks, channels[i]!));
    return instrumentTrack(track.name, track, channels[i]!, notes, endTick);
  });
  return writeSmf({ format: 1, ticksPerQuarter: TICKS_PER_QUARTER, tracks: [conductor, ...tracks] });
}

/** One clip as a file of its own: its notes start at tick 0, with the chords that sound under it. */
export function clipToMidi(song: Song, clipId: string): Uint8Array {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) throw new EditError(`no clip with id ${clipId}`);
  const track = song.tracks.find((t) => t.id === clip.trackId);
  if (!track) throw new EditError(`clip ${clipId} is on a track that does not exist`);
  const barTicks = ticksPerBar(song.meta.meter);
  const clipStart = clip.startBar * barTicks;
  const clipTicks = clip.lengthBars * barTicks;
  const provenance = provenanceRecord(song, {
    what: 'clip',
    clipId,
    range: { fromBar: clip.startBar, toBar: clip.startBar + clip.lengthBars },
  });
  const conductor = conductorTrack(song.meta, clipTicks, [
    ...provenanceMidiEvents(provenance),
    ...chordEvents(song.chords, clipStart, clipStart + clipTicks),
  ]);
  const channel = track.role === 'drums' ? DRUM_CHANNEL : 0;
  const notes = clipNoteEvents(clip, barTicks, 0, channel);
  const instrument = instrumentTrack(clip.name || track.name, track, channel, notes, clipTicks);
  return writeSmf({ format: 1, ticksPerQuarter: TICKS_PER_QUARTER, tracks: [conductor, instrument] });
}

function songEndTick(song: Song, barTicks: Ticks): Ticks {
  let end = 0;
  for (const c of song.clips) end = Math.max(end, (c.startBar + c.lengthBars) * barTicks);
  for (const c of song.chords) end = Math.max(end, c.tick + c.duration);
  for (const b of song.bookmarks) end = Math.max(end, b.bar * barTicks);
  return end;
}

function conductorTrack(meta: SongMeta, endTick: Ticks, timeline: MidiEvent[]): SmfTrack {
  const { numerator, denominator } = meta.meter;
  return {
    events: [
      { type: 'text', kind: 'trackName', tick: 0, text: meta.title },
      { type: 'tempo', tick: 0, microsecondsPerQuarter: Math.round(60_000_000 / meta.bpm) },
      // One metronome click per beat: 24 MIDI clocks are a quarter note.
      { type: 'timeSignature', tick: 0, numerator, denominator, clocksPerClick: 96 / denominator, thirtySecondsPerQuarter: 8 },
      { type: 'keySignature', tick: 0, ...keySignature(meta.key) },
      ...timeline,
      { type: 'endOfTrack', tick: endTick },
    ],
  };
}

/** Sharps (negative: flats) of a key, choosing the spelling with fewer accidentals (Db over C#). */
function keySignature(key: Key): { sharps: number; minor: boolean } {
  const minor = key.mode === 'minor';
  // A minor key shares its signature with the major key three semitones up.
  const majorTonic = minor ? (key.tonic + 3) % 12 : key.tonic;
  let best: number | null = null;
  for (let sharps = -7; sharps <= 7; sharps++) {
    const matches = (((sharps * 7) % 12) + 12) % 12 === majorTonic;
    if (matches && (best === null || Math.abs(sharps) < Math.abs(best))) best = sharps;
  }
  return { sharps: best ?? 0, minor };
}

/**
 * Chord symbols as text events (not markers): DAWs list markers as locators, and a chord every
 * bar would bury the song's section markers. Chords overlapping [from, to) are shifted by `from`.
 */
function chordEvents(chords: Chord[], from: Ticks, to: Ticks): MidiEvent[] {
  return chords
    .filter((c) => c.tick < to && c.tick + c.duration > from)
    .map((c) => ({ type: 'text', kind: 'text', tick: Math.max(0, c.tick - from), text: c.symbol }));
}

/** Drums on channel 10; the others on their own channels in track order, wrapping after 15. */
function assignChannels(tracks: Track[]): number[] {
  const melodic = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];
  let next = 0;
  return tracks.map((t) => (t.role === 'drums' ? DRUM_CHANNEL : melodic[next++ % melodic.length]!));
}

/** General MIDI volume curve: gain = (value / 127)^2, i.e. 40·log10(value / 127) dB; 127 is 0 dB. */
export function volumeToController(volumeDb: number): number {
  return Math.max(0, Math.min(127, Math.round(127 * 10 ** (volumeDb / 40))));
}

/** Pan -1..1 to controller 10: 0 hard left, 64 centre, 127 hard right. */
export function panToController(pan: number): number {
  return Math.max(0, Math.min(127, Math.round(64 + pan * (pan > 0 ? 63 : 64))));
}

function instrumentTrack(name: string, track: Track, channel: number, notes: MidiEvent[], endTick: Ticks): SmfTrack {
  return {
    events: [
      { type: 'text', kind: 'trackName', tick: 0, text: name },
      { type: 'programChange', tick: 0, channel, program: programForTrack(track) },
      { type: 'controlChange', tick: 0, channel, controller: 7, value: volumeToController(track.volumeDb) },
      { type: 'controlChange', tick: 0, channel, controller: 10, value: panToController(track.pan) },
      ...notes,
      { type: 'endOfTrack', tick: endTick },
    ],
  };
}

/**
 * Note-on/off events of a clip placed at `offset`. As in the app, notes starting at or after the
 * clip's end are hidden (not exported) and notes running past it are cut at the clip's end.
 */
function clipNoteEvents(clip: Clip, barTicks: Ticks, offset: Ticks, channel: number): MidiEvent[] {
  const clipTicks = clip.lengthBars * barTicks;
  const events: MidiEvent[] = [];
  for (const n of clip.notes) {
    if (n.tick >= clipTicks) continue;
    const end = Math.min(n.tick + n.duration, clipTicks);
    events.push(
      { type: 'noteOn', tick: offset + n.tick, channel, pitch: n.pitch, velocity: n.velocity },
      { type: 'noteOff', tick: offset + end, channel, pitch: n.pitch, velocity: 0 },
    );
  }
  return events;
}
