/**
 * `npm run bench:library`: the riff library's figures. Writes bench/results/library.json.
 *
 * - Retrieval quality ("More like this", bench/library/retrieval.ts) on POP909's held-out songs:
 *   precision@10 of same-song windows against a random ranking, and how often a transposed copy
 *   ranks first, with pitch classes counted from the song's key (what the app does) and absolute.
 * - Latency at 1,000 and 10,000 clips (4-bar windows of POP909's training songs, melody and piano;
 *   synthetic clips where the data is missing): search (a text query; role + tempo filters) on
 *   the desktop's SQLite store and in memory, p50/p99 over repeated runs; "More like this": the
 *   features of the whole library (computed once per page session) and each ask over the whole
 *   library; saving one clip, importing the whole snapshot, and the file's bytes per clip.
 *
 * IndexedDB (the browser's store) is not timed here: it needs Chromium (tests/renderer/library.test.ts
 * checks it works). The machine is whatever runs this; the JSON names its CPU.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeClip } from '../../core/library/describe-clip.ts';
import { findSimilar, libraryClipFeatures } from '../../core/library/find-similar.ts';
import { clipFeatures } from '../../core/library/similarity.ts';
import { MemoryLibraryStore } from '../../core/library/memory-store.ts';
import type { LibraryClip, LibraryQuery } from '../../core/library/types.ts';
import { openSqliteLibrary } from '../../electron/library/sqlite-library-store.ts';
import { summarize } from '../stats.ts';
import { evaluateRetrieval, pop909Windows, WINDOW_BARS, type SongWindow } from './retrieval.ts';

const DATASETS = fileURLToPath(new URL('../../../shared/datasets', import.meta.url));
const OUT = fileURLToPath(new URL('../results/library.json', import.meta.url));
const SIZES = [1000, 10_000];
const RUNS = Number(process.env.BENCH_LIBRARY_RUNS ?? 30);
const FOUR = { numerator: 4, denominator: 4 };
const STYLES = ['pop', 'funk', 'rock', 'jazz', 'soul'];
const AUTHORS = ['alice', 'bob', 'carol', 'dan'];

function clipOf(w: SongWindow, i: number, role: 'lead' | 'keys'): LibraryClip {
  const bpm = 70 + (i % 90);
  return {
    id: `c${i}`,
    name: `${w.song} bars ${w.bar + 1}-${w.bar + WINDOW_BARS}`,
    notes: w.notes,
    lengthBars: WINDOW_BARS,
    meter: FOUR,
    chords: [],
    role,
    instrument: role === 'lead' ? 'saw-lead' : 'electric-piano',
    style: STYLES[i % STYLES.length]!,
    provenance: { source: i % 3 === 0 ? 'model' : 'user', author: AUTHORS[i % AUTHORS.length]!, sourceSong: w.song },
    tags: i % 7 === 0 ? ['chorus'] : ['verse'],
    metadata: describeClip({ notes: w.notes, lengthBars: WINDOW_BARS, meter: FOUR, role, songKey: w.key, bpm }),
    savedBy: AUTHORS[i % AUTHORS.length]!,
    savedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  };
}

/** Synthetic windows when the datasets are not there: random lines on a 16th grid. */
function syntheticWindows(n: number): SongWindow[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => ({
    song: `synthetic/${i >> 3}`,
    bar: 0,
    key: { tonic: i % 12, mode: i % 2 ? 'minor' : 'major' },
    notes: Array.from({ length: 8 + Math.floor(rand() * 24) }, () => ({
      pitch: 48 + Math.floor(rand() * 24),
      tick: Math.floor(rand() * 64) * 120,
      duration: 120,
      velocity: 90,
    })).sort((a, b) => a.tick - b.tick),
  }));
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

