/**
 * The metadata that fills itself in for a saved clip or an imported file: key (with confidence),
 * tempo and meter, each track's role, density and energy, and mood tags with the features behind
 * them. Plain JSON-safe data with a version, so a library entry can store it as it is and a later
 * version can tell old entries apart and recompute them.
 */
import type { ReadScore } from '../musicxml/read.ts';
import { chordPitchClasses, parseChordSymbol } from '../theory/chords.ts';
import type { ImportedMidi } from '../midi/midi-read.ts';
import type { Key, NoteInput, TrackRole } from '../song/types.ts';
import { ticksPerBeat, TICKS_PER_QUARTER, type Meter } from '../time.ts';
import { ENERGY_LABELS, energyLevel, type EnergyLabel, type EnergyPart } from './energy.ts';
import { beatPhaseOf, onsetTicks, partFeatures, syncopationOf, type PartFeatures } from './features.ts';
import { detectKey, keyName, type KeyConfidence, type SoundingChord } from './key.ts';
import { moodTags, type Mood } from './mood.ts';
import { detectTrackRole } from './track-role.ts';

export const METADATA_VERSION = 1;

export interface KeyMetadata {
  key: Key;
  /** "A minor". */
  name: string;
  correlation: number;
  /** Best minus runner-up correlation. */
  margin: number;
  confidence: KeyConfidence;
  runnerUp: { key: Key; name: string; correlation: number };
}

export interface EnergyMetadata {
  /** 0..4, the generator's scale (core/analysis/energy.ts). */
  level: number;
  label: EnergyLabel;
  because: string;
}

export interface TrackMetadata {
  name: string;
  role: TrackRole;
  /** Why the role: detected ("a single line low down…") or "set on the track". */
  roleBecause: string;
  energy: EnergyMetadata;
  features: PartFeatures;
}

export interface MusicMetadata {
  version: typeof METADATA_VERSION;
  /** Detected from the pitched notes; null when there are none (a drum groove). */
  key: KeyMetadata | null;
  /** The key the file or song states, when it states one (a MIDI key signature, the song's key). */
  statedKey: Key | null;
  bpm: number;
  meter: Meter;
  /** Where bpm and meter came from: the file's meta events (MIDI's 120 BPM 4/4 when it has none), or the song. */
  timeSource: 'file' | 'song';
  tracks: TrackMetadata[];
  /** Distinct onsets per second over all tracks together. */
  onsetsPerSecond: number;
  /** The busiest track's energy: a song is as lively as its liveliest part. */
  energy: EnergyMetadata;
  moods: Mood[];
}

export interface PartToAnalyse {
  name: string;
  notes: readonly NoteInput[];
  /** Known role (a clip on a track); detected from channel, program and notes when absent. */
  role?: TrackRole;
  channel?: number | null;
  program?: number | null;
}

export interface AnalysisContext {
  bpm: number;
  meter: Meter;
  timeSource: MusicMetadata['timeSource'];
  statedKey?: Key | null;
  /** Chord symbols over the parts (a lead sheet's, the song's chord track): they count towards the key. */
  chords?: readonly SoundingChord[];
  /**
   * Find where the beats fall from the notes (features.ts beatPhaseOf): for files, whose grid may
   * be offset from the beat. A song's own clips are on its grid: leave it out.
   */
  findBeatPhase?: boolean;
}

/** The energy thresholds of a track role ('other' parts, pads and effects, are measured like keys). */
function energyPart(role: TrackRole): EnergyPart {
  return role === 'other' ? 'keys' : role;
}

function energyOf(role: TrackRole, features: PartFeatures): EnergyMetadata {
  const level = energyLevel(energyPart(role), features.notesPerPlayingBar);
  return {
    level,
    label: ENERGY_LABELS[level]!,
    because: `${features.notesPerPlayingBar.toFixed(1)} notes a bar (of 4/4) where it plays, for a ${role} part`,
  };
}

