/**
 * The audio engine in real Chromium (Debian's, driven by playwright-core): offline renders through
 * the real instruments, mixer and limiter, checked by measured properties — never stored audio —
 * and live playback on a real AudioContext: the playhead, loop wraps, an edit heard on the next
 * pass, count-in and metronome, auditions, seeking.
 *
 * Golden-ish: every assertion is a property of the sound (level, silence, onset time, equality of
 * two renders), so instrument tweaks that keep the sound sane keep the tests green.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing, openAudioPage, type AudioPage } from './audio-page.ts';
import type { ScheduledEvent } from '../../renderer/audio/contract.ts';

const missing = chromiumMissing();

/** 120 BPM: 960 ticks a second, a 4/4 bar lasts 2 s. */
const SLOW = { timeout: 120_000 };

/**
 * Options for every live transport below. These tests check what the engine commits and when (the
 * events' own audio-clock times), not whether this machine keeps up in real time. On a busy
 * machine the page's main thread can stall for most of a second (measured: 300-900 ms with two
 * busy loops on 2 cores, with the engine's own windows under 2 ms); by design the engine then
 * skips the missed stretch silently (maxLateness 0.25 s, covered with a fake clock in
 * renderer/audio/scheduler.test.ts), which made clicks and notes vanish from these tests at
 * random. Here a stall makes events late (stats().lateEvents) instead of missing.
 */
const LIVE = { maxLateness: 10, sampled: false };

