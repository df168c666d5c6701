/**
 * The decoded banks the live synth plays (pcm-bank.ts), from the shipped SF3: only the asked
 * presets, every sample plain PCM, the parsed SF3 left compressed, and — what matters — the band
 * song rendered from the decoded bank sounds as from the SF3 (the same synth, spessasynth_core;
 * the only difference is 16-bit rounding, far below hearing).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BasicSoundBank } from 'spessasynth_core';
import * as f from '../fixtures.ts';
import { ensureBank } from '../bank/build.ts';
import { compileSong } from '../song-events.ts';
import { loadBank, renderSampled } from './offline-core.ts';
import { pcmBank, presetOf } from './pcm-bank.ts';
import type { SamplerPatch } from './patch.ts';

describe('decoded banks for the live synth', { timeout: 120_000 }, () => {
  let sf3: BasicSoundBank;
  before(async () => {
    const bytes = readFileSync(await ensureBank());
    sf3 = loadBank(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });

  test('holds exactly the asked presets, each sample PCM; the SF3 it came from stays compressed', async () => {
    const patches: SamplerPatch[] = [
      { id: 'fingered-bass', bank: 0, program: 33, drums: false },
      { id: 'standard-kit', bank: 128, program: 0, drums: true },
    ];
    const out = await pcmBank(sf3, patches);
    const decoded = loadBank(out.sf2);
    assert.deepEqual(decoded.presets.map((p) => `${p.isGMGSDrum ? 'drums' : p.bankMSB}:${p.program}`).sort(), ['0:33', 'drums:0']);
    assert.ok(decoded.samples.length > 0 && decoded.samples.length === out.samples);
    assert.ok(
      decoded.samples.every((s) => !s.isCompressed),
      'a sample is still compressed',
    );
    assert.ok(
      sf3.samples.every((s) => s.isCompressed),
      'the shared SF3 was changed',
    );
  });

  test('the band song from the decoded bank sounds as from the SF3: every stem within 16-bit rounding', async () => {
    const song = f.bandSong();
    const patches = [...new Map(compileSong(song).tracks.map((t) => [t.patch.id, t.patch])).values()];
    const out = await pcmBank(sf3, patches);
    const [fromSf3, fromPcm] = await Promise.all([renderSampled(song, sf3), renderSampled(song, loadBank(out.sf2))]);
    assert.equal(fromPcm.stems.length, fromSf3.stems.length);
    for (const [i, stem] of fromSf3.stems.entries()) {
      let peak = 0;
      let worst = 0;
      for (const [c, channel] of stem.channels.entries()) {
        const other = fromPcm.stems[i]!.channels[c]!;
        for (let n = 0; n < channel.length; n++) {
          peak = Math.max(peak, Math.abs(channel[n]!));
          worst = Math.max(worst, Math.abs(channel[n]! - other[n]!));
        }
      }
      assert.ok(peak > 0.01, `${stem.trackId} is silent`);
      // 16-bit rounding is 2^-16 of full scale per sample; a few voices add a few of those.
      assert.ok(worst < 1e-3, `${stem.trackId}: worst sample ${worst} apart (peak ${peak})`);
    }
  });

  test('a patch the bank does not have is named in the error', async () => {
    assert.throws(() => presetOf(sf3, { id: 'made-up', program: 127, drums: true }), /no drum kit for made-up \(program 127\)/);
    await assert.rejects(pcmBank(sf3, []), /no patches/);
  });
});
