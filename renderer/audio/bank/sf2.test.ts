/**
 * The SF2 / SF3 reader, writer and subsetter on a small font made here (plain 16-bit samples, a
 * real stereo pair, a global zone, modulators), and the reader on corrupted copies of it.
 * build.test.ts covers the real bank (SF3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SoundFontFormatError, chunk, list, readChunks } from './riff.ts';
import { GEN_INSTRUMENT, GEN_SAMPLE_ID, SAMPLE_LEFT, SAMPLE_MONO, SAMPLE_RIGHT, type SoundFont } from './sf2-model.ts';
import { readSoundFont } from './sf2-read.ts';
import { subsetSoundFont } from './sf2-subset.ts';
import { infoText, infoVersion, writeSoundFont } from './sf2-write.ts';

/** `count` 16-bit points of a ramp starting at `from`, as little-endian bytes. */
function points(from: number, count: number): Uint8Array {
  const bytes = new Uint8Array(count * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) view.setInt16(i * 2, from + i, true);
  return bytes;
}

const keyRange = (lo: number, hi: number) => ({ operator: 43, amount: lo | (hi << 8) });

/**
 * Presets: 0:0 "Keys" (instrument 1), 0:5 "Pad" (instrument 0), 128:0 "Kit" (instrument 2).
 * Instrument 0 plays the stereo pair (samples 1 and 2); instrument 1 sample 0 under a global
 * zone; instrument 2 sample 3. Samples sit in smpl with the spec's 46 zero points after each.
 */
function smallFont(): SoundFont {
  const pad = new Uint8Array(46 * 2);
  const data = [points(100, 10), pad, points(200, 20), pad, points(300, 20), pad, points(400, 8), pad];
  const sampleData = new Uint8Array(data.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of data) {
    sampleData.set(d, at);
    at += d.length;
  }
  const sample = (name: string, start: number, length: number, type: number, link = 0) => ({
    name,
    start,
    end: start + length,
    loopStart: start + 2,
    loopEnd: start + length - 2,
    sampleRate: 22_050,
    originalPitch: 60,
    pitchCorrection: -3,
    link,
    type,
  });
  const mod = { source: 0x0502, destination: 48, amount: 960, amountSource: 0, transform: 0 };
  return {
    version: { major: 2, minor: 4 },
    info: [infoVersion(2, 4), infoText('isng', 'EMU8000'), infoText('INAM', 'Small')],
    sampleData,
    presets: [
      { name: 'Keys', program: 0, bank: 0, bagIndex: 0, library: 0, genre: 0, morphology: 0 },
      { name: 'Pad', program: 5, bank: 0, bagIndex: 1, library: 0, genre: 0, morphology: 0 },
      { name: 'Kit', program: 0, bank: 128, bagIndex: 2, library: 0, genre: 0, morphology: 0 },
    ],
    presetBags: [
      { generatorIndex: 0, modulatorIndex: 0 },
      { generatorIndex: 1, modulatorIndex: 1 },
      { generatorIndex: 3, modulatorIndex: 1 },
    ],
    presetModulators: [mod],
    presetGenerators: [
      { operator: GEN_INSTRUMENT, amount: 1 },
      { operator: 17, amount: 100 },
      { operator: GEN_INSTRUMENT, amount: 0 },
      { operator: GEN_INSTRUMENT, amount: 2 },
    ],
    instruments: [
      { name: 'Stereo', bagIndex: 0 },
      { name: 'Mono', bagIndex: 2 },
      { name: 'Drum', bagIndex: 4 },
    ],
    instrumentBags: [
      { generatorIndex: 0, modulatorIndex: 0 },
      { generatorIndex: 3, modulatorIndex: 0 },
      { generatorIndex: 6, modulatorIndex: 0 },
      { generatorIndex: 7, modulatorIndex: 1 },
      { generatorIndex: 9, modulatorIndex: 1 },
    ],
    instrumentModulators: [mod],
    instrumentGenerators: [
      { operator: 17, amount: 0xfe0c },
      keyRange(0, 127),
      { operator: GEN_SAMPLE_ID, amount: 1 },
      { operator: 17, amount: 500 },
      keyRange(0, 127),
      { operator: GEN_SAMPLE_ID, amount: 2 },
      { operator: 48, amount: 30 },
      keyRange(0, 127),
      { operator: GEN_SAMPLE_ID, amount: 0 },
      { operator: GEN_SAMPLE_ID, amount: 3 },
    ],
    samples: [
      sample('Mono', 0, 10, SAMPLE_MONO),
      sample('Left', 56, 20, SAMPLE_LEFT, 2),
      sample('Right', 122, 20, SAMPLE_RIGHT, 1),
      sample('Drum', 188, 8, SAMPLE_MONO),
    ],
  };
}

