/**
 * node bench/audio/mastering.ts — the mastering checks' cost on this machine, written to
 * bench/results/mastering.json: metering (every figure of renderer/audio/mastering/meter.ts),
 * the plain-words report, and the loudness correction to each target, on 3 minutes of 44.1 kHz
 * stereo (the music-like mix of signals.ts, seed 1).
 *
 * `first` is the very first call in a fresh process (what an export dialog pays the first time:
 * V8 has not optimized the loops yet); `warm` summarizes the calls after it. The machine's load
 * average is recorded with the figures: on a shared 2-core machine other work slows them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { correctLoudness, LOUDNESS_TARGETS, meter, report, type LoudnessTargetName } from '../../renderer/audio/mastering/index.ts';
import { musicLike } from '../../renderer/audio/mastering/signals.ts';
import { summarize } from '../stats.ts';

const SECONDS = 180;
const SAMPLE_RATE = 44100;
const RUNS = 5;

function time<T>(run: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = run();
  return { ms: performance.now() - t0, value };
}

const audio = musicLike({ seconds: SECONDS, sampleRate: SAMPLE_RATE, seed: 1 });
const loadBefore = loadavg();

const first = time(() => meter(audio));
const meterMs = [first.ms];
for (let i = 1; i < RUNS; i++) meterMs.push(time(() => meter(audio)).ms);
const measurements = first.value.measurements;
const reportMs = summarize(Array.from({ length: 20 }, () => time(() => report(measurements)).ms));

const corrections: Record<string, unknown> = {};
for (const target of Object.keys(LOUDNESS_TARGETS) as LoudnessTargetName[]) {
  const runs = Array.from({ length: 3 }, () => time(() => correctLoudness(audio, { target, measured: measurements })));
  const { chain } = runs[0]!.value;
  corrections[target] = {
    ms: summarize(runs.map((r) => r.ms)),
    firstMs: Math.round(runs[0]!.ms),
    chain,
  };
}

const results = {
  audio: { seconds: SECONDS, sampleRate: SAMPLE_RATE, channels: 2, signal: 'musicLike seed 1' },
  meter: {
    firstMs: Math.round(first.ms),
    warm: summarize(meterMs.slice(1)),
    realTimeFactor: Math.round(SECONDS / (summarize(meterMs.slice(1)).p50 / 1000)),
  },
  reportMs,
  correction: corrections,
  measurements: { ...measurements, truePeakPerChannelDbtp: measurements.truePeakPerChannelDbtp, dcOffset: measurements.dcOffset },
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
  },
  at: new Date().toISOString(),
};

const out = fileURLToPath(new URL('../results/mastering.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  JSON.stringify(
    { meter: results.meter, correction: Object.fromEntries(Object.entries(corrections).map(([k, v]) => [k, (v as { ms: unknown }).ms])) },
    null,
    2,
  ),
);
