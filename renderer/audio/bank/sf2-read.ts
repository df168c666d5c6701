/**
 * Reads a SoundFont 2 / SF3 file into its hydra records (sf2-model.ts) and checks that every
 * index in it points somewhere real: bag ranges, generator / modulator ranges, the instrument and
 * sample a zone names, stereo partners, and each sample's extent in smpl. A file that fails any
 * check gets a SoundFontFormatError that says which record and why, never a half-read bank.
 */
import { SoundFontFormatError, readChunks, readList, readRiff, type Chunk } from './riff.ts';
import {
  GEN_INSTRUMENT,
  GEN_SAMPLE_ID,
  RECORD_SIZE,
  SAMPLE_ROM,
  SAMPLE_VORBIS,
  hasLink,
  type Bag,
  type Generator,
  type InfoChunk,
  type InstrumentHeader,
  type Modulator,
  type PresetHeader,
  type SampleHeader,
  type SoundFont,
} from './sf2-model.ts';

type RecordChunk = keyof typeof RECORD_SIZE;

/** A zero-terminated ASCII name in a fixed-size field. */
function readName(bytes: Uint8Array, at: number, length: number): string {
  let name = '';
  for (let i = 0; i < length; i++) {
    const code = bytes[at + i]!;
    if (code === 0) break;
    name += String.fromCharCode(code);
  }
  return name;
}

/** The records of one pdta chunk, terminal record included, each parsed by `parse`. */
function records<T>(chunks: Map<string, Chunk>, id: RecordChunk, parse: (view: DataView, at: number, bytes: Uint8Array) => T): T[] {
  const found = chunks.get(id);
  if (!found) throw new SoundFontFormatError(`pdta has no "${id}" chunk`);
  const size = RECORD_SIZE[id];
  const { body } = found;
  if (body.length % size !== 0) {
    throw new SoundFontFormatError(`"${id}" is ${body.length} bytes, not a whole number of ${size}-byte records`);
  }
  if (body.length === 0) throw new SoundFontFormatError(`"${id}" is empty: it needs at least its terminal record`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: T[] = [];
  for (let at = 0; at < body.length; at += size) out.push(parse(view, at, body));
  return out;
}

const parseBag = (view: DataView, at: number): Bag => ({
  generatorIndex: view.getUint16(at, true),
  modulatorIndex: view.getUint16(at + 2, true),
});

const parseModulator = (view: DataView, at: number): Modulator => ({
  source: view.getUint16(at, true),
  destination: view.getUint16(at + 2, true),
  amount: view.getInt16(at + 4, true),
  amountSource: view.getUint16(at + 6, true),
  transform: view.getUint16(at + 8, true),
});

const parseGenerator = (view: DataView, at: number): Generator => ({
  operator: view.getUint16(at, true),
  amount: view.getUint16(at + 2, true),
});

/**
 * Checks that headers' bag indices and bags' generator / modulator indices rise and stay in
 * range (the terminal record holds each list's end), then drops the terminal records.
 */
function checkRanges(what: string, starts: number[], count: number, listName: string): void {
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    if (start > count) throw new SoundFontFormatError(`${what} ${i}: ${listName} index ${start} is past the end (${count})`);
    if (i > 0 && start < starts[i - 1]!) {
      throw new SoundFontFormatError(`${what} ${i}: ${listName} index ${start} goes back (previous ${starts[i - 1]})`);
    }
  }
  if (starts[starts.length - 1] !== count) {
    throw new SoundFontFormatError(
      `${what} terminal record: ${listName} index ${starts[starts.length - 1]} should be ${count}, the end of the list`,
    );
  }
}