async function main(): Promise<void> {
  const started = performance.now();
  const retrieval: Record<string, unknown> = {};
  for (const part of ['lead', 'keys'] as const) {
    const windows = pop909Windows(DATASETS, { split: 'valid', part, perSong: 12 });
    if (!windows.length) break;
    retrieval[part === 'lead' ? 'melody' : 'piano'] = {
      keyRelative: evaluateRetrieval(windows, true),
      absolutePitch: evaluateRetrieval(windows, false),
    };
    console.log(part, JSON.stringify(retrieval[part === 'lead' ? 'melody' : 'piano']));
  }

  const pool = [
    ...pop909Windows(DATASETS, { split: 'train', part: 'lead', perSong: 8 }).map((w) => [w, 'lead'] as const),
    ...pop909Windows(DATASETS, { split: 'train', part: 'keys', perSong: 8 }).map((w) => [w, 'keys'] as const),
  ];
  const source = pool.length >= Math.max(...SIZES) ? 'POP909 training songs, 4-bar windows of melody and piano' : 'synthetic clips';
  const windows = pool.length >= Math.max(...SIZES) ? pool : syntheticWindows(Math.max(...SIZES)).map((w) => [w, 'lead'] as const);

  const latency: Record<string, unknown> = {};
  for (const size of SIZES) {
    const clips = windows.slice(0, size).map(([w, role], i) => clipOf(w, i, role));
    const dir = mkdtempSync(join(tmpdir(), 'riffroom-bench-library-'));
    const path = join(dir, 'library.sqlite');
    const { store: sqlite } = openSqliteLibrary(path);
    const saveMs: number[] = [];
    for (const clip of clips.slice(0, 200)) saveMs.push((await timeAsync(() => sqlite.saveClip(clip)))[1]);
    const [, importMs] = await timeAsync(() => sqlite.importSnapshot({ clips, presets: [] }));
    sqlite.close();
    const fileBytes =
      statSync(path).size +
      (() => {
        try {
          return statSync(`${path}-wal`).size;
        } catch {
          return 0;
        }
      })();
    const store = openSqliteLibrary(path).store;
    const memory = new MemoryLibraryStore();
    await memory.importSnapshot({ clips, presets: [] });

    const queries: Record<string, LibraryQuery> = { text: { text: 'chorus' }, roleTempo: { role: 'lead', tempo: { min: 90, max: 110 } } };
    const search: Record<string, unknown> = {};
    for (const [name, query] of Object.entries(queries)) {
      for (const [kind, s] of [
        ['sqlite', store],
        ['memory', memory],
      ] as const) {
        const ms: number[] = [];
        let hits = 0;
        for (let r = 0; r < RUNS; r++) {
          const [found, t] = await timeAsync(() => s.listClips(query));
          hits = found.length;
          ms.push(t);
        }
        search[`${kind}.${name}`] = { hits, ms: summarize(ms) };
      }
    }

    // "More like this": the features of every clip are computed once (the first ask of a page
    // session: `featuresAllMs`, timed uncached), then each ask ranks the whole library (`askMs`,
    // on a fresh listing each time: new objects, features from the cache).
    const listed = await store.listClips();
    const featuresMs: number[] = [];
    for (let r = 0; r < 3; r++)
      featuresMs.push(
        time(() => {
          for (const c of listed)
            clipFeatures({
              notes: c.notes,
              lengthBars: c.lengthBars,
              meter: c.meter,
              key: c.metadata.key?.value ?? null,
              drums: c.role === 'drums',
            });
        })[1],
      );
    const askMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const fresh = r % 10 === 0 ? await store.listClips() : listed;
      askMs.push(time(() => findSimilar(libraryClipFeatures(fresh[r]!), { library: fresh, song: null }))[1]);
    }
    store.close();
    rmSync(dir, { recursive: true, force: true });
    latency[String(size)] = {
      search,
      moreLikeThis: { featuresAllMs: summarize(featuresMs), askMs: summarize(askMs) },
      sqlite: { saveOneMs: summarize(saveMs), importAllMs: Math.round(importMs), fileBytesPerClip: Math.round(fileBytes / size) },
    };
    console.log(size, JSON.stringify(latency[String(size)]));
  }

  const result = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 10) / 10),
    },
    retrieval: {
      what: 'POP909 held-out songs (models/training/splits.ts valid), 12 four-bar windows per song; each window ranks all others; precision@10 = share of its 10 nearest from its own song; transposedCopyFirst = a copy moved 1-6 semitones (key moved along) ranks first',
      ...retrieval,
    },
    latency: { clips: source, runs: RUNS, ...latency },
    seconds: Math.round((performance.now() - started) / 1000),
  };
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}

await main();
