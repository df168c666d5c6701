/**
 * A SoundFont 2 file (SF2, or MuseScore's SF3: the same layout with Ogg Vorbis samples) as the
 * records of its "hydra" (SoundFont 2.04 specification, section 7), one array per pdta chunk.
 * The arrays hold the real records only: each chunk's terminal record (EOP, EOI, EOS, and the
 * last bag / modulator / generator) is implied by the arrays' lengths, so the reader checks it
 * and the writer makes it, and nothing in between has to keep it in step.
 *
 * Indices are as in the file: preset i owns presetBags[presets[i].bagIndex ..
 * presets[i+1].bagIndex) (the last one up to presetBags.length), bag j owns
 * presetGenerators[bags[j].generatorIndex .. next) and presetModulators likewise; instruments
 * the same with the instrument* arrays.
 */

export interface InfoChunk {
  /** e.g. "ifil", "INAM", "ICOP". */
  id: string;
  body: Uint8Array;
}

export interface PresetHeader {
  name: string;
  /** The MIDI program. */
  program: number;
  /** The MIDI bank; 128 is the percussion bank. */
  bank: number;
  bagIndex: number;
  library: number;
  genre: number;
  morphology: number;
}

export interface InstrumentHeader {
  name: string;
  bagIndex: number;
}

export interface Bag {
  generatorIndex: number;
  modulatorIndex: number;
}

/** sfModList: the five 16-bit fields, kept raw (modulator links index within their own zone). */
export interface Modulator {
  source: number;
  destination: number;
  amount: number;
  amountSource: number;
  transform: number;
}

/** sfGenList / sfInstGenList: the operator and its amount as the raw 16 bits. */
export interface Generator {
  operator: number;
  amount: number;
}

export interface SampleHeader {
  name: string;
  /**
   * Where the sample lies in smpl: in sample points (16-bit words) for a plain sample; in BYTES
   * of its Ogg Vorbis stream for a compressed one (type bit 0x10, MuseScore's SF3).
   */
  start: number;
  end: number;
  /** Loop points: absolute sample points for a plain sample; relative to the sample's first
   * decoded point for a compressed one (so they survive moving its bytes untouched). */
  loopStart: number;
  loopEnd: number;
  sampleRate: number;
  originalPitch: number;
  pitchCorrection: number;
  /** The index of the other half of a stereo pair (or the next of a linked chain). */
  link: number;
  type: number;
}

export interface SoundFont {
  /** ifil: the SoundFont version the file claims (2.x for SF2, 3.x for SF3). */
  version: { major: number; minor: number };
  /** Every INFO sub-chunk in file order, ifil included. */
  info: InfoChunk[];
  /** The smpl chunk's body. */
  sampleData: Uint8Array;
  presets: PresetHeader[];
  presetBags: Bag[];
  presetModulators: Modulator[];
  presetGenerators: Generator[];
  instruments: InstrumentHeader[];
  instrumentBags: Bag[];
  instrumentModulators: Modulator[];
  instrumentGenerators: Generator[];
  samples: SampleHeader[];
}

/** Generator operators that hold an index into another hydra array. */
export const GEN_INSTRUMENT = 41;
export const GEN_SAMPLE_ID = 53;

/** sfSampleType bits. */
export const SAMPLE_MONO = 1;
export const SAMPLE_RIGHT = 2;
export const SAMPLE_LEFT = 4;
export const SAMPLE_LINKED = 8;
/** MuseScore's SF3: the sample is an Ogg Vorbis stream; start/end are byte offsets. */
export const SAMPLE_VORBIS = 0x10;
export const SAMPLE_ROM = 0x8000;

/** Stereo or linked: wSampleLink names another sample that must come along. */
export function hasLink(type: number): boolean {
  return (type & (SAMPLE_RIGHT | SAMPLE_LEFT | SAMPLE_LINKED)) !== 0;
}

/** Fixed record sizes of the pdta chunks, in bytes. */
export const RECORD_SIZE = {
  phdr: 38,
  pbag: 4,
  pmod: 10,
  pgen: 4,
  inst: 22,
  ibag: 4,
  imod: 10,
  igen: 4,
  shdr: 46,
} as const;

/** Zero sample points the spec asks after each plain sample in smpl (interpolators read past the end). */
export const SAMPLE_PADDING_POINTS = 46;