if (missing) {
  test('the audio engine in Chromium', (t) => {
    t.skip(missing);
  });
} else {
  describe('the audio engine in Chromium', { timeout: 600_000 }, () => {
    let page: AudioPage;

    before(async () => {
      page = await openAudioPage();
      // These tests pin properties of the synthesized voices (the fallback while the bank loads);
      // the sampled instruments have their own (sampler.test.ts, sampled-render.test.ts).
      await page.inPage(() => {
        const a = globalThis.riffroomAudio;
        const { renderSong, renderSongToWav } = a;
        a.renderSong = (song, options = {}) => renderSong(song, { instruments: 'synthesized', ...options });
        a.renderSongToWav = (song, options = {}) => renderSongToWav(song, { instruments: 'synthesized', ...options });
      }, null);
    });

    after(async () => {
      await page?.close();
    });

    describe('offline renders', () => {
      test('a 2-bar band song (drums, bass, keys, lead) is not silent, never clips, and survives WAV encoding', SLOW, async (t) => {
        const got = await page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          const song = a.fixtures.bandSong();
          const t0 = performance.now();
          const audio = await a.renderSong(song);
          const renderMs = performance.now() - t0;
          const wav: Uint8Array = await a.renderSongToWav(song);
          const decoded = a.decodeWav(wav);
          const loud = { ...song, tracks: song.tracks.map((t) => ({ ...t, volumeDb: 6 })) };
          return {
            renderMs,
            duration: audio.duration,
            sampleRate: audio.sampleRate,
            channels: audio.channels.length,
            levels: a.levels(audio),
            bars: [a.levels(audio, 0, 2), a.levels(audio, 2, 4)],
            tail: a.levels(audio, 5.3),
            wavBytes: wav.length,
            wavLevels: a.levels(decoded),
            wavFrames: decoded.channels[0].length,
            loud: a.levels(await a.renderSong(loud)),
          };
        }, null);
        assert.equal(got.sampleRate, 44100);
        assert.equal(got.channels, 2);
        assert.equal(got.duration, 4 + 1.5, '2 bars at 120 BPM plus the 1.5 s tail');
        assert.ok(got.levels.rms > 0.03, `RMS ${got.levels.rms} is above the floor (-30 dBFS)`);
        for (const bar of got.bars) assert.ok(bar.rms > 0.03, `each bar sounds: ${JSON.stringify(got.bars)}`);
        assert.ok(got.levels.peak < 1 && got.levels.peak > 0.2, `peak ${got.levels.peak}`);
        assert.ok(got.tail.peak < got.levels.peak / 10, 'the tail dies away');
        // Every track pushed to +6 dB still does not clip: the limiter and soft clip hold it.
        assert.ok(got.loud.peak < 1, `+6 dB on every fader: peak ${got.loud.peak}`);
        assert.equal(got.wavBytes, 44 + got.wavFrames * 4);
        assert.equal(got.wavFrames, Math.round(5.5 * 44100));
        assert.ok(Math.abs(got.wavLevels.rms - got.levels.rms) < 1e-3 && got.wavLevels.peak < 1);
        t.diagnostic(
          `band song: peak ${dbfs(got.levels.peak)} dBFS, RMS ${dbfs(got.levels.rms)} dBFS; all faders +6 dB: peak ${dbfs(got.loud.peak)} dBFS; rendered 5.5 s in ${Math.round(got.renderMs)} ms`,
        );
      });

      test('muting a track changes the render (as if it were not there); soloing one isolates it', SLOW, async (t) => {
        const got = await page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          const song = a.fixtures.bandSong();
          const only = (ids: string[]) => ({ ...song, tracks: song.tracks.filter((t) => ids.includes(t.id)) });
          const patch = (id: string, p: object) => ({ ...song, tracks: song.tracks.map((t) => (t.id === id ? { ...t, ...p } : t)) });
          // Renders are deterministic (the kit's noise is seeded), so equal songs render equal audio.
          const [full, noLead, muted, soloBass, bassAlone] = [
            await a.renderSong(song),
            await a.renderSong(only(['drums', 'bass', 'keys'])),
            await a.renderSong(patch('lead', { mute: true })),
            await a.renderSong(patch('bass', { solo: true })),
            await a.renderSong(only(['bass'])),
          ];
          const again = await a.renderSong(song);
          return {
            repeat: a.maxDifference(full, again),
            mutedVsFull: a.maxDifference(muted, full),
            mutedVsAbsent: a.maxDifference(muted, noLead),
            soloVsAlone: a.maxDifference(soloBass, bassAlone),
            soloVsBand: a.maxDifference(soloBass, full),
            soloLevels: a.levels(soloBass),
          };
        }, null);
        assert.ok(got.repeat < 1e-3, `the same song renders the same audio (max difference ${got.repeat})`);
        assert.ok(got.mutedVsFull > 0.05, `muting the lead changes the render (max difference ${got.mutedVsFull})`);
        // "The same" up to float rounding in the shared buses: -60 dBFS, where a real difference is ~-25.
        assert.ok(got.mutedVsAbsent < 1e-3, `a muted lead sounds like no lead at all (max difference ${got.mutedVsAbsent})`);
        assert.ok(got.soloVsAlone < 1e-3, `solo bass is the bass alone (max difference ${got.soloVsAlone})`);
        assert.ok(got.soloVsBand > 0.05, 'and not the band');
        assert.ok(got.soloLevels.rms > 0.01);
        t.diagnostic(
          `max differences: repeat ${got.repeat.toExponential(1)}, muted lead vs no lead ${got.mutedVsAbsent.toExponential(1)}, solo bass vs bass alone ${got.soloVsAlone.toExponential(1)}; muted vs full ${got.mutedVsFull.toFixed(3)}`,
        );
      });

      test('a kick on bar 1 beat 1 sounds at 0 s, and one on bar 2 beat 3 at 100 BPM at 3.6 s (within 2 ms)', SLOW, async (t) => {
        const got = await page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const song = f.song(
            [f.track('d', 'drums')],
            [
              f.clip('c', 'd', 0, 2, [
                [36, 0, 240, 120],
                [36, 1920 + 960, 240, 120],
              ]),
            ],
            { bpm: 100 },
          );
          const audio = await a.renderSong(song);
          return {
            onsets: a.onsets(audio),
            first: a.levels(audio, 0, 0.05),
            before: a.levels(audio, 3.5, 3.599),
            at: a.levels(audio, 3.6, 3.65),
          };
        }, null);
        assert.equal(got.onsets.length, 2, `onsets ${got.onsets}`);
        assert.ok(Math.abs(got.onsets[0]! - 0) <= 0.002, `first kick at ${got.onsets[0]} s`);
        assert.ok(Math.abs(got.onsets[1]! - 3.6) <= 0.002, `second kick at ${got.onsets[1]} s`);
        assert.ok(got.first.rms > 0.05, "the first 50 ms carry the kick's energy");
        assert.ok(got.before.peak < 0.002 && got.at.rms > 0.05, 'silence right before the second kick, energy right after');
        t.diagnostic(`kick onsets ${got.onsets.map((s: number) => s.toFixed(4)).join(', ')} s (expected 0, 3.6)`);
      });

      test('swing delays every off-beat 8th by swing × 83 ms at 120 BPM, on-beats stay put', SLOW, async (t) => {
        const got = await page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const hats = Array.from({ length: 8 }, (_, i): [number, number, number, number] => [42, i * 240, 60, 110]);
          const out: Record<string, number[]> = {};
          for (const swing of [0, 0.5, 1]) {
            const audio = await a.renderSong(f.song([f.track('d', 'drums')], [f.clip('c', 'd', 0, 1, hats)], { swing }), {
              tailSeconds: 0.3,
            });
            out[swing] = a.onsets(audio);
          }
          return out;
        }, null);
        for (const swing of [0, 0.5, 1]) {
          const onsets = got[swing]!;
          assert.equal(onsets.length, 8, `swing ${swing}: ${onsets}`);
          for (let i = 0; i < 8; i++) {
            const expected = i * 0.25 + (i % 2 ? (swing * 80) / 960 : 0);
            assert.ok(
              Math.abs(onsets[i]! - expected) <= 0.002,
              `swing ${swing}, 8th ${i}: ${onsets[i]} s, expected ${expected.toFixed(4)} s`,
            );
          }
        }
        const delays = [0.5, 1].map((s) => Math.round((got[s]![1]! - 0.25) * 1000 * 10) / 10);
        t.diagnostic(`off-beat delay: ${delays[0]} ms at swing 0.5 (expected 41.7), ${delays[1]} ms at swing 1 (expected 83.3)`);
      });

      test('every drum voice and every preset makes sound; keys outside the kit are silent', SLOW, async () => {
        const got = await page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const drums: Record<number, number> = {};
          for (const key of [36, 38, 42, 46, 45, 48, 50, 49, 51, 60]) {
            const audio = await a.renderSong(
              f.song([f.track('d', 'drums')], [f.clip('c', 'd', 0, 1, [[key, 0, 240, 110]])], { bpm: 240 }),
              { tailSeconds: 0.2 },
            );
            drums[key] = a.levels(audio).peak;
          }
          const presets: Record<string, number> = {};
          for (const [role, instrument] of [
            ['bass', 'finger-bass'],
            ['keys', 'electric-piano'],
            ['lead', 'saw-lead'],
            ['other', 'pad'],
            ['keys', 'synth-bass'],
          ] as const) {
            const song = f.song(
              [f.track('x', role, { instrument })],
              [
                f.clip('c', 'x', 0, 1, [
                  [48, 0, 960, 100],
                  [55, 960, 960, 100],
                ]),
              ],
              { bpm: 240 },
            );
            presets[`${role}/${instrument}`] = a.levels(await a.renderSong(song, { tailSeconds: 0.2 })).rms;
          }
          return { drums, presets };
        }, null);
        for (const key of [36, 38, 42, 46, 45, 48, 50, 49, 51]) assert.ok(got.drums[key]! > 0.02, `GM key ${key}: peak ${got.drums[key]}`);
        assert.equal(got.drums[60], 0, 'key 60 is not in the kit');
        for (const [name, rms] of Object.entries(got.presets)) assert.ok(rms > 0.01, `${name}: RMS ${rms}`);
      });

      test('a bar range renders only those bars, from its first downbeat', SLOW, async () => {
        const got = await page.inPage(async () => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const song = f.song(
            [f.track('d', 'drums')],
            [
              f.clip('c', 'd', 0, 3, [
                [36, 0, 240],
                [38, 1920, 240],
                [36, 3840 + 480, 240],
              ]),
            ],
          );
          const audio = await a.renderSong(song, { fromBar: 1, toBar: 2, tailSeconds: 0.5 });
          return { duration: audio.duration, onsets: a.onsets(audio) };
        }, null);
        assert.equal(got.duration, 2.5);
        assert.equal(got.onsets.length, 1, `only the snare of bar 2: ${got.onsets}`);
        assert.ok(got.onsets[0]! <= 0.002);
      });
    });

    describe('live playback', () => {
      test('the playhead advances with the audio clock and loops back at the loop end', SLOW, async (t) => {
        const got = await page.inPage(async (options) => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          // 240 BPM: a 4/4 bar lasts 1 s; loop bars 2-3 of a 4-bar song, playing from the top into it.
          const song = f.song([f.track('k', 'keys')], [f.clip('c', 'k', 0, 4, [[60, 0, 240]])], {
            bpm: 240,
            loop: { startBar: 1, endBar: 3 },
          });
          const transport = a.createAudioTransport({ getSong: () => song, subscribe: () => () => {} }, options);
          let notified = 0;
          transport.subscribe(() => notified++);
          const loops: number[] = [];
          // The note on the first downbeat: its time is when the engine started the song.
          let start = null as number | null;
          transport.onEvent((e) => {
            if (e.kind === 'loop') loops.push(e.time);
            if (e.kind === 'note' && e.tick === 0) start ??= e.time;
          });
          const before = transport.audioTime();
          await transport.play();
          const played = transport.audioTime();
          const t0 = performance.now();
          const samples: { ms: number; audio: number; tick: number; playheadBar: number }[] = [];
          // Readings every 20 ms of the page's timers until 3.6 s of the audio clock from the start
          // (past the loop end at 3 s by more than the output latency): a busy page reads less
          // often, but always across the wrap.
          const giveUp = performance.now() + 20_000;
          while (transport.audioTime() < (start ?? played) + 3.6 && performance.now() < giveUp) {
            const p = transport.position();
            samples.push({
              ms: performance.now() - t0,
              audio: transport.audioTime(),
              tick: p.songTick,
              playheadBar: transport.getState().playheadBar,
            });
            await new Promise((r) => setTimeout(r, 20));
          }
          const playing = transport.getState().playing;
          transport.stop();
          const stopped = { state: transport.getState(), position: transport.position(), audio: transport.audioTime() };
          // 200 ms of the audio clock later, the playhead is where it stopped.
          while (transport.audioTime() < stopped.audio + 0.2 && performance.now() < giveUp) await new Promise((r) => setTimeout(r, 20));
          const later = transport.position();
          const stats = transport.stats();
          transport.dispose();
          return { before, played, start, samples, loops, notified, playing, stopped, later, stats };
        }, LIVE);
        const { samples } = got;
        assert.equal(got.playing, true);
        // The first beat sounds 60 ms (the start delay) after play() has the AudioContext running and
        // the instruments built, by the engine's own clock.
        assert.ok(got.start !== null, 'the downbeat note was committed');
        const start = got.start!;
        assert.ok(
          start >= got.before + 0.06 - 1e-9 && start <= got.played + 0.06 + 1e-9,
          `started at ${start.toFixed(3)}: play() pressed at ${got.before.toFixed(3)}, resolved at ${got.played.toFixed(3)}`,
        );
        // Bar 1 once, then bars 2-3: the cursor wraps exactly 3 bars (3 s) after the start.
        assert.ok(got.loops.length >= 1);
        const wrapAt = got.loops[0]! - start;
        assert.ok(Math.abs(wrapAt - 3) < 1e-6, `loop end committed for ${wrapAt.toFixed(6)} s after the start`);
        const wraps = samples.flatMap((s, i) => (i > 0 && s.tick < samples[i - 1]!.tick ? [i] : []));
        assert.equal(wraps.length, 1, `the playhead wraps once in 3.6 s: at ${wraps.map((i) => Math.round(samples[i]!.ms))} ms`);
        const wrap = samples[wraps[0]!]!;
        const last = samples[wraps[0]! - 1]!;
        // The drawn playhead follows what is heard: it never wraps before the audio clock reaches the
        // loop end, and no reading taken 150 ms (output latency) past it still shows the old pass.
        // Both bounds hold however far apart a busy page's readings are.
        assert.ok(
          wrap.audio >= got.loops[0]! && last.audio < got.loops[0]! + 0.15,
          `playhead wrapped between audio times ${last.audio.toFixed(3)} and ${wrap.audio.toFixed(3)}, loop end ${got.loops[0]!.toFixed(3)}`,
        );
        assert.ok(
          last.tick <= 3 * 1920 && wrap.tick >= 1920,
          `never past the loop end (tick ${Math.round(last.tick)}), back into the loop (tick ${Math.round(wrap.tick)})`,
        );
        // ...to where the audio clock is: never ahead of it, and behind it by no more than the latency.
        const intoLoop = (wrap.audio - got.loops[0]!) * 1920;
        assert.ok(
          wrap.tick - 1920 <= intoLoop + 1 && wrap.tick - 1920 >= intoLoop - 0.15 * 1920,
          `${Math.round(wrap.tick - 1920)} ticks into the loop, ${Math.round(intoLoop)} by the audio clock`,
        );
        // Between wraps the playhead moves at 1920 ticks per second of the audio clock. Measured over
        // readings 300 ms apart, median of them: one late reading cannot tilt it.
        const steady = samples.filter((s) => s.ms > 300 && s.audio < got.loops[0]!);
        const rates = steady
          .flatMap((s) => {
            const later = steady.find((u) => u.audio >= s.audio + 0.3);
            return later ? [(later.tick - s.tick) / (later.audio - s.audio)] : [];
          })
          .sort((x, y) => x - y);
        assert.ok(rates.length >= 10, `${rates.length} rate readings`);
        const rate = rates[rates.length >> 1]!;
        assert.ok(Math.abs(rate - 1920) < 60, `playhead speed ${Math.round(rate)} ticks per audio second (expected 1920)`);
        for (let i = 1; i < samples.length; i++)
          if (i !== wraps[0]) assert.ok(samples[i]!.tick >= samples[i - 1]!.tick, 'never backwards except at the wrap');
        assert.ok(
          samples.some((s) => s.playheadBar >= 2.5),
          "the state's playheadBar moves too",
        );
        // ...in quarter-bar steps: 3.6 bars played is about 14 notifications, not one per frame.
        assert.ok(got.notified >= 8 && got.notified <= 30, `${got.notified} state notifications`);
        assert.equal(got.stopped.state.playing, false);
        assert.equal(got.later.songTick, got.stopped.position.songTick, 'stopped: the playhead stays');
        const audioPerWall = (samples.at(-1)!.audio - samples[0]!.audio) / ((samples.at(-1)!.ms - samples[0]!.ms) / 1000);
        t.diagnostic(
          `started ${Math.round((start - got.before) * 1000)} ms after play was pressed; loop end 3 bars later; playhead wrapped between ${Math.round((last.audio - got.loops[0]!) * 1000)} and ${Math.round((wrap.audio - got.loops[0]!) * 1000)} ms after it (output latency + polling); ${Math.round(rate)} ticks/s; audio clock ran at ${audioPerWall.toFixed(3)}× wall time; ${got.stats.lateEvents} late events`,
        );
      });

      test("replacing a clip's notes while playing (a bandmate's edit) is heard on the next pass of the loop", SLOW, async (t) => {
        const got = await page.inPage(async (options) => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const make = (pitches: number[]) =>
            f.song(
              [f.track('k', 'keys')],
              [
                f.clip(
                  'c',
                  'k',
                  0,
                  1,
                  pitches.map((p, i) => [p, i * 480, 240]),
                ),
              ],
              { bpm: 240 },
            );
          let song = make([60, 62, 64, 65]);
          const listeners = new Set<() => void>();
          const transport = a.createAudioTransport(
            { getSong: () => song, subscribe: (cb: () => void) => (listeners.add(cb), () => listeners.delete(cb)) },
            options,
          );
          // One sequence: every committed event, and the edit where it happened among them.
          const events: (ScheduledEvent | { kind: 'edit'; time: number })[] = [];
          transport.onEvent((e) => events.push(e));
          await transport.play();
          // 1.4 s of the audio clock after the first note (a pass and a half of the loop).
          const start = events.find((e) => e.kind === 'note')?.time ?? transport.audioTime();
          const waitUntil = performance.now() + 10_000;
          while (transport.audioTime() < start + 1.4 && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
          // Mid-loop (the 1-bar loop lasts 1 s): the document changes, the store notifies.
          const editAt = transport.audioTime();
          events.push({ kind: 'edit', time: editAt });
          song = make([72, 74, 76, 77]);
          for (const l of listeners) l();
          // Two more passes of the loop after the edit, by the audio clock.
          const giveUp = performance.now() + 10_000;
          while (transport.audioTime() < editAt + 2.3 && performance.now() < giveUp) await new Promise((r) => setTimeout(r, 20));
          const stats = transport.stats();
          transport.dispose();
          return { events, editAt, stats };
        }, LIVE);
        const edit = got.events.findIndex((e) => e.kind === 'edit');
        const before = got.events.slice(0, edit);
        const after = got.events.slice(edit + 1);
        const notes = got.events.filter((e) => e.kind === 'note');
        const oldNotes = before.filter((e) => e.kind === 'note');
        const newNotes = after.filter((e) => e.kind === 'note');
        // Up to the edit the old bar plays; from the first window after it, only the new one (by the
        // order of commits, not by clock readings).
        assert.ok(
          oldNotes.length >= 1 && oldNotes.every((n) => n.pitch < 70),
          `old notes before the edit: ${oldNotes.map((n) => n.pitch)}`,
        );
        const stale = newNotes.filter((n) => n.pitch < 70);
        assert.deepEqual(stale, [], 'no old note committed after the edit arrived');
        // ...and the new notes carry on from where the old ones stopped: none is due before a note
        // that was already committed.
        const lastOld = Math.max(...oldNotes.map((n) => n.time));
        assert.ok(
          newNotes.every((n) => n.time > lastOld),
          `new notes from ${Math.min(...newNotes.map((n) => n.time)).toFixed(3)} s, after the last old one at ${lastOld.toFixed(3)} s`,
        );
        // The next pass of the loop: the first wrap committed after the edit.
        const nextLoop = after.find((e) => e.kind === 'loop')?.time;
        assert.ok(nextLoop !== undefined, 'the loop wrapped after the edit');
        const afterWrap = notes.filter((n) => n.time >= nextLoop - 1e-6);
        assert.ok(afterWrap.length >= 4, `${afterWrap.length} notes after the wrap`);
        assert.deepEqual([...new Set(afterWrap.map((n) => n.pitch))].sort(), [72, 74, 76, 77], 'only the new notes after the wrap');
        assert.deepEqual(
          afterWrap.slice(0, 4).map((n) => n.pitch),
          [72, 74, 76, 77],
          'the whole new bar on the first pass after the edit',
        );
        assert.deepEqual(
          afterWrap.slice(0, 4).map((n) => Math.round((n.time - nextLoop) * 1000)),
          [0, 250, 500, 750],
          'on its beats',
        );
        assert.ok(got.stats.compiles >= 2);
        t.diagnostic(
          `edit at ${got.editAt.toFixed(3)} s, next wrap at ${nextLoop.toFixed(3)} s; first new note at ${newNotes[0].time.toFixed(3)} s; ${got.stats.lateEvents} late events`,
        );
      });

      test('count-in: a bar of clicks (downbeat accented) before the song; the metronome clicks every beat', SLOW, async (t) => {
        const got = await page.inPage(async (options) => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const song = f.song([f.track('k', 'keys')], [f.clip('c', 'k', 0, 2, [[60, 0, 240]])], { bpm: 240 });
          const transport = a.createAudioTransport(
            { getSong: () => song, subscribe: () => () => {} },
            { ...options, initial: { countInBars: 1, metronome: true } },
          );
          const events: ScheduledEvent[] = [];
          transport.onEvent((e) => events.push(e));
          await transport.play();
          const early = transport.position();
          // Into the song's first bar by the audio clock: its downbeat and next beat committed, and
          // 400 ms of the (1 s) bar gone by. Not a fixed sleep: a busy page sleeps longer.
          const giveUp = performance.now() + 10_000;
          for (;;) {
            const start = events.find((e) => e.kind === 'note')?.time;
            const songClicks = events.filter((e) => e.kind === 'click' && !e.countIn).length;
            if ((start !== undefined && songClicks >= 2 && transport.audioTime() >= start + 0.4) || performance.now() > giveUp) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          const later = { ...transport.position(), audio: transport.audioTime() };
          const stats = transport.stats();
          transport.stop();
          transport.dispose();
          return { events, early, later, stats };
        }, LIVE);
        const clicks = got.events.filter((e) => e.kind === 'click');
        const countIn = clicks.filter((c) => c.countIn);
        assert.deepEqual(
          countIn.map((c) => c.accent),
          [true, false, false, false],
        );
        assert.deepEqual(
          countIn.map((c) => Math.round((c.time - countIn[0].time) * 1000)),
          [0, 250, 500, 750],
          'one click a beat',
        );
        const firstNote = got.events.find((e) => e.kind === 'note')!;
        assert.ok(Math.abs(firstNote.time - countIn[0].time - 1) < 1e-6, 'the song starts one bar (1 s) after the first count-in click');
        const songClicks = clicks.filter((c) => !c.countIn);
        assert.ok(
          songClicks.length >= 2 && songClicks[0].accent && !songClicks[1].accent,
          'metronome on: clicks continue, accented on bar starts',
        );
        assert.ok(Math.abs(songClicks[0].time - firstNote.time) < 1e-6, "the first song click is on the song's downbeat");
        assert.equal(got.early.countIn, true);
        assert.equal(got.early.bar, -1);
        assert.ok(got.later.audio >= firstNote.time + 0.4, `read ${(got.later.audio - firstNote.time).toFixed(3)} s into the song`);
        assert.equal(got.later.countIn, false);
        assert.equal(got.later.bar, 0);
        t.diagnostic(`${got.stats.lateEvents} late events`);
      });

      test("audition plays a note list on a role's instrument beside the song, and finishes by itself", SLOW, async (t) => {
        const got = await page.inPage(async (options) => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const song = f.bandSong({ bpm: 240 });
          const transport = a.createAudioTransport({ getSong: () => song, subscribe: () => () => {} }, options);
          const events: ScheduledEvent[] = [];
          transport.onEvent((e) => events.push(e));
          const t0 = performance.now();
          const asked = transport.audioTime();
          const handle = transport.audition({
            role: 'bass',
            notes: [
              { pitch: 40, tick: 0, duration: 240, velocity: 100 },
              { pitch: 43, tick: 480, duration: 240, velocity: 100 },
            ],
          });
          const finished = await Promise.race([handle.done.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
          const doneMs = performance.now() - t0;
          const doneAudio = transport.audioTime() - asked;
          const second = transport.audition({ role: 'lead', notes: [{ pitch: 72, tick: 0, duration: 9600, velocity: 100 }], loop: true });
          // Stopped once its note is committed (not after a set time a busy page may not have had).
          const committed = performance.now() + 10_000;
          while (!events.some((e) => e.kind === 'note' && e.pitch === 72) && performance.now() < committed)
            await new Promise((r) => setTimeout(r, 10));
          second.stop();
          await second.done;
          const stats = transport.stats();
          transport.dispose();
          return {
            notes: events.filter((e) => e.kind === 'note').map((e) => [e.trackId, e.pitch]),
            finished,
            doneMs,
            doneAudio,
            playing: transport.getState().playing,
            stats,
          };
        }, LIVE);
        assert.deepEqual(got.notes, [
          ['audition', 40],
          ['audition', 43],
          ['audition', 72],
        ]);
        assert.equal(got.finished, true, 'the preview finished by itself');
        // A 1-bar preview at 240 BPM: 30 ms start delay, 1 s of notes, 0.3 s of release tail; by the
        // audio clock (which waits while the AudioContext resumes), with a second's slack for a busy page.
        assert.ok(
          got.doneAudio >= 1.33 - 1e-3 && got.doneAudio < 2.33,
          `a 1-bar preview at 240 BPM finished ${got.doneAudio.toFixed(3)} s (audio clock) after it was asked for`,
        );
        assert.equal(got.playing, false, 'auditions do not start the transport');
        t.diagnostic(
          `finished after ${got.doneAudio.toFixed(3)} s of audio clock, ${Math.round(got.doneMs)} ms of wall time; ${got.stats.lateEvents} late events`,
        );
      });

      test('seek while playing jumps there; stop keeps the position and play resumes from it', SLOW, async () => {
        const got = await page.inPage(async (options) => {
          const a = globalThis.riffroomAudio;
          const f = a.fixtures;
          const song = f.song([f.track('d', 'drums')], [f.clip('c', 'd', 0, 8, [])], { bpm: 240 });
          const transport = a.createAudioTransport({ getSong: () => song, subscribe: () => () => {} }, options);
          /** Waits for `seconds` of the audio clock (not of a busy page's timers). */
          const audioSleep = async (seconds: number) => {
            const until = transport.audioTime() + seconds;
            const giveUp = performance.now() + 10_000;
            while (transport.audioTime() < until && performance.now() < giveUp) await new Promise((r) => setTimeout(r, 10));
          };
          await transport.play();
          await audioSleep(0.3);
          transport.seek(5);
          await audioSleep(0.4);
          const afterSeek = transport.position();
          transport.stop();
          const stoppedAt = transport.position();
          await transport.play();
          await audioSleep(0.3);
          const resumed = transport.position();
          transport.stop();
          transport.seek(2);
          const parked = { position: transport.position(), bar: transport.getState().playheadBar };
          transport.dispose();
          return { afterSeek, stoppedAt, resumed, parked };
        }, LIVE);
        assert.equal(got.afterSeek.bar, 5, `after seek(5): ${JSON.stringify(got.afterSeek)}`);
        assert.ok(got.resumed.songTick > got.stoppedAt.songTick, 'resumes where it stopped');
        assert.ok(got.resumed.songTick - got.stoppedAt.songTick < 1920, 'and not from the top');
        assert.equal(got.parked.position.songTick, 2 * 1920);
        assert.equal(got.parked.bar, 2);
      });

      test(
        'a stalled page skips the clicks it missed, or plays them late when maxLateness allows (the live tests above use that)',
        SLOW,
        async () => {
          const got = await page.inPage(async (live) => {
            const a = globalThis.riffroomAudio;
            const f = a.fixtures;
            const song = f.song([f.track('k', 'keys')], [f.clip('c', 'k', 0, 2, [[60, 0, 240]])], { bpm: 240 });
            const out: Record<string, { clicks: number[]; late: number }> = {};
            for (const [name, options] of [
              ['default', {}],
              ['live', live],
            ] as const) {
              const transport = a.createAudioTransport(
                { getSong: () => song, subscribe: () => () => {} },
                { ...options, initial: { countInBars: 1 } },
              );
              const events: ScheduledEvent[] = [];
              transport.onEvent((e) => events.push(e));
              // play() commits the first window (the first count-in click); then the page's main thread
              // is busy for 700 ms, as a loaded machine's can be: no scheduling window runs meanwhile.
              await transport.play();
              const busy = performance.now();
              while (performance.now() - busy < 700) {
                /* a long task */
              }
              const until = transport.audioTime() + 1;
              while (transport.audioTime() < until) await new Promise((r) => setTimeout(r, 20));
              const clicks = events.filter((e) => e.kind === 'click');
              out[name] = { clicks: clicks.map((c) => Math.round((c.time - clicks[0].time) * 1000)), late: transport.stats().lateEvents };
              transport.dispose();
            }
            return out;
          }, LIVE);
          // The clicks due 250 and 500 ms in fell inside the stall, more than maxLateness (250 ms) before
          // the next window: skipped, not played as a late burst.
          assert.equal(got.default!.clicks[0], 0, `default: ${got.default!.clicks}`);
          assert.ok(
            !got.default!.clicks.includes(250) && !got.default!.clicks.includes(500),
            `default: clicks at ${got.default!.clicks} ms`,
          );
          assert.deepEqual(got.live!.clicks, [0, 250, 500, 750], `maxLateness ${LIVE.maxLateness} s: every click, late`);
          assert.ok(got.live!.late >= 2, `${got.live!.late} late events`);
        },
      );
    });
  });
}

function dbfs(x: number): string {
  return (20 * Math.log10(x)).toFixed(1);
}
