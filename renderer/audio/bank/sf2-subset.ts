/**
 * Cuts a SoundFont down to some of its presets: keeps those presets, the instruments their zones
 * name (generator 41), the samples those instruments' zones name (generator 53) and the stereo
 * partners of those samples (pairs that link each other), renumbers every index, and copies each kept sample's data as it is
 * (an SF3 sample's Ogg Vorbis bytes are not decoded or re-encoded: the subset sounds exactly like
 * the source). Everything kept stays in source order, so the result depends only on the source
 * and on which presets are asked for (in any order).
 */
import { SoundFontFormatError } from './riff.ts';
import {
  GEN_INSTRUMENT,
  GEN_SAMPLE_ID,
  SAMPLE_PADDING_POINTS,
  SAMPLE_VORBIS,
  hasLink,
  type Bag,
  type Generator,
  type InfoChunk,
  type Modulator,
  type SampleHeader,
  type SoundFont,
} from './sf2-model.ts';

export interface PresetKey {
  bank: number;
  program: number;
}

/**
 * The sample a stereo / linked sample's wSampleLink names, when that one links back (a real
 * pair). MuseScore_General's stereo samples all say link 0, a mono sample that does not link
 * back: such a link is left as the source wrote it (0, "none") and pulls nothing in.
 */
function linkedPartner(samples: SampleHeader[], index: number): number | undefined {
  const sample = samples[index]!;
  if (!hasLink(sample.type)) return undefined;
  const partner = samples[sample.link];
  return partner && partner.link === index && hasLink(partner.type) && sample.link !== index ? sample.link : undefined;
}

/** Zones of header `index` (bags[start .. next header's start)), as [first, end) indices. */
function span(starts: { bagIndex: number }[], index: number, total: number): [number, number] {
  return [starts[index]!.bagIndex, starts[index + 1]?.bagIndex ?? total];
}

/** The source indices in `wanted`, ascending, each mapped to its index in the subset. */
function renumber(wanted: Set<number>): Map<number, number> {
  return new Map([...wanted].sort((a, b) => a - b).map((source, i) => [source, i]));
}

/**
 * Copies headers' zones (bags with their generators and modulators) from one level of the
 * hydra (presets or instruments), remapping the generator that points a level down.
 */
function copyZones(
  from: { bags: Bag[]; generators: Generator[]; modulators: Modulator[] },
  heads: { bagIndex: number }[],
  kept: number[],
  pointer: number,
  remap: Map<number, number>,
): { bagStarts: number[]; bags: Bag[]; generators: Generator[]; modulators: Modulator[] } {
  const out = { bagStarts: [] as number[], bags: [] as Bag[], generators: [] as Generator[], modulators: [] as Modulator[] };
  for (const index of kept) {
    out.bagStarts.push(out.bags.length);
    const [firstBag, endBag] = span(heads, index, from.bags.length);
    for (let b = firstBag; b < endBag; b++) {
      const bag = from.bags[b]!;
      const next = from.bags[b + 1];
      out.bags.push({ generatorIndex: out.generators.length, modulatorIndex: out.modulators.length });
      for (let g = bag.generatorIndex; g < (next?.generatorIndex ?? from.generators.length); g++) {
        const gen = from.generators[g]!;
        out.generators.push(gen.operator === pointer ? { operator: pointer, amount: remap.get(gen.amount)! } : { ...gen });
      }
      for (let m = bag.modulatorIndex; m < (next?.modulatorIndex ?? from.modulators.length); m++) {
        out.modulators.push({ ...from.modulators[m]! });
      }
    }
  }
  return out;
}

/** The generator amounts of operator `operator` in the zones of the given headers. */
function pointed(
  bags: Bag[],
  generators: Generator[],
  heads: { bagIndex: number }[],
  kept: Iterable<number>,
  operator: number,
): Set<number> {
  const found = new Set<number>();
  for (const index of kept) {
    const [firstBag, endBag] = span(heads, index, bags.length);
    const firstGen = bags[firstBag]?.generatorIndex ?? generators.length;
    const endGen = bags[endBag]?.generatorIndex ?? generators.length;
    for (let g = firstGen; g < endGen; g++) {
      if (generators[g]!.operator === operator) found.add(generators[g]!.amount);
    }
  }
  return found;
}

/**
 * Lays the kept samples' data end to end in a new smpl and moves their headers onto it. A data
 * range two headers share is copied once. Plain 16-bit samples keep the spec's 46 zero points
 * after them; compressed ones are byte ranges and need none.
 */
function copySamples(
  source: SoundFont,
  keptSamples: number[],
  remap: Map<number, number>,
): { samples: SampleHeader[]; sampleData: Uint8Array } {
  const parts: Uint8Array[] = [];
  let length = 0;
  const placed = new Map<string, number>();
  const samples = keptSamples.map((index): SampleHeader => {
    const sample = source.samples[index]!;
    const compressed = (sample.type & SAMPLE_VORBIS) !== 0;
    const unit = compressed ? 1 : 2;
    const key = `${unit}:${sample.start}:${sample.end}`;
    let at = placed.get(key);
    if (at === undefined) {
      // Plain samples are counted in 16-bit points: keep them on even bytes.
      if (!compressed && length % 2 === 1) {
        parts.push(new Uint8Array(1));
        length++;
      }
      at = length;
      const bytes = source.sampleData.subarray(sample.start * unit, sample.end * unit);
      parts.push(bytes);
      length += bytes.length;
      if (!compressed) {
        parts.push(new Uint8Array(SAMPLE_PADDING_POINTS * 2));
        length += SAMPLE_PADDING_POINTS * 2;
      }
      placed.set(key, at);
    }
    const start = at / unit;
    // Plain samples' loop points are absolute and move with the sample; an SF3 sample's are
    // relative to its start and stay as they are.
    const shift = compressed ? 0 : start - sample.start;
    return {
      ...sample,
      start,
      end: start + (sample.end - sample.start),
      loopStart: sample.loopStart + shift,
      loopEnd: sample.loopEnd + shift,
      link: linkedPartner(source.samples, index) === undefined ? 0 : remap.get(sample.link)!,
    };
  });
  const sampleData = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    sampleData.set(part, at);
    at += part.length;
  }
  return { samples, sampleData };
}

