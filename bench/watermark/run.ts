/**
 * npm run bench:watermark — how well the audio watermark (core/watermark/) survives, written to
 * bench/results/watermark.json. Songs generated from seeds and rendered by the app's own offline
 * sampled renderer (songs.ts), each marked with its own 64-bit payload, then:
 *
 * - each single transform on the whole marked song, then detection: MP3 at 128 kb/s (Debian's
 *   ffmpeg/libmp3lame) and back; Opus at 160 kb/s (libopus, the export's codec); gain +6 dB and −6 dB; 44.1 → 48 kHz and 48 → 44.1 kHz by
 *   ffmpeg's resampler (the second embeds into a 48 kHz copy); mixing with another (unmarked) song:
 *   that song at −6 dB under ours, and ours at −6 dB under it (two other songs each);
 * - 10-second excerpts from random places of the marked song, untransformed;
 * - the null: at least 1,000 unmarked 10-second excerpts (of the songs before marking, and of
 *   synthesized music, signals.ts), for the false-positive rate and the threshold;
 * - the mark's level below the music per 1/3-octave band over 1-s windows (band-levels.ts);
 * - the payload's bit error rate (the best alignment's decoded bits, CRC or not).
 *
 * Runs niced; `WATERMARK_SONGS=4 WATERMARK_NULL=200` for a quick look.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../core/random.ts';
import { CRC_SYNC_Z, SYNC_ONLY_Z, detectWatermark, embedWatermark, type WatermarkDetection } from '../../core/watermark/index.ts';
import { markBandLevels } from '../../core/watermark/band-levels.ts';
import { musicLike } from '../../renderer/audio/mastering/signals.ts';
import { summarize } from '../stats.ts';
import { ffmpegMissing, ffmpegResample, mp3RoundTrip, opusRoundTrip } from './ffmpeg.ts';
import { renderSongs, type RenderedSong } from './songs.ts';

const SONGS = Number(process.env.WATERMARK_SONGS ?? 12);
const NULL_EXCERPTS = Number(process.env.WATERMARK_NULL ?? 1000);
const EXCERPTS_PER_SONG = 5;
const BARS = 24;
const SR = 44_100;
const EXCERPT_SECONDS = 10;
const MIX_PARTNERS = [1, Math.max(2, Math.floor(SONGS / 2))];

const started = performance.now();
const random = seededRandom(20);
const payloadFor = (seed: number) => {
  const r = seededRandom(seed * 31 + 7);
  return (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
};
const bitErrors = (a: bigint, b: bigint) => {
  let x = a ^ b;
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
};

interface Trial {
  found: boolean;
  payloadOk: boolean;
  bitErrors: number;
  z: number;
}
const trials = new Map<string, Trial[]>();
const skipped: Record<string, string> = {};
const record = (name: string, payload: bigint, d: WatermarkDetection) => {
  const list = trials.get(name) ?? [];
  list.push({
    found: d.found,
    payloadOk: d.payload === payload,
    bitErrors: d.decodedGuess === null ? 64 : bitErrors(d.decodedGuess, payload),
    z: Math.round(d.confidence * 100) / 100,
  });
  trials.set(name, list);
};

const excerpt = (channels: readonly Float32Array[], sampleRate: number, r: () => number) => {
  const length = EXCERPT_SECONDS * sampleRate;
  const from = Math.floor(r() * (channels[0]!.length - length));
  return channels.map((c) => c.subarray(from, from + length));
};
const scaled = (channels: readonly Float32Array[], db: number) => channels.map((c) => c.map((v) => v * 10 ** (db / 20)));
const mixed = (a: readonly Float32Array[], aDb: number, b: readonly Float32Array[], bDb: number) =>
  a.map((c, ch) => c.map((v, i) => v * 10 ** (aDb / 20) + (b[ch]![i % b[ch]!.length] ?? 0) * 10 ** (bDb / 20)));

console.error(`bench:watermark: rendering ${SONGS} songs of ${BARS} bars…`);
const renderStart = performance.now();
const songs: RenderedSong[] = await renderSongs(
  Array.from({ length: SONGS }, (_, i) => i + 1),
  SR,
  BARS,
);
const renderMs = performance.now() - renderStart;
const ffmpeg = ffmpegMissing();
if (ffmpeg) {
  for (const t of ['mp3 128k', 'opus 160k (libopus, as the Opus export)', 'resample 44.1→48 kHz', 'resample 48→44.1 kHz'])
    skipped[t] = ffmpeg;
  console.error(`bench:watermark: skipping the ffmpeg transforms: ${ffmpeg}`);
}

const embedMs: number[] = [];
const detectMsPerSecond: number[] = [];
const margins: { minDb: number; medianDb: number }[] = [];
let worstBands: ReturnType<typeof markBandLevels>['bands'] | null = null;
for (const [index, song] of songs.entries()) {
  const payload = payloadFor(song.seed);
  const t0 = performance.now();
  const marked = embedWatermark(song.channels, SR, payload);
  embedMs.push(performance.now() - t0);
  const seconds = song.channels[0]!.length / SR;
  const levels = markBandLevels(song.channels[0]!, marked[0]!, SR);
  margins.push({ minDb: levels.minDb, medianDb: levels.medianDb });
  if (!worstBands || levels.minDb < Math.min(...worstBands.map((b) => b.minDb))) worstBands = levels.bands;
  const t1 = performance.now();
  record('none (whole song)', payload, detectWatermark(marked, SR));
  detectMsPerSecond.push((performance.now() - t1) / seconds);
  for (let e = 0; e < EXCERPTS_PER_SONG; e++) record('10-s excerpt', payload, detectWatermark(excerpt(marked, SR, random), SR));
  record('gain +6 dB', payload, detectWatermark(scaled(marked, 6), SR));
  record('gain −6 dB', payload, detectWatermark(scaled(marked, -6), SR));
  // Two other songs each (the next one and the one half the list away): 2 trials per song.
  for (const step of MIX_PARTNERS) {
    const other = songs[(index + step) % songs.length]!.channels;
    record('another song at −6 dB over it', payload, detectWatermark(mixed(marked, 0, other, -6), SR));
    record('under another song, at −6 dB', payload, detectWatermark(mixed(marked, -6, other, 0), SR));
  }
  if (!ffmpeg) {
    record('mp3 128k', payload, detectWatermark(mp3RoundTrip(marked, SR), SR));
    record('opus 160k (libopus, as the Opus export)', payload, detectWatermark(opusRoundTrip(marked, SR), SR));
    record('resample 44.1→48 kHz', payload, detectWatermark(ffmpegResample(marked, SR, 48_000), 48_000));
    const at48 = ffmpegResample(song.channels, SR, 48_000);
    record('resample 48→44.1 kHz', payload, detectWatermark(ffmpegResample(embedWatermark(at48, 48_000, payload), 48_000, SR), SR));
  }
  console.error(`bench:watermark: song ${index + 1}/${songs.length} (${seconds.toFixed(0)} s) done`);
}

// The null: unmarked excerpts of the same songs, and of synthesized music.
const nullZ: number[] = [];
let nullFound = 0;
const synth = Array.from({ length: 6 }, (_, i) => musicLike({ seconds: 60, sampleRate: SR, seed: 100 + i, gainDb: -6 }).channels);
for (let i = 0; i < NULL_EXCERPTS; i++) {
  const source = i % 3 === 2 ? synth[i % synth.length]! : songs[i % songs.length]!.channels;
  const d = detectWatermark(excerpt(source, SR, random), SR);
  nullZ.push(d.confidence);
  if (d.found) nullFound++;
}
nullZ.sort((a, b) => a - b);

// What other sync thresholds would give (the CRC path unchanged): the choice, from the null.
const sweep = [5.5, 6, 6.5, 7].map((threshold) => ({
  syncOnlyZ: threshold,
  falsePositiveRate: nullZ.filter((z) => z >= threshold).length / nullZ.length,
  detection: Object.fromEntries(
    [...trials].map(([name, list]) => [name, list.filter((t) => t.payloadOk || t.z >= threshold).length / list.length]),
  ),
}));

const rates = Object.fromEntries(
  [...trials].map(([name, list]) => {
    const errors = list.reduce((n, t) => n + t.bitErrors, 0);
    return [
      name,
      {
        trials: list.length,
        detectionRate: list.filter((t) => t.found).length / list.length,
        payloadReadRate: list.filter((t) => t.payloadOk).length / list.length,
        bitErrorRate: errors / (64 * list.length),
        confidence: { ...summarize(list.map((t) => t.z)), min: Math.min(...list.map((t) => t.z)) },
      },
    ];
  }),
);

const results = {
  music: `${SONGS} songs generated from seeds (bench/watermark/songs.ts: drums, bass, chords, lead; 80–150 BPM; ${BARS} bars), rendered by the app's offline sampled renderer at 44.1 kHz`,
  songSeconds: summarize(songs.map((s) => s.channels[0]!.length / SR)),
  thresholds: {
    rule: `found = a payload whose CRC-16 checks at an alignment with sync z ≥ ${CRC_SYNC_Z}, or sync z ≥ ${SYNC_ONLY_Z} alone`,
    crcSyncZ: CRC_SYNC_Z,
    syncOnlyZ: SYNC_ONLY_Z,
  },
  transforms: rates,
  thresholdSweep: sweep,
  falsePositives: {
    excerpts: NULL_EXCERPTS,
    seconds: EXCERPT_SECONDS,
    found: nullFound,
    rate: nullFound / NULL_EXCERPTS,
    nullConfidence: { ...summarize(nullZ), p999: nullZ[Math.min(nullZ.length - 1, Math.ceil(0.999 * nullZ.length) - 1)] },
    sources: 'two thirds: 10-s excerpts of the unmarked songs; one third: synthesized music-like mixes (signals.ts seeds 100–105)',
  },
  markBelowMusicDb: {
    how: '1/3-octave bands 100 Hz–10 kHz, energy per 1-s window, left channel; windows within 60 dB of the loudest band-window',
    minPerSong: summarize(margins.map((m) => Math.round(m.minDb * 10) / 10)),
    medianPerSong: summarize(margins.map((m) => Math.round(m.medianDb * 10) / 10)),
    worstSongBands: worstBands?.map((b) => ({ ...b, minDb: Math.round(b.minDb * 10) / 10, medianDb: Math.round(b.medianDb * 10) / 10 })),
  },
  cost: {
    renderSeconds: Math.round(renderMs / 100) / 10,
    embedMsPerSecondOfAudio: summarize(embedMs.map((ms, i) => ms / (songs[i]!.channels[0]!.length / SR))),
    detectMsPerSecondOfAudio: summarize(detectMsPerSecond),
    embedSecondsPerMinuteOfAudio: summarize(embedMs.map((ms, i) => (ms * 60) / 1000 / (songs[i]!.channels[0]!.length / SR))),
    detectSecondsPerMinuteOfAudio: summarize(detectMsPerSecond.map((ms) => (ms * 60) / 1000)),
  },
  skipped,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map((l) => Math.round(l * 10) / 10) },
  wallSeconds: Math.round((performance.now() - started) / 1000),
};

const out = fileURLToPath(new URL('../results/watermark.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  JSON.stringify(
    { transforms: rates, falsePositives: results.falsePositives, markBelowMusicDb: { minPerSong: results.markBelowMusicDb.minPerSong } },
    null,
    2,
  ),
);
