/**
 * The feature golden of the sampled render: the two-bar band song (renderer/audio/fixtures.ts)
 * rendered offline, mixed dry (fader/pan law), as octave band energies every 50 ms. Shared by
 * the test (sampled-render.test.ts) and the script that regenerates the committed golden
 * (`node tests/audio/sampled-features.ts --write`, after a deliberate change of sound).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bandSong } from '../../renderer/audio/fixtures.ts';
import { mixDry } from '../../renderer/audio/sampler/offline-core.ts';
import type { ThreadRenderer } from '../../renderer/audio/sampler/node/offline-node.ts';
import { bandEnergies, mono, OCTAVE_EDGES } from '../../renderer/audio/spectrum.ts';

export const GOLDEN_FILE = new URL('./goldens/sampled-band-song.json', import.meta.url);

export interface Features {
  song: string;
  hopSeconds: number;
  windowSamples: number;
  bandEdgesHz: number[];
  /** dB, one row per hop, 0.1 dB steps. */
  rows: number[][];
}

export async function bandSongFeatures(renderer: ThreadRenderer): Promise<Features> {
  const render = await renderer.render(bandSong());
  const rows = bandEnergies(mono(mixDry(render)), render.sampleRate, 0.05, 4096).map((row) => row.map((db) => Math.round(db * 10) / 10));
  return { song: 'fixtures.bandSong()', hopSeconds: 0.05, windowSamples: 4096, bandEdgesHz: OCTAVE_EDGES, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  const { openThreadRenderer } = await import('../../renderer/audio/sampler/node/offline-node.ts');
  const { ensureBank } = await import('../../renderer/audio/bank/build.ts');
  const renderer = openThreadRenderer(await ensureBank());
  try {
    const features = await bandSongFeatures(renderer);
    writeFileSync(GOLDEN_FILE, `${JSON.stringify(features)}\n`);
    console.log(`wrote ${fileURLToPath(GOLDEN_FILE)}: ${features.rows.length} rows`);
  } finally {
    await renderer.close();
  }
}
