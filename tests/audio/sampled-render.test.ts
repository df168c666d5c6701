/**
 * The sampled instruments offline, in Node: spessasynth_core rendering songs in a worker thread
 * (renderer/audio/sampler/node/offline-node.ts) from the bank (bank-source.ts). Each preset must
 * sound like itself — checked by measured spectral properties, not stored audio — and the
 * two-bar band song must match its committed feature golden (octave band energies every 50 ms,
 * within ±1 dB; regenerate with `node tests/audio/sampled-features.ts --write`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as f from '../../renderer/audio/fixtures.ts';
import { mixDry } from '../../renderer/audio/sampler/offline-core.ts';
import { openThreadRenderer, type ThreadRenderer } from '../../renderer/audio/sampler/node/offline-node.ts';
import { ensureBank } from '../../renderer/audio/bank/build.ts';
import { centroid, flatness, mono, peakHz, powerSpectrum } from '../../renderer/audio/spectrum.ts';
import type { TrackRole } from '../../core/song/types.ts';
import { GOLDEN_FILE, bandSongFeatures, type Features } from './sampled-features.ts';

const midiToHz = (pitch: number) => 440 * 2 ** ((pitch - 69) / 12);

/** Mean power in dB over [from, to) seconds. */
function energyDb(x: Float64Array, sampleRate: number, from: number, to: number): number {
  let sum = 0;
  const a = Math.round(from * sampleRate);
  const b = Math.round(to * sampleRate);
  for (let i = a; i < b; i++) sum += x[i]! ** 2;
  return 10 * Math.log10(sum / (b - a) + 1e-30);
}