export function analyseParts(parts: readonly PartToAnalyse[], context: AnalysisContext): MusicMetadata {
  const { meter, bpm } = context;
  const beat = ticksPerBeat(meter);
  const phase = context.findBeatPhase ? beatPhaseOf(onsetTicks(parts.flatMap((p) => p.notes).sort((a, b) => a.tick - b.tick)), beat) : 0;
  const tracks: TrackMetadata[] = [];
  const pitched: NoteInput[] = [];
  const all: NoteInput[] = [];
  for (const part of parts) {
    const features = partFeatures(part.notes as NoteInput[], meter, phase);
    if (!features) continue;
    const estimate = part.role
      ? { role: part.role, because: 'set on the track' }
      : detectTrackRole({ channel: part.channel ?? null, program: part.program ?? null, notes: part.notes }, meter);
    tracks.push({
      name: part.name,
      role: estimate.role,
      roleBecause: estimate.because,
      energy: energyOf(estimate.role, features),
      features,
    });
    all.push(...part.notes);
    // Drum notes are kit pieces, not pitches: they say nothing about key or register.
    if (estimate.role !== 'drums') pitched.push(...part.notes);
  }
  all.sort((a, b) => a.tick - b.tick);
  const estimate = detectKey(pitched, context.chords ?? []);
  const key: KeyMetadata | null = estimate && {
    key: estimate.key,
    name: keyName(estimate.key),
    correlation: estimate.correlation,
    margin: estimate.margin,
    confidence: estimate.confidence,
    runnerUp: { key: estimate.runnerUp.key, name: keyName(estimate.runnerUp.key), correlation: estimate.runnerUp.correlation },
  };
  const onsets = onsetTicks(all);
  const seconds = spanSeconds(all, bpm);
  const onsetsPerSecond = seconds > 0 ? onsets.length / seconds : 0;
  const pitchedFeatures = partFeatures(pitched, meter);
  const energy = tracks.reduce<EnergyMetadata | null>((best, t) => (best && best.level >= t.energy.level ? best : t.energy), null) ?? {
    level: 0,
    label: ENERGY_LABELS[0],
    because: 'no notes',
  };
  return {
    version: METADATA_VERSION,
    key,
    statedKey: context.statedKey ?? null,
    bpm,
    meter,
    timeSource: context.timeSource,
    tracks,
    onsetsPerSecond,
    energy,
    moods: moodTags({
      key: key?.key ?? null,
      medianPitch: pitchedFeatures?.medianPitch ?? null,
      onsetsPerSecond,
      syncopation: syncopationOf(onsets, beat, phase),
      meanBeats: pitchedFeatures?.meanBeats ?? null,
    }),
  };
}

/** Seconds from the first onset to the last note's end. */
function spanSeconds(sorted: readonly NoteInput[], bpm: number): number {
  if (sorted.length === 0) return 0;
  const end = Math.max(...sorted.map((n) => n.tick + n.duration));
  return ((end - sorted[0]!.tick) / TICKS_PER_QUARTER) * (60 / bpm);
}

/** Metadata of a MIDI file as read by core/midi/midi-read.ts: tempo and meter from its meta events. */
export function analyseMidi(midi: ImportedMidi): MusicMetadata {
  return analyseParts(
    midi.tracks.map((t) => ({ name: t.name, notes: t.notes, channel: t.channel, program: t.program })),
    { bpm: midi.bpm, meter: midi.meter, timeSource: 'file', statedKey: midi.key, findBeatPhase: true },
  );
}

/** Metadata of one clip saved from a song: its track's role, the song's tempo, meter and key, and the chords under it. */
export function analyseClip(
  clip: { name: string; notes: readonly NoteInput[] },
  song: { role: TrackRole; bpm: number; meter: Meter; key: Key | null; chords?: readonly SoundingChord[] },
): MusicMetadata {
  return analyseParts([{ name: clip.name, notes: clip.notes, role: song.role }], {
    bpm: song.bpm,
    meter: song.meter,
    timeSource: 'song',
    statedKey: song.key,
    chords: song.chords ?? [],
  });
}

/**
 * Metadata of a MusicXML score as core/musicxml/read.ts reads it: tempo, meter and key from the
 * score (120 BPM when it names no tempo), roles from each part's percussion flag, program and
 * notes, and its chord symbols counting towards the key, as a lead sheet's should.
 */
export function analyseScore(score: ReadScore): MusicMetadata {
  const chords: SoundingChord[] = [];
  for (const c of score.chords) {
    const parsed = parseChordSymbol(c.symbol);
    if (parsed) chords.push({ pitchClasses: chordPitchClasses(parsed), duration: c.duration });
  }
  return analyseParts(
    score.parts.map((p) => ({ name: p.name, notes: p.notes, channel: p.percussion ? 9 : null, program: p.program })),
    { bpm: score.bpm ?? 120, meter: score.meter, timeSource: 'file', statedKey: score.key, chords },
  );
}
