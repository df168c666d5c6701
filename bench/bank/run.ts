/**
 * npm run bench:bank — the shipped sound bank's figures on this machine, written to
 * bench/results/bank.json:
 *   build     building the bank from MuseScore_General Lite (read, subset, write: no file I/O
 *             timed), median of 5, and its size against the 16 MB budget
 *   presets   what each catalog preset would cost alone, cut from the source untrimmed (sample
 *             bytes it reaches), and the whole catalog untrimmed: why bank-policy.ts trims the piano
 *   load      spessasynth_core under Node: SoundBankLoader.fromArrayBuffer on the built bank
 *             (median of 7), then decoding every sample's Ogg Vorbis to float (the work a player
 *             does ahead of need), the full source bank's load beside it
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { BasicSoundBank, SoundBankLoader } from 'spessasynth_core';
import { INSTRUMENTS } from '../../core/song/instrument-catalog.ts';
import { BANK_MAX_BYTES, BANK_PRESETS } from '../../renderer/audio/bank/bank-policy.ts';
import { SOURCE_PATH, buildBankBytes, ensureBank } from '../../renderer/audio/bank/build.ts';
import { readSoundFont } from '../../renderer/audio/bank/sf2-read.ts';
import { subsetSoundFont } from '../../renderer/audio/bank/sf2-subset.ts';
import { summarize } from '../stats.ts';

const OUT = new URL('../results/bank.json', import.meta.url).pathname;

function timed<T>(runs: number, work: () => T): { ms: number[]; result: T } {
  const ms: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = work();
    ms.push(performance.now() - t0);
  }
  return { ms, result };
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
const median = (ms: number[]): number => round(summarize(ms).p50);

const source = readFileSync(SOURCE_PATH);
const build = timed(5, () => buildBankBytes(source));
const bankBytes = readFileSync(await ensureBank());

const font = readSoundFont(source);
const presets = INSTRUMENTS.map((preset) => ({
  id: preset.id,
  bank: preset.bank,
  program: preset.program,
  sampleBytes: subsetSoundFont(font, [preset], []).sampleData.length,
})).sort((a, b) => b.sampleBytes - a.sampleBytes);
const untrimmed = subsetSoundFont(font, BANK_PRESETS, []).sampleData.length;

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
// The SF3 decoder (stb_vorbis, WebAssembly) starts asynchronously; a player awaits it the same way.
await BasicSoundBank.isSF3DecoderReady;
const load = timed(7, () => SoundBankLoader.fromArrayBuffer(arrayBuffer(bankBytes)));
const decode = timed(1, () => {
  let frames = 0;
  for (const sample of load.result.samples) frames += sample.getAudioData().length;
  return frames;
});
const fullLoad = timed(3, () => SoundBankLoader.fromArrayBuffer(arrayBuffer(source)));

const results = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  date: new Date().toISOString(),
  build: {
    medianMs: median(build.ms),
    runsMs: build.ms.map((ms) => round(ms)),
    bytes: build.result.bytes.length,
    budgetBytes: BANK_MAX_BYTES,
    sha256: build.result.manifest.output.sha256,
    presets: build.result.manifest.presets.length,
    samples: build.result.manifest.samples,
  },
  presets: {
    untrimmedCatalogSampleBytes: untrimmed,
    trimmedCatalogSampleBytes: readSoundFont(build.result.bytes).sampleData.length,
    sampleBytesAlone: presets,
  },
  load: {
    spessasynthLoadMedianMs: median(load.ms),
    spessasynthLoadRunsMs: load.ms.map((ms) => round(ms)),
    decodeAllSamplesMs: round(decode.ms[0]!),
    decodedFrames: decode.result,
    decodedMiB: round((decode.result * 4) / 2 ** 20),
    fullSourceLoadMedianMs: median(fullLoad.ms),
  },
};
mkdirSync(new URL('../results/', import.meta.url).pathname, { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `bank: build ${results.build.medianMs} ms (median of 5), ${(results.build.bytes / 1e6).toFixed(2)} MB of ${BANK_MAX_BYTES / 1e6} MB; ` +
    `spessasynth load ${results.load.spessasynthLoadMedianMs} ms (median of 7), decoding all ${results.build.samples} samples ` +
    `${results.load.decodeAllSamplesMs} ms (${results.load.decodedMiB} MiB of float); full source load ${results.load.fullSourceLoadMedianMs} ms -> ${OUT}`,
);