/**
 * The subset of `source` holding exactly the presets `keys` name, with `info` as its INFO list.
 * A key no preset has, or one two presets share, is an error: the bank must hold what the
 * catalog offers, one preset each.
 */
/**
 * Sharing trims a subset that would be too big: each pair [from, to] makes every zone that
 * names instrument / sample `from` (by name) name `to` instead, with the zone's own generators
 * (key / velocity range, pan, filter, envelope, attenuation) unchanged. `from` is then left out
 * unless something else still reaches it.
 */
export interface Sharing {
  instruments?: readonly (readonly [from: string, to: string])[];
  samples?: readonly (readonly [from: string, to: string])[];
}

/** Name pairs to an index map on `list`; a name that is missing or not unique is an error. */
function substitutions(list: { name: string }[], pairs: Sharing['samples'], what: string): Map<number, number> {
  const indexOf = (name: string): number => {
    const hits = list.flatMap((item, i) => (item.name === name ? [i] : []));
    if (hits.length !== 1) throw new SoundFontFormatError(`sharing: ${hits.length === 0 ? 'no' : hits.length} ${what} named "${name}"`);
    return hits[0]!;
  };
  return new Map((pairs ?? []).map(([from, to]) => [indexOf(from), indexOf(to)]));
}

/** Generators with `operator`'s amount replaced per `map` (a copy; the source stays as it was). */
function substituted(generators: Generator[], operator: number, map: Map<number, number>): Generator[] {
  if (map.size === 0) return generators;
  return generators.map((gen) => (gen.operator === operator && map.has(gen.amount) ? { operator, amount: map.get(gen.amount)! } : gen));
}

export function subsetSoundFont(original: SoundFont, keys: readonly PresetKey[], info: InfoChunk[], sharing: Sharing = {}): SoundFont {
  const source: SoundFont = {
    ...original,
    presetGenerators: substituted(
      original.presetGenerators,
      GEN_INSTRUMENT,
      substitutions(original.instruments, sharing.instruments, 'instruments'),
    ),
    instrumentGenerators: substituted(
      original.instrumentGenerators,
      GEN_SAMPLE_ID,
      substitutions(original.samples, sharing.samples, 'samples'),
    ),
  };
  const keptPresets = new Set<number>();
  for (const key of keys) {
    const matches = source.presets.flatMap((p, i) => (p.bank === key.bank && p.program === key.program ? [i] : []));
    if (matches.length === 0) throw new SoundFontFormatError(`no preset at bank ${key.bank}, program ${key.program}`);
    if (matches.length > 1) throw new SoundFontFormatError(`${matches.length} presets at bank ${key.bank}, program ${key.program}`);
    keptPresets.add(matches[0]!);
  }
  const presetOrder = [...keptPresets].sort((a, b) => a - b);

  const instrumentMap = renumber(pointed(source.presetBags, source.presetGenerators, source.presets, presetOrder, GEN_INSTRUMENT));
  const wantedSamples = pointed(
    source.instrumentBags,
    source.instrumentGenerators,
    source.instruments,
    instrumentMap.keys(),
    GEN_SAMPLE_ID,
  );
  // Stereo partners come along, or the kept half would point nowhere.
  const queue = [...wantedSamples];
  while (queue.length > 0) {
    const index = queue.pop()!;
    const partner = linkedPartner(source.samples, index);
    if (partner !== undefined && !wantedSamples.has(partner)) {
      wantedSamples.add(partner);
      queue.push(partner);
    }
  }
  const sampleMap = renumber(wantedSamples);

  const presetZones = copyZones(
    { bags: source.presetBags, generators: source.presetGenerators, modulators: source.presetModulators },
    source.presets,
    presetOrder,
    GEN_INSTRUMENT,
    instrumentMap,
  );
  const instrumentOrder = [...instrumentMap.keys()];
  const instrumentZones = copyZones(
    { bags: source.instrumentBags, generators: source.instrumentGenerators, modulators: source.instrumentModulators },
    source.instruments,
    instrumentOrder,
    GEN_SAMPLE_ID,
    sampleMap,
  );
  const { samples, sampleData } = copySamples(source, [...sampleMap.keys()], sampleMap);

  return {
    version: { ...source.version },
    info,
    sampleData,
    presets: presetOrder.map((index, i) => ({ ...source.presets[index]!, bagIndex: presetZones.bagStarts[i]! })),
    presetBags: presetZones.bags,
    presetModulators: presetZones.modulators,
    presetGenerators: presetZones.generators,
    instruments: instrumentOrder.map((index, i) => ({ ...source.instruments[index]!, bagIndex: instrumentZones.bagStarts[i]! })),
    instrumentBags: instrumentZones.bags,
    instrumentModulators: instrumentZones.modulators,
    instrumentGenerators: instrumentZones.generators,
    samples,
  };
}