export function readSoundFont(file: Uint8Array): SoundFont {
  const top = readChunks(readRiff(file, 'sfbk').body, 12);
  const listOf = (type: string): Chunk[] => {
    const found = top.find((c) => c.id === 'LIST' && c.body.length >= 4 && String.fromCharCode(...c.body.subarray(0, 4)) === type);
    if (!found) throw new SoundFontFormatError(`no LIST "${type}" chunk`);
    return readList(found, type);
  };

  const info: InfoChunk[] = listOf('INFO').map((c) => ({ id: c.id, body: c.body }));
  const ifil = info.find((c) => c.id === 'ifil');
  if (ifil?.body.length !== 4) throw new SoundFontFormatError('INFO has no 4-byte "ifil" (version) chunk');
  const ifilView = new DataView(ifil.body.buffer, ifil.body.byteOffset, 4);
  const version = { major: ifilView.getUint16(0, true), minor: ifilView.getUint16(2, true) };
  if (version.major !== 2 && version.major !== 3)
    throw new SoundFontFormatError(`unsupported SoundFont version ${version.major}.${version.minor}`);

  const sdta = listOf('sdta');
  if (sdta.some((c) => c.id === 'sm24')) throw new SoundFontFormatError('24-bit samples (sm24) are not supported');
  const sampleData = sdta.find((c) => c.id === 'smpl')?.body ?? new Uint8Array(0);

  const pdta = new Map(listOf('pdta').map((c) => [c.id, c]));
  const presets = records(
    pdta,
    'phdr',
    (view, at, bytes): PresetHeader => ({
      name: readName(bytes, at, 20),
      program: view.getUint16(at + 20, true),
      bank: view.getUint16(at + 22, true),
      bagIndex: view.getUint16(at + 24, true),
      library: view.getUint32(at + 26, true),
      genre: view.getUint32(at + 30, true),
      morphology: view.getUint32(at + 34, true),
    }),
  );
  const presetBags = records(pdta, 'pbag', parseBag);
  const presetModulators = records(pdta, 'pmod', parseModulator);
  const presetGenerators = records(pdta, 'pgen', parseGenerator);
  const instruments = records(
    pdta,
    'inst',
    (view, at, bytes): InstrumentHeader => ({
      name: readName(bytes, at, 20),
      bagIndex: view.getUint16(at + 20, true),
    }),
  );
  const instrumentBags = records(pdta, 'ibag', parseBag);
  const instrumentModulators = records(pdta, 'imod', parseModulator);
  const instrumentGenerators = records(pdta, 'igen', parseGenerator);
  const samples = records(
    pdta,
    'shdr',
    (view, at, bytes): SampleHeader => ({
      name: readName(bytes, at, 20),
      start: view.getUint32(at + 20, true),
      end: view.getUint32(at + 24, true),
      loopStart: view.getUint32(at + 28, true),
      loopEnd: view.getUint32(at + 32, true),
      sampleRate: view.getUint32(at + 36, true),
      originalPitch: view.getUint8(at + 40),
      pitchCorrection: view.getInt8(at + 41),
      link: view.getUint16(at + 42, true),
      type: view.getUint16(at + 44, true),
    }),
  );

  // Terminal records: the last header / bag marks where the lists end.
  checkRanges(
    'preset',
    presets.map((p) => p.bagIndex),
    presetBags.length - 1,
    'bag',
  );
  checkRanges(
    'preset bag',
    presetBags.map((b) => b.generatorIndex),
    presetGenerators.length - 1,
    'generator',
  );
  checkRanges(
    'preset bag',
    presetBags.map((b) => b.modulatorIndex),
    presetModulators.length - 1,
    'modulator',
  );
  checkRanges(
    'instrument',
    instruments.map((p) => p.bagIndex),
    instrumentBags.length - 1,
    'bag',
  );
  checkRanges(
    'instrument bag',
    instrumentBags.map((b) => b.generatorIndex),
    instrumentGenerators.length - 1,
    'generator',
  );
  checkRanges(
    'instrument bag',
    instrumentBags.map((b) => b.modulatorIndex),
    instrumentModulators.length - 1,
    'modulator',
  );
  for (const list of [
    presets,
    presetBags,
    presetModulators,
    presetGenerators,
    instruments,
    instrumentBags,
    instrumentModulators,
    instrumentGenerators,
    samples,
  ]) {
    list.pop();
  }

  presetGenerators.forEach((gen, i) => {
    if (gen.operator === GEN_INSTRUMENT && gen.amount >= instruments.length) {
      throw new SoundFontFormatError(`preset generator ${i}: instrument ${gen.amount} does not exist (${instruments.length} instruments)`);
    }
  });
  instrumentGenerators.forEach((gen, i) => {
    if (gen.operator === GEN_SAMPLE_ID && gen.amount >= samples.length) {
      throw new SoundFontFormatError(`instrument generator ${i}: sample ${gen.amount} does not exist (${samples.length} samples)`);
    }
  });
  samples.forEach((sample, i) => {
    const where = `sample ${i} "${sample.name}"`;
    if (sample.type & SAMPLE_ROM) throw new SoundFontFormatError(`${where}: ROM samples are not supported`);
    if (hasLink(sample.type) && sample.link >= samples.length) {
      throw new SoundFontFormatError(`${where}: linked sample ${sample.link} does not exist (${samples.length} samples)`);
    }
    const unit = sample.type & SAMPLE_VORBIS ? 1 : 2;
    if (sample.start > sample.end || sample.end * unit > sampleData.length) {
      throw new SoundFontFormatError(
        `${where}: extent ${sample.start}..${sample.end} lies outside smpl (${sampleData.length / unit} ${unit === 1 ? 'bytes' : 'points'})`,
      );
    }
  });

  return {
    version,
    info,
    sampleData,
    presets,
    presetBags,
    presetModulators,
    presetGenerators,
    instruments,
    instrumentBags,
    instrumentModulators,
    instrumentGenerators,
    samples,
  };
}