test('write then read gives the same font back', () => {
  const font = smallFont();
  const bytes = writeSoundFont(font);
  assert.deepEqual(readSoundFont(bytes), { ...font, sampleData: font.sampleData, info: font.info });
  assert.deepEqual(writeSoundFont(readSoundFont(bytes)), bytes, 'and writing it again gives the same bytes');
});

test('a subset keeps the presets asked for, what they reach and stereo partners, renumbered', () => {
  const source = smallFont();
  const subset = readSoundFont(
    writeSoundFont(
      subsetSoundFont(
        source,
        [
          { bank: 0, program: 5 },
          { bank: 128, program: 0 },
        ],
        source.info,
      ),
    ),
  );
  assert.deepEqual(
    subset.presets.map((p) => p.name),
    ['Pad', 'Kit'],
  );
  assert.deepEqual(
    subset.instruments.map((i) => i.name),
    ['Stereo', 'Drum'],
  );
  assert.deepEqual(
    subset.samples.map((s) => s.name),
    ['Left', 'Right', 'Drum'],
  );
  // The Pad's zone still has its pan and points at "Stereo", now instrument 0; Kit at "Drum", 1.
  assert.deepEqual(subset.presetGenerators, [
    { operator: 17, amount: 100 },
    { operator: GEN_INSTRUMENT, amount: 0 },
    { operator: GEN_INSTRUMENT, amount: 1 },
  ]);
  assert.deepEqual(
    subset.instrumentGenerators.filter((g) => g.operator === GEN_SAMPLE_ID).map((g) => g.amount),
    [0, 1, 2],
  );
  const [left, right, drum] = subset.samples;
  assert.equal(left!.link, 1);
  assert.equal(right!.link, 0);
  // Each sample's points are copied as they were, 46 zero points after each, loops moved along.
  for (const [kept, original] of [
    [left!, source.samples[1]!],
    [right!, source.samples[2]!],
    [drum!, source.samples[3]!],
  ] as const) {
    assert.deepEqual(
      subset.sampleData.subarray(kept.start * 2, kept.end * 2),
      source.sampleData.subarray(original.start * 2, original.end * 2),
    );
    assert.deepEqual(subset.sampleData.subarray(kept.end * 2, kept.end * 2 + 92), new Uint8Array(92));
    assert.equal(kept.loopStart - kept.start, original.loopStart - original.start);
    assert.equal(kept.loopEnd - kept.start, original.loopEnd - original.start);
  }
  assert.equal(subset.sampleData.length, (20 + 20 + 8 + 3 * 46) * 2);
  // The asked order does not matter.
  const reversed = subsetSoundFont(
    source,
    [
      { bank: 128, program: 0 },
      { bank: 0, program: 5 },
    ],
    source.info,
  );
  assert.deepEqual(
    writeSoundFont(reversed),
    writeSoundFont(
      subsetSoundFont(
        source,
        [
          { bank: 0, program: 5 },
          { bank: 128, program: 0 },
        ],
        source.info,
      ),
    ),
  );
});

test('sharing points zones at another sample or instrument and leaves the unreached one out', () => {
  const source = smallFont();
  const kit = subsetSoundFont(source, [{ bank: 128, program: 0 }], source.info, { samples: [['Drum', 'Mono']] });
  assert.deepEqual(
    kit.samples.map((s) => s.name),
    ['Mono'],
  );
  assert.deepEqual(kit.instrumentGenerators, [{ operator: GEN_SAMPLE_ID, amount: 0 }]);
  // Both zones of the pair play "Left"; "Right" stays only as Left's stereo partner.
  const pad = subsetSoundFont(source, [{ bank: 0, program: 5 }], source.info, { samples: [['Right', 'Left']] });
  assert.deepEqual(
    pad.samples.map((s) => s.name),
    ['Left', 'Right'],
  );
  assert.deepEqual(
    pad.instrumentGenerators.filter((g) => g.operator === GEN_SAMPLE_ID).map((g) => g.amount),
    [0, 0],
  );
  const keys = subsetSoundFont(source, [{ bank: 0, program: 0 }], source.info, { instruments: [['Mono', 'Drum']] });
  assert.deepEqual(
    keys.instruments.map((i) => i.name),
    ['Drum'],
  );
  assert.throws(
    () => subsetSoundFont(source, [{ bank: 0, program: 0 }], source.info, { samples: [['Nope', 'Left']] }),
    /no samples named "Nope"/,
  );
});

test('a preset the source lacks is an error', () => {
  assert.throws(() => subsetSoundFont(smallFont(), [{ bank: 0, program: 9 }], []), /no preset at bank 0, program 9/);
});

/** The offset of the body of the first chunk with this id. */
function bodyOf(bytes: Uint8Array, id: string): number {
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (String.fromCharCode(...bytes.subarray(i, i + 4)) === id) return i + 8;
  }
  throw new Error(`no ${id}`);
}

