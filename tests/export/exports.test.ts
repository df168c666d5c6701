/**
 * Exports made in real Chromium through the real engine (renderSong, a black box) and opened by an
 * independent decoder (Debian's ffmpeg):
 * - stems: one 24-bit WAV per track in a zip, each as long as the mix and starting with it, and
 *   they add up to the mix (a mix kept under the master limiter, where the master bus is linear);
 * - Opus: WebCodecs' encoder in our Ogg muxer; ffprobe reads its duration (within 20 ms) and tags,
 *   and its decoded energy over time and loudness (ffmpeg's ebur128) match the WAV's, aligned to
 *   the sample.
 * And the dialog's slot for the mastering report renders the rows it is given.
 * Fails, naming ffmpeg, when ffmpeg is not installed; skips without Chromium like the engine tests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { chromiumMissing, openAudioPage, type AudioPage } from '../audio/audio-page.ts';
import { ffmpegDecode, ffmpegLoudness, ffprobe, requireFfmpeg, withTempFile } from '../support/ffmpeg-decode.ts';

const ENTRY = `
import * as engine from './renderer/audio/tone/index.ts';
import * as fixtures from './renderer/audio/fixtures.ts';
import * as exporter from './renderer/export/export-song.ts';
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { LoudnessReport } from './renderer/export/LoudnessReport.tsx';
const showReport = (figures) => {
  const host = document.createElement('div');
  document.body.append(host);
  const root = createRoot(host);
  flushSync(() => root.render(createElement(LoudnessReport, { figures })));
  const html = host.innerHTML;
  root.unmount();
  host.remove();
  return html;
};
const b64 = (bytes) => { let s = ''; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000)); return btoa(s); };
globalThis.riffroomAudio = { ...engine, fixtures, exporter, b64, showReport };
`;

const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const SLOW = { timeout: 180_000 };
const missing = chromiumMissing();

type Channels = Float32Array[];

function rms(channels: Channels, from = 0, to = Infinity): number {
  let sum = 0;
  let n = 0;
  for (const ch of channels) {
    for (let i = from; i < Math.min(to, ch.length); i++) sum += ch[i]! * ch[i]!;
    n += Math.max(0, Math.min(to, ch.length) - from);
  }
  return Math.sqrt(sum / Math.max(1, n));
}

const db = (x: number) => 20 * Math.log10(Math.max(x, 1e-12));

if (missing) {
  test('exports in Chromium', (t) => {
    t.skip(missing);
  });
} else {
  describe('exports in Chromium, read back by ffmpeg', { timeout: 600_000 }, () => {
    let page: AudioPage;
    before(async () => {
      page = await openAudioPage(ENTRY);
    });
    after(async () => {
      await page?.close();
    });

    test('stems: one 24-bit WAV per heard track in a zip, as long as the mix, and they sum to the mix', SLOW, async (t) => {
      requireFfmpeg();
      const got = await page.inPage(async () => {
        const a = globalThis.riffroomAudio;
        // Faders down so the mix stays under the master limiter (linear there), with a muted
        // fifth track that must get no stem.
        const band = a.fixtures.bandSong({ title: 'Stem test' });
        const quiet = {
          ...band,
          tracks: [
            ...band.tracks.map((t) => ({ ...t, volumeDb: t.volumeDb - 8 })),
            { ...band.tracks[3], id: 'muted', name: 'Muted', mute: true, order: 9 },
          ],
        };
        const rendered = await a.exporter.renderExport(
          quiet,
          { range: { fromBar: 0, toBar: 2 }, format: 'wav24', stems: true },
          a.renderSong,
        );
        const encoded = await a.exporter.encodeExport(rendered, { title: 'Stem test', provenance: 'fixture' }, 'Stem test');
        return {
          zip: a.b64(encoded.stems!.zip.bytes),
          zipName: encoded.stems!.zip.name,
          mixFrames: rendered.mix.channels[0].length,
          mixPeak: a.levels(rendered.mix).peak,
          stemPeaks: rendered.stems.map((s) => a.levels(s.audio).peak),
        };
      }, null);
      assert.equal(got.zipName, 'Stem test stems.zip');
      assert.ok(got.mixPeak < 0.6, `the premise: the mix peaks at ${got.mixPeak.toFixed(3)}, under the limiter and the soft clip's knee`);
      const files = unzipSync(fromB64(got.zip));
      const names = Object.keys(files).sort();
      assert.deepEqual(
        names,
        ['00 Mix.wav', '01 drums.wav', '02 bass.wav', '03 keys.wav', '04 lead.wav'].map((n) => `Stem test stems/${n}`),
      );
      const decoded = names.map((name) =>
        withTempFile('f.wav', files[name]!, (path) => ({ probe: ffprobe(path), audio: ffmpegDecode(path) })),
      );
      for (const [i, d] of decoded.entries()) {
        assert.equal(d.probe.codec, 'pcm_s24le', names[i]);
        assert.equal(d.audio.channels[0]!.length, got.mixFrames, `${names[i]} has the mix's sample count`);
      }
      assert.equal(decoded[2]!.probe.tags.title, 'Stem test – bass');
      const [mix, ...stems] = decoded.map((d) => d.audio.channels);
      for (const [i, s] of stems.entries()) assert.ok(rms(s) > 0.005, `stem ${i + 1} sounds (RMS ${rms(s)})`);
      let worst = 0;
      const residual: Channels = mix!.map((ch) => new Float32Array(ch.length));
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < got.mixFrames; i++) {
          let sum = 0;
          for (const s of stems) sum += s[c]![i]!;
          residual[c]![i] = sum - mix![c]![i]!;
          worst = Math.max(worst, Math.abs(residual[c]![i]!));
        }
      }
      const residualDb = db(rms(residual)) - db(rms(mix!));
      t.diagnostic(
        `mix peak ${got.mixPeak.toFixed(3)}; stems sum to the mix within ${worst.toExponential(1)} (worst sample), residual ${residualDb.toFixed(1)} dB below the mix`,
      );
      assert.ok(worst < 2e-3, `worst sample difference ${worst}`);
      assert.ok(residualDb < -60, `residual ${residualDb.toFixed(1)} dB relative to the mix`);
    });

    test('Opus: WebCodecs packets in our Ogg file decode in ffmpeg with the right length, tags, energy and loudness', SLOW, async (t) => {
      requireFfmpeg();
      const got = await page.inPage(async () => {
        const a = globalThis.riffroomAudio;
        const song = a.fixtures.bandSong({ title: 'Opus test' });
        const rendered = await a.exporter.renderExport(
          song,
          { range: { fromBar: 0, toBar: 2 }, format: 'opus', stems: false },
          a.renderSong,
        );
        const meta = { title: 'Opus test', provenance: 'Drums by Ana', masteringChain: { normalizeLufs: -14 } };
        const t0 = performance.now();
        const encoded = await a.exporter.encodeExport(rendered, meta, 'Opus test');
        const encodeMs = performance.now() - t0;
        return {
          opus: a.b64(encoded.mix.bytes),
          name: encoded.mix.name,
          wav: a.b64(a.encodeWav(rendered.mix, { bitDepth: 24 })),
          sampleRate: rendered.mix.sampleRate,
          frames: rendered.mix.channels[0].length,
          encodeMs,
        };
      }, null);
      assert.equal(got.name, 'Opus test.opus');
      assert.equal(got.sampleRate, 48000);
      const opus = fromB64(got.opus);
      const seconds = got.frames / 48000;
      const { probe, audio } = withTempFile('x.opus', opus, (path) => ({ probe: ffprobe(path), audio: ffmpegDecode(path) }));
      assert.equal(probe.codec, 'opus');
      assert.equal(probe.channels, 2);
      assert.ok(Math.abs(probe.duration - seconds) <= 0.02, `ffprobe duration ${probe.duration} s vs ${seconds} s`);
      assert.equal(probe.tags.title, 'Opus test');
      assert.equal(probe.tags.comment, 'Drums by Ana\nMastering: {"normalizeLufs":-14}');
      assert.equal(probe.tags.riffroom_mastering, '{"normalizeLufs":-14}');
      assert.equal(audio.channels[0]!.length, got.frames, 'decodes to exactly the rendered length');
      const wavBytes = fromB64(got.wav);
      const wav = withTempFile('x.wav', wavBytes, (path) => ffmpegDecode(path)).channels;
      // Loudness as ffmpeg's EBU R128 meter reads each file.
      const lufs = { opus: withTempFile('x.opus', opus, ffmpegLoudness), wav: withTempFile('x.wav', wavBytes, ffmpegLoudness) };
      assert.ok(
        Number.isFinite(lufs.wav) && Math.abs(lufs.opus - lufs.wav) <= 0.5,
        `integrated loudness: Opus ${lufs.opus} LUFS, WAV ${lufs.wav} LUFS`,
      );
      // Aligned: the best lag between the decoded Opus and the WAV is 0 (the pre-skip is right).
      const lagScore = (lag: number) => {
        let s = 0;
        for (let i = 4800; i < 4800 + 48000; i++) s += wav[0]![i]! * audio.channels[0]![i + lag]!;
        return s;
      };
      let best = 0;
      for (let lag = -480; lag <= 480; lag++) if (lagScore(lag) > lagScore(best)) best = lag;
      assert.equal(best, 0, `the Opus decode is offset by ${best} samples`);
      const whole = db(rms(audio.channels)) - db(rms(wav));
      // Energy every 50 ms (2400 samples) wherever the WAV is not near silence.
      const frameDiffs: number[] = [];
      for (let from = 0; from + 2400 <= got.frames; from += 2400) {
        const w = rms(wav, from, from + 2400);
        if (db(w) > -40) frameDiffs.push(Math.abs(db(rms(audio.channels, from, from + 2400)) - db(w)));
      }
      const sorted = [...frameDiffs].sort((x, y) => x - y);
      const worstFrame = sorted.at(-1)!;
      const p95 = sorted[Math.floor(0.95 * (sorted.length - 1))]!;
      const median = sorted[Math.floor(sorted.length / 2)]!;
      t.diagnostic(
        `${opus.length} bytes for ${seconds.toFixed(2)} s (${((opus.length * 8) / seconds / 1000).toFixed(0)} kb/s), encoded in ${got.encodeMs.toFixed(0)} ms; ${lufs.opus} LUFS vs the WAV's ${lufs.wav}; RMS ${whole.toFixed(2)} dB vs WAV; 50 ms frames over ${frameDiffs.length}: median ${median.toFixed(2)} dB, 95th percentile ${p95.toFixed(2)} dB, worst ${worstFrame.toFixed(2)} dB`,
      );
      // A perceptual codec keeps each band's energy, not the waveform: close overall and over time,
      // looser in the quietest frames (reverb tails, hats alone), where its noise floor shows.
      assert.ok(Math.abs(whole) < 0.5, `overall level ${whole.toFixed(2)} dB from the WAV's`);
      assert.ok(frameDiffs.length > 60, `${frameDiffs.length} frames compared`);
      assert.ok(
        median < 0.5 && p95 < 2 && worstFrame < 3,
        `50 ms frames vs the WAV's: median ${median.toFixed(2)}, p95 ${p95.toFixed(2)}, worst ${worstFrame.toFixed(2)} dB`,
      );
      // Small: under a fifth of the 16-bit WAV's size.
      assert.ok(opus.length < (got.frames * 4) / 5, `${opus.length} bytes`);
    });

    test('the loudness report slot shows one row per figure, in plain words, and nothing when empty', async () => {
      const figures = [
        {
          figure: 'Integrated loudness',
          value: '−9.1 LUFS',
          verdict: 'warn',
          words: 'Streaming services will turn this down by about 5 dB.',
        },
        { figure: 'True peak', value: '−1.2 dBTP', verdict: 'ok', words: 'Below −1 dBTP: no clipping after encoding.' },
      ];
      const [html, empty] = await page.inPage(async (f) => {
        const a = globalThis.riffroomAudio;
        return [a.showReport(f), a.showReport([])];
      }, figures);
      assert.equal(empty, '');
      const rows = html.match(/<tr [^>]*>.*?<\/tr>/g) ?? [];
      assert.equal(rows.length, 2);
      assert.match(rows[0]!, /data-verdict="warn"/);
      for (const [i, f] of figures.entries())
        for (const text of [f.figure, f.value, f.verdict, f.words]) assert.ok(rows[i]!.includes(text), `${text} in row ${i}`);
    });
  });
}
