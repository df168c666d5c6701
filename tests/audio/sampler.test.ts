/**
 * The sampled instruments in real Chromium: the live transport loads the bank into the worklet
 * synth and plays the band song through it; the page's offline render (the synth in a Web Worker,
 * its stems through the same mixer) must sound the same, by log-spectral distance — and a render
 * with one instrument changed must not. Also: the state says what plays, and a live note sounds
 * on the track's sampled instrument.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing, openAudioPage, type AudioPage } from './audio-page.ts';
import { logSpectralDistance, mono } from '../../renderer/audio/spectrum.ts';

const missing = chromiumMissing();

/**
 * Live vs offline renders of the same song differ by the live clock's quantum alignment, the
 * limiter's state and float noise: the band song measured 0.87-0.91 dB here. With the keys (one
 * of four tracks, at -3 dB) on an organ instead of the electric piano: 3.6 dB; the synthesized
 * voices: 10.5 dB.
 */
const SAME_SOUND_DB = 2;
/** How far the live take may sound from its schedule (the worklet synth's clock, sampler-clock.test.ts). */
const LAG_LIMIT_MS = 20;

/** The shift (samples, within ±maxLag) at which `live` best matches `reference`: normalized cross-correlation over 2 s. */
function bestLag(live: Float64Array, reference: Float64Array, maxLag: number): number {
  const span = Math.min(88_200, reference.length - maxLag, live.length - maxLag);
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let dot = 0;
    let energy = 0;
    for (let i = maxLag; i < span; i++) {
      const x = live[i + lag]!;
      dot += x * reference[i]!;
      energy += x * x;
    }
    const score = energy > 0 ? dot / Math.sqrt(energy) : -Infinity;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

if (missing) {
  test('sampled instruments in Chromium', (t) => t.skip(missing));
} else {
  describe('sampled instruments in Chromium', { timeout: 300_000 }, () => {
    let page: AudioPage;
    before(async () => {
      page = await openAudioPage();
    });
    after(async () => {
      await page?.close();
    });

    test('the band song live through the worklet synth sounds like its offline render in the worker', { timeout: 180_000 }, async (t) => {
      const playAndRender = () =>
        page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          // The offline render's rate: the comparison is sample by sample. (Left to itself Chromium
          // picks the output's rate, sometimes 48 kHz: the recording then drifts against the render.)
          const raw = new AudioContext({ latencyHint: 'interactive', sampleRate: 44100 });
          // Chromium's count of render quanta the audio thread missed (a dropout in the recording).
          // (playbackStats is Chromium's, not in the DOM types.)
          const underruns = () =>
            (raw as AudioContext & { playbackStats?: { underrunEvents: number } }).playbackStats?.underrunEvents ?? null;
          const context = new a.Tone.Context(raw);
          const song = a.fixtures.bandSong();
          // A long look-ahead and start delay: a busy machine's main-thread stalls must not make notes
          // late (what is compared is the sound, not this machine's real-time margin; the benchmark
          // measures that). maxLateness: late rather than dropped, if it happens anyway.
          const transport = a.createAudioTransport(
            { getSong: () => song, subscribe: () => () => {} },
            { context, lookAhead: 0.5, startDelay: 0.3, maxLateness: 10, initial: { loop: false } },
          );
          const states = [transport.getState().instruments];
          await transport.instrumentsReady!();
          states.push(transport.getState().instruments);
          const recorder = await a.recorder.recordNode(context.destination.output.output ?? context.destination.output);
          let start = null as number | null;
          transport.onEvent((e) => {
            if (e.kind === 'note' && e.tick === 0) start ??= e.time;
          });
          const underrunsBefore = underruns();
          await transport.play();
          while (transport.getState().playing) await new Promise((r) => setTimeout(r, 50));
          const end = (start ?? 0) + 4 + 1.5;
          while (raw.currentTime < end) await new Promise((r) => setTimeout(r, 50));
          const live = await recorder.stop();
          const dropouts = underrunsBefore === null ? null : underruns()! - underrunsBefore;
          const stats = transport.stats();
          transport.dispose();
          await raw.close();
          const offline = await a.renderSong(song);
          const wrongSong = { ...song, tracks: song.tracks.map((t) => (t.id === 'keys' ? { ...t, instrument: 'drawbar-organ' } : t)) };
          const wrong = await a.renderSong(wrongSong);
          const synthesized = await a.renderSong(song, { instruments: 'synthesized' });
          // The live recording from the downbeat on (the limiter delays its output by 6 ms, which
          // the offline render trims).
          const from = Math.round((start! + 0.006 - live.startTime) * live.sampleRate);
          const cut = (c: Float32Array) => c.slice(from, from + offline.channels[0].length);
          return {
            states,
            stats,
            dropouts,
            sampleRate: live.sampleRate,
            live: live.channels.map(cut) as unknown[],
            offline: offline.channels,
            wrong: wrong.channels,
            synthesized: synthesized.channels,
            offlineRate: offline.sampleRate,
          };
        }, null);
      const toMono = (chs: unknown[]) => mono(chs.map((c) => Float32Array.from(Object.values(c as object) as number[])));
      const measure = async () => {
        const got = await playAndRender();
        assert.deepEqual(got.states, ['loading', 'sampled']);
        assert.equal(got.stats.skipped, 0);
        const rate = got.sampleRate;
        assert.equal(got.offlineRate, rate, "the live context runs at the offline render's rate");
        const recorded = toMono(got.live);
        const rendered = toMono(got.offline);
        // The recording is cut at the first note's scheduled time. Some page loads the worklet
        // synth sounds a few ms behind its context (7.7 ms in a failing take; the clock test
        // below holds it to 20 ms): found here and taken out, so the spectra compare the same
        // moments. Beyond LAG_LIMIT_MS it is a timing failure, not a matter of sound.
        const lag = bestLag(recorded, rendered, Math.round((LAG_LIMIT_MS * rate) / 1000));
        const live = recorded.subarray(Math.max(0, lag));
        const from = (x: Float64Array) => x.subarray(Math.max(0, -lag));
        const offline = from(rendered);
        return {
          got,
          live,
          offline,
          lagMs: (lag / rate) * 1000,
          same: logSpectralDistance(live, offline, rate),
          wrong: logSpectralDistance(live, from(toMono(got.wrong)), rate),
          synthesized: logSpectralDistance(live, from(toMono(got.synthesized)), rate),
        };
      };
      // A busy machine can make the audio thread miss a deadline: the recording then has a
      // dropout the offline render lacks. Such a take is played again (at most twice more) when
      // Chromium counted the dropout; without a count, or with none, a distance over the
      // threshold fails at once.
      let take = await measure();
      for (let again = 0; again < 2 && take.same >= SAME_SOUND_DB && take.got.dropouts; again++) {
        t.diagnostic(`live vs offline ${take.same.toFixed(2)} dB with ${take.got.dropouts} dropouts in the recording: played again`);
        take = await measure();
      }
      const { got, live, offline, same, wrong, synthesized, lagMs } = take;
      assert.ok(Math.abs(lagMs) < LAG_LIMIT_MS, `the live take is ${lagMs.toFixed(1)} ms off its schedule`);
      if (same >= SAME_SOUND_DB) {
        // Where it differs: the distance per half second (the takes aligned), for the failure's message.
        const half = Math.round(got.sampleRate / 2);
        const parts: string[] = [];
        for (let at = 0; at + half <= Math.min(live.length, offline.length); at += half) {
          try {
            parts.push(logSpectralDistance(live.subarray(at, at + half), offline.subarray(at, at + half), got.sampleRate).toFixed(1));
          } catch {
            parts.push('silent');
          }
        }
        t.diagnostic(`per half second: ${parts.join(' ')}`);
        // The takes, to listen to or analyse: a failure here has been intermittent.
        const dir = mkdtempSync(join(tmpdir(), 'riffroom-sampler-'));
        writeFileSync(join(dir, 'live.f64'), new Uint8Array(live.buffer, live.byteOffset, live.byteLength));
        writeFileSync(join(dir, 'offline.f64'), new Uint8Array(offline.buffer, offline.byteOffset, offline.byteLength));
        t.diagnostic(`mono takes, aligned (float64 at ${got.sampleRate} Hz), in ${dir}`);
      }
      t.diagnostic(
        `log-spectral distance live vs offline ${same.toFixed(2)} dB; vs keys on an organ ${wrong.toFixed(2)} dB; vs the synthesized voices ${synthesized.toFixed(2)} dB; ${got.stats.lateEvents} late events; ${got.dropouts ?? 'unknown'} dropouts; live ${lagMs.toFixed(1)} ms behind the schedule`,
      );
      assert.ok(same < SAME_SOUND_DB, `live vs offline: ${same.toFixed(2)} dB`);
      assert.ok(wrong > SAME_SOUND_DB, `a wrong instrument: ${wrong.toFixed(2)} dB`);
      assert.ok(synthesized > SAME_SOUND_DB, `the synthesized voices: ${synthesized.toFixed(2)} dB`);
    });

    // In the same page as the test above: this is the page's second sampled transport, whose synth
    // once ran 0.3 s behind its context (see createOnTime in renderer/audio/sampler/worklet-sampler.ts).
    test("stop silences a held sampled note at once; a live note sounds on the track's sampled instrument until released", {
      timeout: 120_000,
    }, async () => {
      const got = await page.inPage(async () => {
        const a = globalThis.riffroomAudio;
        const f = a.fixtures;
        const raw = new AudioContext({ latencyHint: 'interactive' });
        const context = new a.Tone.Context(raw);
        // A bass track (no reverb send: what is heard after a stop is the instrument alone).
        const song = f.song([f.track('b', 'bass', { instrument: 'fretless-bass' })], [f.clip('c', 'b', 0, 2, [[40, 0, 3840, 100]])]);
        const transport = a.createAudioTransport(
          { getSong: () => song, subscribe: () => () => {} },
          { context, lookAhead: 0.5, startDelay: 0.3, maxLateness: 10 },
        );
        await transport.instrumentsReady!();
        const recorder = await a.recorder.recordNode(context.destination.output.output ?? context.destination.output);
        const wait = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));
        const until = async (time: number) => {
          while (raw.currentTime < time) await wait(0.02);
        };
        await transport.play();
        const playedAt = raw.currentTime;
        await until(playedAt + 1);
        transport.stop();
        const stoppedAt = raw.currentTime;
        await until(stoppedAt + 0.6);
        transport.liveNote({ kind: 'on', key: 'k', trackId: 'b', pitch: 45, velocity: 100 });
        const pressedAt = raw.currentTime;
        await until(pressedAt + 0.6);
        transport.liveNote({ kind: 'off', key: 'k', trackId: 'b', pitch: 45, velocity: 0 });
        const releasedAt = raw.currentTime;
        await until(releasedAt + 0.8);
        const rec = await recorder.stop();
        transport.dispose();
        await raw.close();
        const rms = (from: number, to: number) => {
          const x = rec.channels[0];
          const a0 = Math.max(0, Math.round((from - rec.startTime) * rec.sampleRate));
          const b0 = Math.min(x.length, Math.round((to - rec.startTime) * rec.sampleRate));
          let sum = 0;
          for (let i = a0; i < b0; i++) sum += x[i] * x[i];
          return 10 * Math.log10(sum / Math.max(1, b0 - a0) + 1e-20);
        };
        const around = [] as number[];
        for (let t = -0.2; t < 0.6; t += 0.05) around.push(Math.round(rms(stoppedAt + t, stoppedAt + t + 0.05)));
        return {
          around,
          playing: rms(playedAt + 0.5, stoppedAt),
          afterStop: rms(stoppedAt + 0.15, stoppedAt + 0.55),
          live: rms(pressedAt + 0.1, pressedAt + 0.55),
          afterRelease: rms(releasedAt + 0.5, releasedAt + 0.75),
        };
      }, null);
      assert.ok(got.playing > -45, `the note plays: ${got.playing.toFixed(1)} dB`);
      assert.ok(
        got.afterStop < got.playing - 40,
        `silent after stop: ${got.afterStop.toFixed(1)} dB vs ${got.playing.toFixed(1)} dB (every 50 ms from 0.2 s before the stop: ${got.around.join(' ')})`,
      );
      assert.ok(got.live > -45, `the live note sounds: ${got.live.toFixed(1)} dB`);
      assert.ok(got.afterRelease < got.live - 30, `released: ${got.afterRelease.toFixed(1)} dB vs ${got.live.toFixed(1)} dB`);
    });
  });
}
