/**
 * The instruments Riffroom offers: each is a preset of the shipped sound bank (a subset of
 * MuseScore_General, see renderer/audio/bank/), named by the id a track stores in
 * `Track.instrument`. Pure data shared by the song (defaults per role), MIDI export (the GM
 * program), the bank's build step (which presets to keep) and the player (which preset to load).
 *
 * `program` is the General MIDI program (0-based) and `bank` the SoundFont bank (MSB) of the
 * preset in MuseScore_General; drum kits are on the SoundFont percussion bank (128), where
 * `program` picks the kit (GS kit numbers: 0 Standard, 8 Room, 16 Power, 24 Electronic...).
 */
import type { TrackRole } from './types.ts';

export type InstrumentFamily =
  | 'piano'
  | 'electric-piano'
  | 'organ'
  | 'mallets'
  | 'guitar'
  | 'bass'
  | 'strings'
  | 'voices'
  | 'pad'
  | 'lead'
  | 'brass'
  | 'reeds'
  | 'drums';

export interface InstrumentPreset {
  /** Stored in `Track.instrument`; stable: songs keep it forever. */
  id: string;
  /** What the track header's picker shows. */
  name: string;
  family: InstrumentFamily;
  /** SoundFont bank: 0 (melodic) or 128 (percussion kits). */
  bank: 0 | 128;
  program: number;
}

function melodic(id: string, name: string, family: InstrumentFamily, program: number): InstrumentPreset {
  return { id, name, family, bank: 0, program };
}

function kit(id: string, name: string, program: number): InstrumentPreset {
  return { id, name, family: 'drums', bank: 128, program };
}

export const INSTRUMENTS: readonly InstrumentPreset[] = [
  melodic('grand-piano', 'Grand piano', 'piano', 0),
  melodic('bright-piano', 'Bright piano', 'piano', 1),
  melodic('honky-tonk-piano', 'Honky-tonk piano', 'piano', 3),
  melodic('electric-piano', 'Electric piano (tine)', 'electric-piano', 4),
  melodic('fm-electric-piano', 'Electric piano (FM)', 'electric-piano', 5),
  melodic('harpsichord', 'Harpsichord', 'piano', 6),
  melodic('clavinet', 'Clavinet', 'electric-piano', 7),
  melodic('vibraphone', 'Vibraphone', 'mallets', 11),
  melodic('marimba', 'Marimba', 'mallets', 12),
  melodic('drawbar-organ', 'Drawbar organ', 'organ', 16),
  melodic('percussive-organ', 'Percussive organ', 'organ', 17),
  melodic('rock-organ', 'Rock organ', 'organ', 18),
  melodic('nylon-guitar', 'Nylon guitar', 'guitar', 24),
  melodic('steel-guitar', 'Steel-string guitar', 'guitar', 25),
  melodic('jazz-guitar', 'Jazz guitar', 'guitar', 26),
  melodic('clean-guitar', 'Clean electric guitar', 'guitar', 27),
  melodic('muted-guitar', 'Palm-muted guitar', 'guitar', 28),
  melodic('overdrive-guitar', 'Overdrive guitar', 'guitar', 29),
  melodic('distortion-guitar', 'Distortion guitar', 'guitar', 30),
  melodic('acoustic-bass', 'Acoustic bass', 'bass', 32),
  melodic('finger-bass', 'Finger bass', 'bass', 33),
  melodic('pick-bass', 'Picked bass', 'bass', 34),
  melodic('fretless-bass', 'Fretless bass', 'bass', 35),
  melodic('slap-bass', 'Slap bass', 'bass', 36),
  melodic('synth-bass', 'Synth bass', 'bass', 38),
  melodic('violin', 'Violin', 'strings', 40),
  melodic('cello', 'Cello', 'strings', 42),
  melodic('pizzicato-strings', 'Pizzicato strings', 'strings', 45),
  melodic('strings', 'String ensemble', 'strings', 48),
  melodic('slow-strings', 'Slow strings', 'strings', 49),
  melodic('synth-strings', 'Synth strings', 'strings', 50),
  melodic('choir', 'Choir', 'voices', 52),
  melodic('trumpet', 'Trumpet', 'brass', 56),
  melodic('trombone', 'Trombone', 'brass', 57),
  melodic('brass-section', 'Brass section', 'brass', 61),
  melodic('synth-brass', 'Synth brass', 'brass', 62),
  melodic('alto-sax', 'Alto sax', 'reeds', 65),
  melodic('tenor-sax', 'Tenor sax', 'reeds', 66),
  melodic('flute', 'Flute', 'reeds', 73),
  melodic('square-lead', 'Square lead', 'lead', 80),
  melodic('saw-lead', 'Saw lead', 'lead', 81),
  melodic('pad', 'Warm pad', 'pad', 89),
  melodic('polysynth-pad', 'Polysynth pad', 'pad', 90),
  melodic('halo-pad', 'Halo pad', 'pad', 94),
  melodic('sweep-pad', 'Sweep pad', 'pad', 95),
  kit('acoustic-kit', 'Standard kit', 0),
  kit('room-kit', 'Room kit', 8),
  kit('power-kit', 'Power kit', 16),
  kit('electronic-kit', 'Electronic kit', 24),
  kit('tr-808-kit', 'TR-808 kit', 25),
  kit('jazz-kit', 'Jazz kit', 32),
  kit('brush-kit', 'Brush kit', 40),
];

const BY_ID = new Map(INSTRUMENTS.map((preset) => [preset.id, preset]));

export function instrumentById(id: string): InstrumentPreset | undefined {
  return BY_ID.get(id);
}

/** The presets a track of this role may pick: kits for drums, every melodic preset otherwise. */
export function instrumentsForRole(role: TrackRole): InstrumentPreset[] {
  return INSTRUMENTS.filter((preset) => (role === 'drums') === (preset.bank === 128));
}

/** Each role's preset when a track names none the catalog knows (and for new tracks). */
export const DEFAULT_INSTRUMENT_ID: Record<TrackRole, string> = {
  drums: 'acoustic-kit',
  bass: 'finger-bass',
  keys: 'electric-piano',
  lead: 'saw-lead',
  other: 'pad',
};

/**
 * The preset a track plays. A catalog id is taken as is (a drum track only takes a kit, a pitched
 * track never does: drum keys are not notes). Older songs and imported files carry free text
 * ("rhodes", "Upright bass"): `programGuess` (core/midi/general-midi.ts programForTrack) maps it to
 * the catalog's preset of that GM program when there is one; otherwise the role's default.
 */
export function resolveInstrument(track: { role: TrackRole; instrument: string }, programGuess?: number): InstrumentPreset {
  const drums = track.role === 'drums';
  const named = BY_ID.get(track.instrument);
  if (named && (named.bank === 128) === drums) return named;
  if (!drums && programGuess !== undefined) {
    const byProgram = INSTRUMENTS.find((preset) => preset.bank === 0 && preset.program === programGuess);
    if (byProgram) return byProgram;
  }
  return BY_ID.get(DEFAULT_INSTRUMENT_ID[track.role])!;
}
