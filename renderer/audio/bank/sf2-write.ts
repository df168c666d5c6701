/**
 * Writes a SoundFont (sf2-model.ts) back to bytes: RIFF "sfbk" with LIST INFO, LIST sdta (smpl)
 * and LIST pdta (the nine hydra chunks, each ending with the terminal record the spec asks for).
 * The output depends only on the records given (no dates, no map order), so the same font always
 * gives the same bytes.
 */
import { asciiBytes, chunk, list } from './riff.ts';
import { RECORD_SIZE, type Bag, type Generator, type InfoChunk, type Modulator, type SoundFont } from './sf2-model.ts';

/** An INFO text chunk: ASCII, zero-terminated, padded with zeros to an even length (spec 5.1). */
export function infoText(id: string, text: string): InfoChunk {
  const bytes = asciiBytes(text);
  const body = new Uint8Array(bytes.length + (bytes.length % 2 === 0 ? 2 : 1));
  body.set(bytes);
  return { id, body };
}

/** The 4-byte ifil body. */
export function infoVersion(major: number, minor: number): InfoChunk {
  const body = new Uint8Array(4);
  const view = new DataView(body.buffer);
  view.setUint16(0, major, true);
  view.setUint16(2, minor, true);
  return { id: 'ifil', body };
}

/** Fixed-size records: `count` of `size` bytes, each filled by `fill`. */
function table(size: number, count: number, fill: (view: DataView, at: number, bytes: Uint8Array, i: number) => void): Uint8Array {
  const bytes = new Uint8Array(size * count);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) fill(view, i * size, bytes, i);
  return bytes;
}

function writeName(bytes: Uint8Array, at: number, name: string): void {
  if (name.length > 20) throw new RangeError(`a SoundFont name has at most 20 characters: "${name}"`);
  bytes.set(asciiBytes(name), at); // the rest of the 20 bytes stays zero
}

/** U16 fields hold every index: a font past 65,535 records cannot be written. */
function u16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${what} ${value} does not fit 16 bits`);
  return value;
}

function bags(bagList: Bag[], generators: number, modulators: number): Uint8Array {
  const all = [...bagList, { generatorIndex: generators, modulatorIndex: modulators }];
  return table(RECORD_SIZE.pbag, all.length, (view, at, _bytes, i) => {
    view.setUint16(at, u16(all[i]!.generatorIndex, 'generator index'), true);
    view.setUint16(at + 2, u16(all[i]!.modulatorIndex, 'modulator index'), true);
  });
}

function modulators(mods: Modulator[]): Uint8Array {
  // The terminal record is ten zero bytes.
  return table(RECORD_SIZE.pmod, mods.length + 1, (view, at, _bytes, i) => {
    const mod = mods[i];
    if (!mod) return;
    view.setUint16(at, mod.source, true);
    view.setUint16(at + 2, mod.destination, true);
    view.setInt16(at + 4, mod.amount, true);
    view.setUint16(at + 6, mod.amountSource, true);
    view.setUint16(at + 8, mod.transform, true);
  });
}

function generators(gens: Generator[]): Uint8Array {
  return table(RECORD_SIZE.pgen, gens.length + 1, (view, at, _bytes, i) => {
    const gen = gens[i];
    if (!gen) return;
    view.setUint16(at, gen.operator, true);
    view.setUint16(at + 2, gen.amount, true);
  });
}

export function writeSoundFont(font: SoundFont): Uint8Array {
  const { presets, instruments, samples } = font;
  const phdr = table(RECORD_SIZE.phdr, presets.length + 1, (view, at, bytes, i) => {
    const preset = presets[i];
    if (!preset) {
      writeName(bytes, at, 'EOP');
      view.setUint16(at + 24, u16(font.presetBags.length, 'preset bag count'), true);
      return;
    }
    writeName(bytes, at, preset.name);
    view.setUint16(at + 20, preset.program, true);
    view.setUint16(at + 22, preset.bank, true);
    view.setUint16(at + 24, u16(preset.bagIndex, 'preset bag index'), true);
    view.setUint32(at + 26, preset.library, true);
    view.setUint32(at + 30, preset.genre, true);
    view.setUint32(at + 34, preset.morphology, true);
  });
  const inst = table(RECORD_SIZE.inst, instruments.length + 1, (view, at, bytes, i) => {
    const instrument = instruments[i];
    writeName(bytes, at, instrument?.name ?? 'EOI');
    view.setUint16(at + 20, u16(instrument?.bagIndex ?? font.instrumentBags.length, 'instrument bag index'), true);
  });
  const shdr = table(RECORD_SIZE.shdr, samples.length + 1, (view, at, bytes, i) => {
    const sample = samples[i];
    if (!sample) {
      writeName(bytes, at, 'EOS');
      return;
    }
    writeName(bytes, at, sample.name);
    view.setUint32(at + 20, sample.start, true);
    view.setUint32(at + 24, sample.end, true);
    view.setUint32(at + 28, sample.loopStart, true);
    view.setUint32(at + 32, sample.loopEnd, true);
    view.setUint32(at + 36, sample.sampleRate, true);
    view.setUint8(at + 40, sample.originalPitch);
    view.setInt8(at + 41, sample.pitchCorrection);
    view.setUint16(at + 42, u16(sample.link, 'sample link'), true);
    view.setUint16(at + 44, sample.type, true);
  });

  // An even-sized smpl needs no pad byte, so readers that skip the pad (the spec) and readers
  // that do not (MuseScore's SF3 files leave it out) find the pdta LIST at the same place.
  const smplBody = font.sampleData.length % 2 === 0 ? [font.sampleData] : [font.sampleData, new Uint8Array(1)];

  return list(
    'sfbk',
    [
      list(
        'INFO',
        font.info.map((c) => chunk(c.id, c.body)),
      ),
      list('sdta', [chunk('smpl', ...smplBody)]),
      list('pdta', [
        chunk('phdr', phdr),
        chunk('pbag', bags(font.presetBags, font.presetGenerators.length, font.presetModulators.length)),
        chunk('pmod', modulators(font.presetModulators)),
        chunk('pgen', generators(font.presetGenerators)),
        chunk('inst', inst),
        chunk('ibag', bags(font.instrumentBags, font.instrumentGenerators.length, font.instrumentModulators.length)),
        chunk('imod', modulators(font.instrumentModulators)),
        chunk('igen', generators(font.instrumentGenerators)),
        chunk('shdr', shdr),
      ]),
    ],
    'RIFF',
  );
}