/** `file` with one pdta chunk's body replaced (or the chunk left out), the RIFF sizes right. */
function withPdtaChunk(file: Uint8Array, id: string, edit: ((body: Uint8Array) => Uint8Array) | undefined): Uint8Array {
  const top = readChunks(file.subarray(12), 12);
  return list(
    'sfbk',
    top.map((c) => {
      const type = String.fromCharCode(...c.body.subarray(0, 4));
      if (type !== 'pdta') return chunk(c.id, c.body);
      const inner = readChunks(c.body.subarray(4), 0).flatMap((x) =>
        x.id !== id ? [chunk(x.id, x.body)] : edit ? [chunk(x.id, edit(x.body))] : [],
      );
      return list('pdta', inner);
    }),
    'RIFF',
  );
}

test('corrupted copies get a clear error, not a half-read font', () => {
  const good = writeSoundFont(smallFont());
  const corrupt = (edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array => {
    const bytes = good.slice();
    edit(bytes, new DataView(bytes.buffer));
    return bytes;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated', good.subarray(0, good.length - 30), /RIFF chunk says \d+ bytes but the file has \d+/],
    [
      'a chunk past its list',
      corrupt((_b, v) => v.setUint32(bodyOf(good, 'smpl') - 4, 1_000_000, true)),
      /chunk "smpl" at byte \d+ says 1000000 bytes but only \d+ follow/,
    ],
    ['not RIFF', corrupt((b) => b.set([0x58], 0)), /not a RIFF file/],
    ['not a SoundFont', corrupt((b) => b.set([0x57, 0x41, 0x56, 0x45], 8)), /RIFF form is "WAVE", expected "sfbk"/],
    [
      'a sample index past the end',
      corrupt((_b, v) => v.setUint16(bodyOf(good, 'igen') + 8 * 4 + 2, 9, true)),
      /instrument generator 8: sample 9 does not exist \(4 samples\)/,
    ],
    [
      'an instrument index past the end',
      corrupt((_b, v) => v.setUint16(bodyOf(good, 'pgen') + 2, 7, true)),
      /preset generator 0: instrument 7 does not exist/,
    ],
    [
      'a bag index going back',
      corrupt((_b, v) => v.setUint16(bodyOf(good, 'phdr') + 38 + 24, 3, true)),
      /preset 1: bag index 3 goes back|preset 2: bag index 2 goes back/,
    ],
    [
      'a wrong terminal record',
      corrupt((_b, v) => v.setUint16(bodyOf(good, 'ibag') + 5 * 4, 9, true)),
      /instrument bag terminal record: generator index 9 should be 10/,
    ],
    [
      'a sample outside smpl',
      corrupt((_b, v) => v.setUint32(bodyOf(good, 'shdr') + 46 * 3 + 24, 5000, true)),
      /sample 3 "Drum": extent 188..5000 lies outside smpl/,
    ],
    [
      'a stereo link past the end',
      corrupt((_b, v) => v.setUint16(bodyOf(good, 'shdr') + 46 + 42, 40, true)),
      /sample 1 "Left": linked sample 40 does not exist/,
    ],
    [
      'a chunk size overrunning the next',
      corrupt((_b, v) => v.setUint32(bodyOf(good, 'pmod') - 4, 9, true)),
      /says \d+ bytes but only \d+ follow/,
    ],
    [
      'a torn record',
      withPdtaChunk(good, 'pmod', (body) => body.subarray(0, 18)),
      /"pmod" is 18 bytes, not a whole number of 10-byte records/,
    ],
    ['a missing chunk', withPdtaChunk(good, 'imod', undefined), /pdta has no "imod" chunk/],
    ['a missing version', corrupt((b) => b.set([0x78, 0x78, 0x78, 0x78], bodyOf(good, 'ifil') - 8)), /no 4-byte "ifil"/],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(
      () => readSoundFont(bytes),
      (error: unknown) => {
        assert.ok(error instanceof SoundFontFormatError, `${what}: ${String(error)}`);
        assert.match(error.message, message, what);
        return true;
      },
    );
  }
});

test('an odd-sized chunk: the pad byte is skipped when there, and may be left out (MuseScore SF3)', () => {
  const odd = chunk('smpl', new Uint8Array([1, 2, 3]));
  assert.equal(odd.length, 12, 'the writer pads');
  const next = chunk('LIST', new Uint8Array([9, 9, 9, 9]));
  const padded = new Uint8Array([...odd, ...next]);
  const unpadded = new Uint8Array([...odd.subarray(0, 11), ...next]);
  for (const bytes of [padded, unpadded]) {
    const chunks = readChunks(bytes, 0);
    assert.deepEqual(
      chunks.map((c) => [c.id, [...c.body]]),
      [
        ['smpl', [1, 2, 3]],
        ['LIST', [9, 9, 9, 9]],
      ],
    );
  }
});