describe('sampled instruments, rendered offline in a worker thread', { timeout: 300_000 }, () => {
  let renderer: ThreadRenderer;
  before(async () => {
    renderer = openThreadRenderer(await ensureBank());
  });
  after(async () => {
    await renderer?.close();
  });

  /** One note of `beats` quarter notes at 120 BPM on a one-track song, mono. */
  async function note(role: TrackRole, instrument: string, pitch: number, beats = 4): Promise<{ x: Float64Array; sampleRate: number }> {
    const song = f.song([f.track('t', role, { instrument })], [f.clip('c', 't', 0, 1, [[pitch, 0, 480 * beats, 100]])]);
    const render = await renderer.render(song, { tailSeconds: 0.5 });
    assert.equal(render.stems.length, 1);
    return { x: mono(render.stems[0]!.channels), sampleRate: render.sampleRate };
  }

  test('the band song: every track sounds on its own stem, the mix never clips, faster than real time', async (t) => {
    const render = await renderer.render(f.bandSong());
    assert.deepEqual(
      render.stems.map((s) => s.trackId),
      ['drums', 'bass', 'keys', 'lead'],
    );
    for (const stem of render.stems) {
      const level = energyDb(mono(stem.channels), render.sampleRate, 0, 4);
      assert.ok(level > -45, `${stem.trackId}: ${level.toFixed(1)} dB`);
    }
    const [left, right] = mixDry(render);
    let peak = 0;
    for (const ch of [left, right]) for (const v of ch) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 0.1 && peak < 0.98, `peak ${peak}`);
    const speed = render.frames / render.sampleRate / (render.renderMs / 1000);
    t.diagnostic(
      `${(render.frames / render.sampleRate).toFixed(2)} s rendered in ${render.renderMs.toFixed(0)} ms (${speed.toFixed(1)}× real time; bank parsed in ${render.bankMs.toFixed(0)} ms)`,
    );
  });

  test('a piano note has decaying partials and is no sine', async () => {
    const { x, sampleRate } = await note('keys', 'grand-piano', 60);
    const early = energyDb(x, sampleRate, 0.05, 0.3);
    const late = energyDb(x, sampleRate, 1.5, 1.9);
    assert.ok(early - late > 10, `decays ${(early - late).toFixed(1)} dB from the attack to 1.5 s`);
    const power = powerSpectrum(x, Math.round(0.1 * sampleRate), 8192);
    const f0 = midiToHz(60);
    const strongest = (hz: number) => {
      const k = Math.round((hz * 8192) / sampleRate);
      return Math.max(...Array.from(power.subarray(k - 3, k + 4)));
    };
    const partials = [1, 2, 3, 4, 5, 6].map((n) => 10 * Math.log10(strongest(n * f0)));
    const top = Math.max(...partials);
    const heard = partials.filter((db) => db > top - 40).length;
    assert.ok(heard >= 4, `partials within 40 dB of the strongest: ${heard} (${partials.map((d) => (d - top).toFixed(0)).join(', ')} dB)`);
    // ...and a sine of the same pitch is nothing like it: flatness of the piano is far above a sine's.
    const sine = Float64Array.from({ length: 8192 }, (_, i) => Math.sin((2 * Math.PI * f0 * i) / sampleRate));
    assert.ok(flatness(power, sampleRate) > 10 * flatness(powerSpectrum(sine, 0, 8192), sampleRate));
  });

  test('a snare is noisy (spectral flatness high), a kick is not', async () => {
    const snare = await note('drums', 'acoustic-kit', 38, 1);
    const kick = await note('drums', 'acoustic-kit', 36, 1);
    const flat = (n: { x: Float64Array; sampleRate: number }) =>
      flatness(powerSpectrum(n.x, Math.round(0.01 * n.sampleRate), 4096), n.sampleRate);
    assert.ok(flat(snare) > 0.05, `snare flatness ${flat(snare).toFixed(3)}`);
    assert.ok(flat(kick) < flat(snare) / 5, `kick ${flat(kick).toFixed(4)} vs snare ${flat(snare).toFixed(3)}`);
  });

  test("a bass note's centroid is low, a piano's higher", async () => {
    const bass = await note('bass', 'finger-bass', 33);
    const piano = await note('keys', 'grand-piano', 60);
    const c = (n: { x: Float64Array; sampleRate: number }) =>
      centroid(powerSpectrum(n.x, Math.round(0.1 * n.sampleRate), 8192), n.sampleRate);
    assert.ok(c(bass) < 300, `bass centroid ${c(bass).toFixed(0)} Hz`);
    assert.ok(c(piano) > 1.5 * c(bass), `piano ${c(piano).toFixed(0)} Hz vs bass ${c(bass).toFixed(0)} Hz`);
  });

  test('presets are in tune with midiToHz (within 5 cents)', async () => {
    for (const [role, instrument, pitch] of [
      ['keys', 'grand-piano', 69],
      ['keys', 'electric-piano', 69],
      ['keys', 'drawbar-organ', 69],
      ['other', 'strings', 69],
      ['lead', 'saw-lead', 69],
      ['other', 'pad', 69],
      ['bass', 'finger-bass', 33],
    ] as const) {
      const { x, sampleRate } = await note(role, instrument, pitch);
      const hz = midiToHz(pitch);
      const got = peakHz(powerSpectrum(x, Math.round(0.1 * sampleRate), 8192), sampleRate, hz * 0.94, hz * 1.06);
      const cents = 1200 * Math.log2(got / hz);
      assert.ok(Math.abs(cents) < 5, `${instrument} ${pitch}: ${got.toFixed(2)} Hz, ${cents.toFixed(1)} cents off ${hz.toFixed(2)} Hz`);
    }
  });

  test('the band song matches its feature golden: octave band energies every 50 ms within ±1 dB', async () => {
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Features;
    const got = await bandSongFeatures(renderer);
    assert.equal(got.rows.length, golden.rows.length);
    const off: string[] = [];
    got.rows.forEach((row, i) =>
      row.forEach((db, b) => {
        const want = golden.rows[i]![b]!;
        // Bands near silence on both sides carry no information (and float noise lives there).
        if (Math.max(db, want) < -90) return;
        if (Math.abs(db - want) > 1) off.push(`${(i * 0.05).toFixed(2)} s, ${golden.bandEdgesHz[b]} Hz: ${db} dB, golden ${want} dB`);
      }),
    );
    assert.deepEqual(off, []);
  });

  test('a wrong instrument is caught by the golden: the keys on an organ differ by more than 1 dB', async () => {
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Features;
    const song = f.bandSong();
    song.tracks = song.tracks.map((t) => (t.id === 'keys' ? { ...t, instrument: 'drawbar-organ' } : t));
    const render = await renderer.render(song);
    const { bandEnergies } = await import('../../renderer/audio/spectrum.ts');
    const rows = bandEnergies(mono(mixDry(render)), render.sampleRate, 0.05, 4096);
    const cellsOff = rows.flatMap((row, i) => row.filter((db, b) => Math.abs(db - golden.rows[i]![b]!) > 1)).length;
    assert.ok(cellsOff > rows.length, `${cellsOff} cells off`);
  });
});
