/**
 * The worklet synth's clock in real Chromium: a note sent for context time T must start at T, for
 * every sampler of a page. The synth keeps its own clock (its processor's `currentTime` at
 * construction, plus the quanta it renders); a page's second sampler used to be built before its
 * worklet scope's `currentTime` was live, and played everything ~0.3 s late.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing, openAudioPage, type AudioPage } from './audio-page.ts';
import type { WorkletSampler } from '../../renderer/audio/sampler/index.ts';

const missing = chromiumMissing();

/**
 * Onset error allowed. Measured against the reference: +6.1 ms on a synth whose clock is right
 * (events start on the next render quantum, 2.9 ms at 44.1 kHz, plus the attack's rise to
 * -60 dB), and once +17.7 ms in 8 runs: load() accepts a synth clock up to 15 ms behind
 * (CLOCK_SLACK in worklet-sampler.ts). The bug this guards against was +215 ms; before the
 * stricter check, +26 to +55 ms was seen in either sampler.
 */
const ONSET_S = 0.025;

if (missing) {
  test('the worklet synth clock in Chromium', (t) => t.skip(missing));
} else {
  describe('the worklet synth clock in Chromium', { timeout: 180_000 }, () => {
    let page: AudioPage;
    before(async () => {
      page = await openAudioPage();
    });
    after(async () => {
      await page?.close();
    });

    test("each of a page's two samplers (two AudioContexts) starts a note at its scheduled time", { timeout: 120_000 }, async (t) => {
      const got = await page.inPage(async () => {
        const a = globalThis.riffroomAudio;
        const wait = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));
        const onsets = [] as { builds: number; scheduled: number; onset: number | null }[];
        const open: { raw: AudioContext; sampler: WorkletSampler }[] = [];
        for (let i = 0; i < 2; i++) {
          const raw = new AudioContext({ latencyHint: 'interactive' });
          // The second load reuses the first's fetch of the bank, as a history view's transport does.
          const sampler = await a.sampler.WorkletSampler.load(raw);
          open.push({ raw, sampler });
          // Left: the synth; right: a reference step the context itself starts at the same time.
          // Onsets are compared within the recording, so its own timestamps do not matter.
          const merger = raw.createChannelMerger(2);
          const synthIn = raw.createGain();
          synthIn.channelCount = 1;
          synthIn.channelCountMode = 'explicit';
          synthIn.connect(merger, 0, 0);
          sampler.connect(0, synthIn);
          const reference = raw.createConstantSource();
          reference.offset.value = 0.5;
          reference.connect(merger, 0, 1);
          const recorder = await a.recorder.recordNode(merger);
          const scheduled = raw.currentTime + 0.3;
          sampler.noteOn(0, 60, 110, scheduled);
          sampler.noteOff(0, 60, scheduled + 0.2);
          reference.start(scheduled);
          reference.stop(scheduled + 0.1);
          while (raw.currentTime < scheduled + 0.8) await wait(0.02);
          const rec = await recorder.stop();
          const first = (x: Float32Array) => {
            for (let k = 0; k < x.length; k++) if (Math.abs(x[k]) > 1e-3) return k;
            return null;
          };
          const note = first(rec.channels[0]);
          const ref = first(rec.channels[1]);
          onsets.push({
            builds: sampler.times.synthBuilds,
            scheduled,
            onset: note === null || ref === null ? null : scheduled + (note - ref) / rec.sampleRate,
          });
        }
        for (const o of open) {
          o.sampler.dispose();
          await o.raw.close();
        }
        return onsets;
      }, null);
      t.diagnostic(
        `onset - scheduled, s: ${got.map((o) => (o.onset === null ? 'silent' : (o.onset - o.scheduled).toFixed(4))).join(', ')}; synth builds: ${got.map((o) => o.builds).join(', ')}`,
      );
      got.forEach((o, i) => {
        assert.ok(o.onset !== null, `sampler ${i + 1}: the note sounds`);
        assert.ok(
          Math.abs(o.onset - o.scheduled) < ONSET_S,
          `sampler ${i + 1}: onset ${(o.onset - o.scheduled).toFixed(4)} s from its scheduled time`,
        );
      });
    });
  });
}
