/**
 * Test music for the watermark benchmark: songs generated from a seed (tempo, key, instruments,
 * drum pattern, bass line, chord voicings and a lead melody all vary) and rendered by the app's
 * own offline sampled renderer (renderer/audio/sampler: spessasynth_core with the shipped bank, in
 * a worker thread), mixed by the live fader/pan law. Deterministic: the same seed gives the same song.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../../core/random.ts';
import type { Song, TrackRole } from '../../core/song/types.ts';
import { clip, song, track } from '../../renderer/audio/fixtures.ts';
import { ensureBank } from '../../renderer/audio/bank/build.ts';
import { mixDry } from '../../renderer/audio/sampler/offline-core.ts';
import { openThreadRenderer } from '../../renderer/audio/sampler/node/offline-node.ts';

const Q = 480;
type NoteSpec = [number, number, number, number];

const KITS = ['acoustic-kit', 'room-kit', 'power-kit', 'electronic-kit', 'jazz-kit'];
const BASSES = ['finger-bass', 'pick-bass', 'fretless-bass', 'synth-bass', 'acoustic-bass'];
const KEYS = ['grand-piano', 'bright-piano', 'drawbar-organ', 'clean-guitar', 'strings', 'pad', 'vibraphone', 'steel-guitar'];
const LEADS = ['saw-lead', 'square-lead', 'trumpet', 'alto-sax', 'flute', 'violin', 'overdrive-guitar', 'choir'];
const PROGRESSIONS = [
  [0, 5, 3, 4],
  [0, 3, 4, 4],
  [5, 3, 0, 4],
  [0, 4, 5, 3],
];
const MAJOR = [0, 2, 4, 5, 7, 9, 11];

export function generatedSong(seed: number, bars = 16): Song {
  const r = seededRandom(seed * 7919 + 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const tonic = Math.floor(r() * 12);
  const bpm = 80 + Math.floor(r() * 70);
  const progression = pick(PROGRESSIONS);
  const degree = (d: number, octave: number) => 12 * octave + tonic + MAJOR[((d % 7) + 7) % 7]! + 12 * Math.floor(d / 7);
  const drums: NoteSpec[] = [];
  const bass: NoteSpec[] = [];
  const keys: NoteSpec[] = [];
  const lead: NoteSpec[] = [];
  const busy = r() < 0.5;
  for (let bar = 0; bar < bars; bar++) {
    const at = bar * 4 * Q;
    const root = progression[bar % progression.length]!;
    for (let s = 0; s < 16; s++) {
      const t = at + (s * Q) / 4;
      if (s % 8 === 0 || (busy && s === 10)) drums.push([36, t, Q / 4, 115]);
      if (s % 8 === 4) drums.push([38, t, Q / 4, 105]);
      if (s % 2 === 0 || busy) drums.push([r() < 0.15 ? 46 : 42, t, Q / 8, 60 + Math.floor(r() * 30)]);
    }
    for (let e = 0; e < 8; e++) {
      if (r() < 0.15) continue;
      const d = root + (r() < 0.7 ? 0 : pick([2, 4, 7]));
      bass.push([degree(d, 3), at + (e * Q) / 2, Q / 2 - 20, 90 + Math.floor(r() * 20)]);
    }
    const chord = [0, 2, 4, r() < 0.4 ? 6 : 7].map((i) => degree(root + i, 5));
    const hits = r() < 0.5 ? [0] : [0, 1, 2, 3];
    for (const h of hits)
      for (const p of chord) keys.push([p, at + h * Q, (hits.length === 1 ? 4 : 1) * Q - 20, 65 + Math.floor(r() * 20)]);
    let t = at;
    let d = root + 7;
    while (t < at + 4 * Q) {
      const len = pick([Q / 2, Q / 2, Q, Q / 4, 2 * Q]);
      if (r() < 0.8) lead.push([degree(d, 5), t, len - 10, 80 + Math.floor(r() * 25)]);
      d += pick([-2, -1, -1, 1, 1, 2, 3, -3]);
      t += len;
    }
  }
  const role = (id: TrackRole, instrument: string, volumeDb: number, pan: number) => track(id, id, { instrument, volumeDb, pan });
  return song(
    [
      role('drums', pick(KITS), -2, 0),
      role('bass', pick(BASSES), -3, 0),
      role('keys', pick(KEYS), -5 - 4 * r(), -0.3),
      role('lead', pick(LEADS), -5 - 3 * r(), 0.3),
    ],
    [
      clip('d', 'drums', 0, bars, drums),
      clip('b', 'bass', 0, bars, bass),
      clip('k', 'keys', 0, bars, keys),
      clip('l', 'lead', 0, bars, lead),
    ],
    { bpm },
  );
}

export interface RenderedSong {
  seed: number;
  bpm: number;
  sampleRate: number;
  channels: [Float32Array, Float32Array];
}

/** Renders are kept here between runs (the same seed renders the same song): raw stereo float32. */
const CACHE = join(tmpdir(), 'riffroom-watermark-songs');

/** Render songs `seeds` at `sampleRate` through the offline sampled renderer (cached in the temp folder). */
export async function renderSongs(seeds: number[], sampleRate: number, bars = 16): Promise<RenderedSong[]> {
  let renderer: ReturnType<typeof openThreadRenderer> | null = null;
  mkdirSync(CACHE, { recursive: true });
  try {
    const out: RenderedSong[] = [];
    for (const seed of seeds) {
      const s = generatedSong(seed, bars);
      const file = join(CACHE, `v1-${seed}-${bars}-${sampleRate}.f32`);
      let channels: [Float32Array, Float32Array];
      if (existsSync(file)) {
        const raw = readFileSync(file);
        const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
        channels = [all.slice(0, all.length / 2), all.slice(all.length / 2)];
      } else {
        renderer ??= openThreadRenderer(await ensureBank());
        channels = mixDry(await renderer.render(s, { sampleRate, tailSeconds: 1 }));
        const both = new Float32Array(channels[0].length * 2);
        both.set(channels[0]);
        both.set(channels[1], channels[0].length);
        writeFileSync(file, new Uint8Array(both.buffer));
      }
      out.push({ seed, bpm: s.meta.bpm, sampleRate, channels });
    }
    return out;
  } finally {
    await renderer?.close();
  }
}
