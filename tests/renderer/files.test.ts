/**
 * The File menu in real Chromium against a real sync server: song and clip exported as MIDI
 * (downloads captured and read back with the independent `midi-file` parser: tracks, notes,
 * tempo, meter), WAV exports of the whole song and of the loop (header, length, and the PCM
 * measured: neither silent nor clipping), 24-bit WAV with stems in a zip and in a folder, and Opus
 * (read back by ffprobe), the mastering figures shown before and after a loudness correction (the
 * saved file measured by ffmpeg's ebur128 and our meter, the chain in its INFO; undo saves the
 * rendered mix with no chain; stems stay uncorrected), a MIDI file imported into a new and an existing track,
 * and a malformed file refused with nothing changed. Every export carries its provenance (MIDI meta
 * events, WAV bext and INFO, Opus tags: core/provenance/), and File ▸ Check a file… reads it back.
 * MusicXML (the export dialog): the song as .musicxml and .mxl, the loop and a clip exported and
 * read back, a lead sheet imported as new tracks (with its chord symbols) and into a track, and
 * malformed scores refused with nothing changed.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMidi, type MidiEvent } from 'midi-file';
import type { Download, Page } from 'playwright-core';
import { songToMidi } from '../../core/midi/song-midi.ts';
import { musicXmlFileText, readScore, songToMusicXml, writeMxl } from '../../core/musicxml/musicxml.ts';
import { checkFile } from '../../core/provenance/read-file.ts';
import { readWavProvenance } from '../../core/provenance/wav.ts';
import { decodeProvenance } from '../../core/provenance/json.ts';
import { writeSmf, type SmfTrack } from '../../core/midi/smf.ts';
import { addClip, addTrack, initSong, setChords, setLoop, setMeter, setTempo, setTitle } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import * as Y from 'yjs';
import { unzipSync } from 'fflate';
import { decodeWav, encodeWav } from '../../renderer/audio/wav.ts';
import { levels } from '../../renderer/audio/measure.ts';
import { ffmpegLoudness, ffprobe, requireFfmpeg, withTempFile } from '../support/ffmpeg-decode.ts';
import { formatNumber, meter } from '../../renderer/audio/mastering/index.ts';
import { testToken } from '../support/server-process.ts';
import { connectClient, disconnect, type Client } from '../support/yjs-clients.ts';
import { editorNotes, undoOffers } from './editor-page.ts';
import { browserMissing, countLocalEdits, startRendererHarness, untilDocHas, type Bandmate, type RendererHarness } from './harness.ts';

const ROOM = 'file-night';
/** 96 BPM in 3/4: a bar is 1.875 s. */
const BPM = 96;
const BAR_SECONDS = (3 * 60) / BPM;

const DRUM_HITS = [0, 480, 960].flatMap((tick) => [
  { pitch: 36, tick, duration: 120, velocity: 110 },
  { pitch: 42, tick, duration: 120, velocity: 80 },
]);
const BASS_NOTES = [0, 1, 2, 3, 4, 5].map((i) => ({ pitch: 40 + (i % 3) * 2, tick: i * 480, duration: 400, velocity: 96 }));

async function menu(page: Page, item: string): Promise<void> {
  await page.click('[data-testid="file-menu"]');
  await page.click(`[data-testid="${item}"]`);
}

async function download(page: Page, item: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), menu(page, item)]);
  return saved(file);
}

async function saved(file: Download): Promise<{ name: string; bytes: Uint8Array }> {
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync((await file.path())!)) };
}

/** The export dialog's second step: after the render, the mix is measured; Save writes the file. */
async function saveChecked(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="loudness-before"]', { timeout: 120_000 });
  await page.click('[data-testid="export-save"]');
}

/** Render, wait for the figures, save: the download. */
async function renderAndSave(page: Page): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.click('[data-testid="wav-render"]').then(() => saveChecked(page)),
  ]);
  await page.waitForSelector('[data-testid="export-wav-dialog"]', { state: 'detached', timeout: 5000 });
  return saved(file);
}

/** A report table's rows as { figure: value }. */
function reportRows(page: Page, testId: string): Promise<Record<string, string>> {
  return page.evaluate((id) => {
    const rows = document.querySelectorAll<HTMLElement>(`[data-testid="${id}"] tr`);
    return Object.fromEntries([...rows].map((r) => [r.querySelector('th')!.textContent, r.querySelector('.loudness-value')!.textContent!]));
  }, testId);
}

/** Absolute-tick note-ons of a parsed track. */
function noteOns(events: MidiEvent[]): { tick: number; pitch: number; velocity: number; channel: number }[] {
  let tick = 0;
  const notes: { tick: number; pitch: number; velocity: number; channel: number }[] = [];
  for (const e of events) {
    tick += e.deltaTime;
    if (e.type === 'noteOn' && e.velocity > 0) notes.push({ tick, pitch: e.noteNumber, velocity: e.velocity, channel: e.channel });
  }
  return notes;
}

function notice(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? '');
}

/** A MIDI file of four lead notes, written by core's exporter from a scratch song. */
function leadMidi(): Uint8Array {
  const doc = new Y.Doc();
  initSong(doc, { title: 'Riff' });
  const track = addTrack(doc, { role: 'lead', name: 'Lead' });
  addClip(doc, {
    trackId: track,
    startBar: 0,
    lengthBars: 1,
    notes: [0, 1, 2, 3].map((i) => ({ pitch: 72 + i, tick: i * 240, duration: 200, velocity: 100 })),
  });
  return songToMidi(readSong(doc));
}

/**
 * A file with no key signature (and no track names): A minor chords held on one piano track,
 * a melody on another (both program 0, so only the notes tell keys from lead).
 */
function keylessMinorMidi(): Uint8Array {
  const track = (channel: number, notes: [number, number, number][]): SmfTrack => ({
    events: [
      { type: 'programChange', tick: 0, channel, program: 0 },
      ...notes.flatMap(([tick, pitch, duration]) => [
        { type: 'noteOn' as const, tick, channel, pitch, velocity: 90 },
        { type: 'noteOff' as const, tick: tick + duration, channel, pitch, velocity: 0 },
      ]),
    ],
  });
  const triads = [
    [45, 48, 52],
    [45, 50, 53],
    [44, 47, 52],
    [45, 48, 52],
  ];
  const chords = triads.flatMap((triad, bar) => triad.map((p): [number, number, number] => [bar * 1920, p, 1900]));
  const melody = [69, 72, 76, 74, 77, 76, 76, 80, 83, 81].map((p, i): [number, number, number] => [i * 720, p, 700]);
  return writeSmf({ format: 1, ticksPerQuarter: 480, tracks: [track(0, chords), track(1, melody)] });
}

const BAR = 3 * 480;
/** The lead sheet's melody: A minor arpeggio notes, in 3/4 like the test song. */
const LEAD_SHEET_NOTES = [69, 72, 76, 68].map((pitch, i) => ({ pitch, tick: i * 720, duration: 720, velocity: 90 }));

/** A lead sheet as MusicXML (written by core's exporter): a melody under Am and E7, in 3/4 at 96 BPM. */
function leadSheet(): string {
  const doc = new Y.Doc();
  initSong(doc, { title: 'Tune', bpm: BPM, meter: { numerator: 3, denominator: 4 }, key: { tonic: 9, mode: 'minor' } });
  const track = addTrack(doc, { role: 'lead', name: 'Tune melody' });
  addClip(doc, { trackId: track, startBar: 0, lengthBars: 2, notes: LEAD_SHEET_NOTES });
  setChords(doc, 0, 2 * BAR, [
    { tick: 0, duration: BAR, symbol: 'Am' },
    { tick: BAR, duration: BAR, symbol: 'E7' },
  ]);
  return songToMusicXml(readSong(doc)).xml;
}

const missing = browserMissing();
if (missing) {
  test('the File menu in Chromium', (t) => t.skip(missing));
} else {
  let h: RendererHarness;
  before(async () => {
    h = await startRendererHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('the File menu, in Chromium', { timeout: 300_000 }, () => {
    let alice: Bandmate;
    let page: Page;
    /** A bandmate on the stock y-websocket client: it wrote the song and reads what the app did. */
    let carol: Client;
    let drums = '';
    let bass = '';
    let bassClip = '';

    before(async () => {
      carol = await connectClient(h.server.wsUrl, ROOM, testToken(ROOM, 'editor', 'carol'));
      const doc = carol.doc;
      initSong(doc);
      setTitle(doc, 'Files Test');
      setTempo(doc, BPM);
      setMeter(doc, { numerator: 3, denominator: 4 });
      drums = addTrack(doc, { role: 'drums', name: 'Drums' });
      bass = addTrack(doc, { role: 'bass', name: 'Bass' });
      addClip(doc, { trackId: drums, startBar: 0, lengthBars: 2, notes: DRUM_HITS });
      bassClip = addClip(doc, { trackId: bass, startBar: 2, lengthBars: 2, notes: BASS_NOTES });
      alice = await h.join(ROOM, 'alice');
      page = alice.page;
      await page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelectorAll<HTMLElement>('[data-testid="clip"]').length === 2, undefined, {
        timeout: 5000,
      });
    });

    after(() => {
      if (carol) disconnect(carol);
    });

    test('export song MIDI: a conductor track with tempo and meter, then one track per track with its notes', async () => {
      const { name, bytes } = await download(page, 'file-export-song-midi');
      assert.equal(name, 'Files Test.mid');
      const midi = parseMidi(bytes);
      assert.equal(midi.header.format, 1);
      assert.equal(midi.header.ticksPerBeat, 480);
      assert.equal(midi.tracks.length, 3, 'conductor + drums + bass');
      const conductor = midi.tracks[0]!;
      const tempo = conductor.find((e) => e.type === 'setTempo');
      assert.equal(tempo?.type === 'setTempo' && tempo.microsecondsPerBeat, 625_000, '96 BPM');
      const meter = conductor.find((e) => e.type === 'timeSignature');
      assert.deepEqual(meter?.type === 'timeSignature' && [meter.numerator, meter.denominator], [3, 4]);
      assert.ok(conductor.some((e) => e.type === 'trackName' && e.text === 'Files Test'));

      const drumNotes = noteOns(midi.tracks[1]!);
      assert.deepEqual(
        drumNotes.map((n) => [n.tick, n.pitch, n.velocity]),
        DRUM_HITS.map((n) => [n.tick, n.pitch, n.velocity]),
      );
      assert.ok(
        drumNotes.every((n) => n.channel === 9),
        'drums on channel 10',
      );
      // The bass clip starts at bar 3: 2 bars of 3/4 = 2880 ticks in.
      const bassNotes = noteOns(midi.tracks[2]!);
      assert.deepEqual(
        bassNotes.map((n) => [n.tick, n.pitch]),
        BASS_NOTES.map((n) => [2880 + n.tick, n.pitch]),
      );
      assert.ok(midi.tracks[2]!.some((e) => e.type === 'trackName' && e.text === 'Bass'));
      // Its provenance: both clips written by people (carol added them by hand), every note theirs.
      const check = checkFile(bytes);
      assert.equal(check.status, 'found', `the export carries its provenance: ${JSON.stringify(check)}`);
      assert.deepEqual(
        check.record.clips.map((c) => [c.track, c.author.kind, c.notes]),
        [
          ['Drums', 'person', DRUM_HITS.length],
          ['Bass', 'person', BASS_NOTES.length],
        ],
      );
      assert.equal(check.record.summary.shares.people, 1);
      assert.ok(
        conductor.some((e) => e.type === 'sequencerSpecific'),
        'the record in a sequencer-specific event',
      );
    });

    test('export clip MIDI: the selected clip alone, its notes from tick 0', async () => {
      assert.equal(await page.locator('[data-testid="file-menu"]').isVisible(), true);
      await page.click('[data-testid="file-menu"]');
      assert.equal(await page.locator('[data-testid="file-export-clip-midi"]').isDisabled(), true, 'no clip selected yet');
      await page.click('[data-testid="file-menu"]');
      await page.click(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
      const { name, bytes } = await download(page, 'file-export-clip-midi');
      assert.equal(name, 'Files Test - Bass (bars 3-4).mid');
      const midi = parseMidi(bytes);
      assert.equal(midi.tracks.length, 2, 'conductor + the clip');
      const tempo = midi.tracks[0]!.find((e) => e.type === 'setTempo');
      assert.equal(tempo?.type === 'setTempo' && tempo.microsecondsPerBeat, 625_000);
      assert.deepEqual(
        noteOns(midi.tracks[1]!).map((n) => [n.tick, n.pitch, n.velocity]),
        BASS_NOTES.map((n) => [n.tick, n.pitch, n.velocity]),
      );
    });

    test('export WAV of the whole song and of the loop: valid 16-bit WAV, neither silent nor clipping', async (t: TestContext) => {
      const render = async (range: 'song' | 'loop'): Promise<{ name: string; bytes: Uint8Array; ms: number; showedRendering: boolean }> => {
        await menu(page, 'file-export-wav');
        await page.waitForSelector('[data-testid="export-wav-dialog"]');
        await page.check(`[data-testid="wav-range-${range}"]`);
        const started = Date.now();
        const [file, showedRendering] = await Promise.all([
          page.waitForEvent('download', { timeout: 120_000 }),
          (async () => {
            await page.click('[data-testid="wav-render"]');
            // The dialog says it is rendering (and the button is disabled) while it renders.
            return page
              .waitForFunction(
                () => {
                  const d = document;
                  return (
                    /Rendering…/.test(d.querySelector<HTMLElement>('[data-testid="wav-rendering"]')?.textContent ?? '') &&
                    d.querySelector<HTMLButtonElement>('[data-testid="wav-render"]')?.disabled
                  );
                },
                undefined,
                { timeout: 5000, polling: 'raf' },
              )
              .then(
                () => true,
                () => false,
              )
              .then(async (shown) => (await saveChecked(page), shown));
          })(),
        ]);
        const ms = Date.now() - started;
        await page.waitForSelector('[data-testid="export-wav-dialog"]', { state: 'detached', timeout: 5000 });
        return { ...(await saved(file)), ms, showedRendering };
      };

      const song = readSong(carol.doc);
      const endBar = Math.max(...song.clips.map((c) => c.startBar + c.lengthBars));
      const whole = await render('song');
      assert.equal(whole.name, 'Files Test.wav');
      assert.ok(whole.showedRendering, 'the dialog showed "Rendering…" while it rendered');
      const header = new DataView(whole.bytes.buffer, whole.bytes.byteOffset, whole.bytes.byteLength);
      const ascii = (at: number) => String.fromCharCode(...whole.bytes.slice(at, at + 4));
      // fmt, then the metadata (BWF bext, LIST/INFO), then the samples.
      const bextSize = header.getUint32(40, true);
      assert.equal(bextSize % 2, 0, 'an even bext: no pad byte for naive readers to miss');
      const list = 44 + bextSize;
      const data = list + 8 + header.getUint32(list + 4, true);
      assert.deepEqual(
        [ascii(0), ascii(8), ascii(12), ascii(36), ascii(list), ascii(data)],
        ['RIFF', 'WAVE', 'fmt ', 'bext', 'LIST', 'data'],
      );
      assert.equal(header.getUint32(4, true), whole.bytes.length - 8, 'RIFF size');
      assert.deepEqual(
        [header.getUint16(20, true), header.getUint16(22, true), header.getUint32(24, true), header.getUint16(34, true)],
        [1, 2, 44100, 16],
        'PCM, stereo, 44.1 kHz, 16 bit',
      );
      assert.equal(header.getUint32(data + 4, true), whole.bytes.length - data - 8, 'data size');
      assert.equal(decodeWav(whole.bytes).info.INAM, 'Files Test', 'the title in INFO');
      const provenance = readWavProvenance(whole.bytes);
      assert.equal(provenance.bext?.originator, 'Riffroom');
      assert.match(provenance.bext?.description ?? '', /^Made in Riffroom: 2 clips \(2 written by bandmates\)\. Notes: 100% by people\.$/);
      assert.deepEqual(
        [provenance.record?.content, provenance.record?.what, provenance.record?.bars, provenance.record?.mastering],
        ['audio', 'song', { from: 0, to: endBar }, null],
        'the JSON record in INFO',
      );
      const audio = decodeWav(whole.bytes);
      const seconds = audio.channels[0]!.length / audio.sampleRate;
      assert.ok(Math.abs(seconds - (endBar * BAR_SECONDS + 1.5)) < 0.05, `${seconds.toFixed(2)} s: ${endBar} bars and the 1.5 s tail`);
      const l = levels(audio);
      const clipped = audio.channels.reduce((n, ch) => n + ch.filter((s) => Math.abs(s) >= 0.999).length, 0);
      t.diagnostic(`whole song: ${seconds.toFixed(2)} s rendered in ${whole.ms} ms; peak ${l.peak.toFixed(3)}, RMS ${l.rms.toFixed(4)}`);
      assert.ok(l.rms > 0.005, `not silent (RMS ${l.rms})`);
      assert.ok(l.peak < 0.99 && clipped === 0, `not clipping (peak ${l.peak}, ${clipped} samples at full scale)`);
      // Music where the clips are: the drums in bars 1-2 and the bass in bars 3-4 both sound.
      assert.ok(levels(audio, 0, 2 * BAR_SECONDS).rms > 0.002, 'drums sound');
      assert.ok(levels(audio, 2 * BAR_SECONDS, 4 * BAR_SECONDS).rms > 0.002, 'bass sounds');

      // The loop range: one bar.
      setLoop(carol.doc, { startBar: 2, endBar: 3 });
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="loop-start"]')?.value === '3', undefined, {
        timeout: 5000,
      });
      const loop = await render('loop');
      assert.equal(loop.name, 'Files Test (bar 3).wav');
      t.diagnostic(`loop: rendered in ${loop.ms} ms`);
      const loopAudio = decodeWav(loop.bytes);
      const loopSeconds = loopAudio.channels[0]!.length / loopAudio.sampleRate;
      assert.ok(Math.abs(loopSeconds - (BAR_SECONDS + 1.5)) < 0.05, `${loopSeconds.toFixed(2)} s: one bar and the tail`);
      const ll = levels(loopAudio);
      assert.ok(ll.rms > 0.002 && ll.peak < 0.99, `the loop is heard and not clipping (peak ${ll.peak}, RMS ${ll.rms})`);
      assert.match(await notice(page), /Saved Files Test \(bar 3\)\.wav/);
    });

    test('export audio as 24-bit WAV with stems in a zip, in a folder, and as Opus', async (t: TestContext) => {
      requireFfmpeg();
      const open = async (format: string, stems: 'zip' | 'folder' | null): Promise<void> => {
        await menu(page, 'file-export-wav');
        await page.waitForSelector('[data-testid="export-wav-dialog"]');
        await page.check('[data-testid="wav-range-song"]');
        await page.check(`[data-testid="export-format-${format}"]`);
        if (stems) {
          await page.check('[data-testid="export-stems"]');
          await page.check(`[data-testid="export-stems-${stems}"]`);
        }
      };
      const renderToDownload = (): Promise<{ name: string; bytes: Uint8Array }> => renderAndSave(page);
      const song = readSong(carol.doc);
      const endBar = Math.max(...song.clips.map((c) => c.startBar + c.lengthBars));
      const seconds = endBar * BAR_SECONDS + 1.5;

      // Opus offers no stems: they are WAV files.
      await open('opus', null);
      assert.equal(await page.locator('[data-testid="export-stems"]').isDisabled(), true, 'no stems with Opus');
      await page.click('[data-testid="export-format-wav24"]');
      assert.equal(await page.locator('[data-testid="export-stems"]').isDisabled(), false);
      await page.check('[data-testid="export-stems"]');
      await page.check('[data-testid="export-stems-zip"]');
      const zip = await renderToDownload();
      assert.equal(zip.name, 'Files Test stems.zip');
      const files = unzipSync(zip.bytes);
      assert.deepEqual(
        Object.keys(files).sort(),
        ['00 Mix.wav', '01 Drums.wav', '02 Bass.wav'].map((n) => `Files Test stems/${n}`),
      );
      const [mix, drumStem, bassStem] = ['00 Mix', '01 Drums', '02 Bass'].map((n) => decodeWav(files[`Files Test stems/${n}.wav`]!));
      for (const w of [mix!, drumStem!, bassStem!]) {
        assert.equal(w.bitDepth, 24);
        assert.equal(w.channels[0]!.length, mix!.channels[0]!.length, 'every stem as long as the mix');
      }
      assert.ok(Math.abs(mix!.channels[0]!.length / 44100 - seconds) < 0.05);
      assert.match(mix!.info.ICMT ?? '', /Made in Riffroom: 2 clips/);
      assert.equal(mix!.info.INAM, 'Files Test');
      // Each stem carries its own track's provenance.
      for (const [stem, track] of [
        ['01 Drums', 'Drums'],
        ['02 Bass', 'Bass'],
      ]) {
        const record = readWavProvenance(files[`Files Test stems/${stem}.wav`]!).record;
        assert.deepEqual([record?.what, record?.track, record?.clips.map((c) => c.track)], ['stem', track, [track]], stem);
      }
      // Each stem is its track alone: drums in bars 1-2 only, bass in bars 3-4 only.
      assert.ok(
        levels(drumStem!, 0, 2 * BAR_SECONDS).rms > 0.002 && levels(drumStem!, 2 * BAR_SECONDS + 0.5, 4 * BAR_SECONDS).peak < 0.02,
        'the drum stem',
      );
      assert.ok(
        levels(bassStem!, 0, 2 * BAR_SECONDS).peak < 1e-4 && levels(bassStem!, 2 * BAR_SECONDS, 4 * BAR_SECONDS).rms > 0.002,
        'the bass stem',
      );
      assert.match(await notice(page), /Saved Files Test stems\.zip \(the mix and 2 stems\)/);

      // A folder: the File System Access API writing into the page's private file system (the
      // native folder picker is replaced by one handing over that real directory handle).
      await page.evaluate(async () => {
        const g = globalThis;
        g.showDirectoryPicker = async () => g.navigator.storage.getDirectory();
      });
      await open('wav16', 'folder');
      await page.click('[data-testid="wav-render"]');
      await saveChecked(page);
      await page.waitForSelector('[data-testid="export-wav-dialog"]', { state: 'detached', timeout: 120_000 });
      const written = await page.evaluate(async () => {
        const root = await navigator.storage.getDirectory();
        const dir = await root.getDirectoryHandle('Files Test stems');
        const out: Record<string, number> = {};
        for await (const [name, handle] of dir.entries()) {
          // The data chunk's size: the sample count, whatever the metadata before it.
          const bytes = new Uint8Array(await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer());
          const view = new DataView(bytes.buffer);
          let at = 12;
          while (String.fromCharCode(...bytes.subarray(at, at + 4)) !== 'data') at += 8 + view.getUint32(at + 4, true);
          out[name] = view.getUint32(at + 4, true);
        }
        return out;
      });
      assert.deepEqual(Object.keys(written).sort(), ['00 Mix.wav', '01 Drums.wav', '02 Bass.wav']);
      assert.equal(new Set(Object.values(written)).size, 1, `stems and mix hold the same number of samples: ${JSON.stringify(written)}`);
      assert.match(await notice(page), /Saved .*Files Test stems \(the mix and 2 stems\)/);

      await open('opus', null);
      const opus = await renderToDownload();
      assert.equal(opus.name, 'Files Test.opus');
      const probe = withTempFile('x.opus', opus.bytes, (path) => ffprobe(path));
      assert.equal(probe.codec, 'opus');
      assert.ok(Math.abs(probe.duration - seconds) <= 0.02, `ffprobe: ${probe.duration} s, rendered ${seconds} s`);
      assert.equal(probe.tags.title, 'Files Test');
      assert.equal(decodeProvenance(probe.tags.riffroom_provenance ?? '').clips.length, 2, 'the record in the Opus tags, read by ffprobe');
      t.diagnostic(`Opus: ${opus.bytes.length} bytes for ${seconds.toFixed(2)} s; 24-bit stems zip ${zip.bytes.length} bytes`);
    });

    test('mastering on export: figures before and after the -14 LUFS correction, the file on target with its chain; undo saves the original', async (t: TestContext) => {
      requireFfmpeg();
      const open = async (format: string, stems = false): Promise<void> => {
        await menu(page, 'file-export-wav');
        await page.waitForSelector('[data-testid="export-wav-dialog"]');
        await page.check('[data-testid="wav-range-song"]');
        await page.check(`[data-testid="export-format-${format}"]`);
        if (stems) {
          await page.check('[data-testid="export-stems"]');
          await page.check('[data-testid="export-stems-zip"]');
        }
        await page.click('[data-testid="wav-render"]');
        await page.waitForSelector('[data-testid="loudness-before"]', { timeout: 120_000 });
      };
      const choose = async (id: string): Promise<void> => {
        await page.check(`[data-testid="correction-${id}"]`);
        if (id === 'none') await page.waitForSelector('[data-testid="loudness-after"]', { state: 'detached', timeout: 5000 });
        else
          await page.waitForFunction(
            (want) => {
              const d = document;
              return (
                d.querySelector<HTMLElement>('[data-testid="loudness-after"]') &&
                new RegExp(want).test(d.querySelector<HTMLElement>('[data-testid="correction-summary"]')?.textContent ?? '')
              );
            },
            `toward ${id === 'streaming' ? '−14' : id === 'podcast' ? '−16' : '−23'} LUFS`,
            { timeout: 60_000 },
          );
      };
      const save = async (): Promise<{ name: string; bytes: Uint8Array }> => {
        const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid="export-save"]')]);
        await page.waitForSelector('[data-testid="export-wav-dialog"]', { state: 'detached', timeout: 5000 });
        return saved(file);
      };
      const chainOf = (
        icmt: string | undefined,
      ): {
        targetLufs: number;
        limiter: { ceilingDbtp: number };
        measuredAfter: { integratedLufs: number; truePeakDbtp: number };
      } | null => {
        const line = (icmt ?? '').split('\n').find((l) => l.startsWith('Mastering: '));
        return line ? JSON.parse(line.slice('Mastering: '.length)) : null;
      };
      const FIGURES = [
        'Integrated loudness',
        'Loudness range',
        'True peak',
        'Clipping',
        'Stereo balance',
        'Stereo correlation',
        'DC offset',
      ];

      // The measuring and each correction run in a Web Worker of their own.
      const workers: string[] = [];
      const onWorker = (w: { url(): string }) => void workers.push(new URL(w.url()).pathname);
      page.on('worker', onWorker);
      t.after(() => void page.off('worker', onWorker));

      // The figures of the rendered mix; "none" is chosen; then -14 LUFS.
      await open('wav16');
      const before = await reportRows(page, 'loudness-before');
      assert.deepEqual(Object.keys(before), FIGURES);
      assert.match(before['Integrated loudness']!, /^−\d+\.\d LUFS$/);
      assert.match(before['True peak']!, /^[−+]\d+\.\d dBTP$/);
      assert.equal(await page.isChecked('[data-testid="correction-none"]'), true, 'no correction unless chosen');
      assert.equal(await page.locator('[data-testid="loudness-after"]').count(), 0);
      await choose('streaming');
      const afterRows = await reportRows(page, 'loudness-after');
      assert.deepEqual(workers, ['/mastering-worker.js', '/mastering-worker.js'], 'measured, then corrected, off the main thread');
      assert.deepEqual(Object.keys(afterRows), FIGURES);
      assert.deepEqual(await reportRows(page, 'loudness-before'), before, 'the original figures stay in view');
      const summary = await page.textContent('[data-testid="correction-summary"]');
      t.diagnostic(`before: ${JSON.stringify(before)}; after: ${JSON.stringify(afterRows)}; ${summary}`);
      const corrected = await save();
      assert.equal(corrected.name, 'Files Test.wav');
      const wav = decodeWav(corrected.bytes);
      const chain = chainOf(wav.info.ICMT);
      assert.ok(chain, `the chain in ICMT: ${wav.info.ICMT}`);
      assert.equal(chain.targetLufs, -14);
      assert.equal(chain.limiter.ceilingDbtp, -1);
      assert.match(wav.info.ICMT ?? '', /^Made in Riffroom/, 'after the provenance');
      assert.equal(
        afterRows['Integrated loudness'],
        `${formatNumber(chain.measuredAfter.integratedLufs)} LUFS`,
        "the dialog showed the chain's figure",
      );
      const measured = meter(wav).measurements;
      const ffmpegLufs = withTempFile('corrected.wav', corrected.bytes, (path) => ffmpegLoudness(path));
      t.diagnostic(
        `saved: ffmpeg ${ffmpegLufs} LUFS, ours ${measured.integratedLufs.toFixed(2)} LUFS, true peak ${measured.truePeakDbtp.toFixed(2)} dBTP; chain after ${JSON.stringify(chain.measuredAfter)}`,
      );
      assert.ok(
        Math.abs(ffmpegLufs - chain.measuredAfter.integratedLufs) <= 0.5,
        `ffmpeg reads ${ffmpegLufs} LUFS, the chain says ${chain.measuredAfter.integratedLufs}`,
      );
      assert.ok(Math.abs(measured.integratedLufs - chain.measuredAfter.integratedLufs) <= 0.5);
      // 16-bit rounding may add a hair to the true peak.
      assert.ok(measured.truePeakDbtp <= -1.0 + 0.1, `true peak ${measured.truePeakDbtp} dBTP`);

      // Undo: -14 (and -16), then back to none, saves the rendered mix itself with no chain: the
      // bytes of an export left uncorrected. Two renders of a song are not always sample-identical
      // (seen: a few 16-bit steps apart), so besides the bytes when they match, the undone file
      // must read as the figures that dialog showed for its own render.
      await open('wav16');
      const shown = await reportRows(page, 'loudness-before');
      await choose('streaming');
      await choose('podcast');
      await choose('streaming');
      await choose('none');
      assert.deepEqual(await reportRows(page, 'loudness-before'), shown);
      const undone = await save();
      await open('wav16');
      const plain = await save();
      const [u, p] = [decodeWav(undone.bytes), decodeWav(plain.bytes)];
      assert.equal(chainOf(u.info.ICMT), null, 'no chain after undo');
      assert.deepEqual(u.info, p.info, 'the same metadata as an export without correction');
      assert.equal(undone.bytes.length, plain.bytes.length);
      const dataAt = (bytes: Uint8Array): number => Buffer.from(bytes).indexOf('data');
      assert.ok(
        Buffer.from(undone.bytes.subarray(0, dataAt(undone.bytes) + 8)).equals(
          Buffer.from(plain.bytes.subarray(0, dataAt(plain.bytes) + 8)),
        ),
        'identical up to the samples',
      );
      const read = (value: string): number => Number(value.replace('\u2212', '-').split(' ')[0]);
      const undoneFigures = meter(u).measurements;
      assert.ok(
        Math.abs(undoneFigures.integratedLufs - read(shown['Integrated loudness']!)) <= 0.06,
        `undone ${undoneFigures.integratedLufs} LUFS, shown ${shown['Integrated loudness']}`,
      );
      assert.ok(
        Math.abs(undoneFigures.truePeakDbtp - read(shown['True peak']!)) <= 0.1,
        `undone ${undoneFigures.truePeakDbtp} dBTP, shown ${shown['True peak']}`,
      );
      let worst = 0;
      u.channels.forEach((c, ch) => c.forEach((v, i) => void (worst = Math.max(worst, Math.abs(v - p.channels[ch]![i]!)))));
      const same = Buffer.from(undone.bytes).equals(Buffer.from(plain.bytes));
      t.diagnostic(
        `undone vs uncorrected export: ${same ? 'same bytes' : `samples differ by up to ${Math.round(worst * 32768)} steps (render to render)`}`,
      );
      assert.ok(
        worst * 32768 <= 16,
        `the undone mix is the uncorrected one, give or take the render's jitter (${Math.round(worst * 32768)} steps)`,
      );
      assert.ok(!Buffer.from(corrected.bytes).equals(Buffer.from(plain.bytes)));

      // Stems stay as rendered (they are for remixing); the zip's mix is corrected.
      await open('wav16', true);
      await choose('streaming');
      const zip = await save();
      const files = unzipSync(zip.bytes);
      const mix = decodeWav(files['Files Test stems/00 Mix.wav']!);
      assert.equal(chainOf(mix.info.ICMT)?.targetLufs, -14);
      assert.ok(Math.abs(meter(mix).measurements.integratedLufs - chain.measuredAfter.integratedLufs) <= 0.5);
      for (const stem of ['01 Drums', '02 Bass'])
        assert.equal(chainOf(decodeWav(files[`Files Test stems/${stem}.wav`]!).info.ICMT), null, `${stem}: no chain`);
      assert.match(await notice(page), /Saved Files Test stems\.zip/);

      // Opus: the chain in its tags too.
      await open('opus');
      await choose('streaming');
      const opus = await save();
      const probe = withTempFile('x.opus', opus.bytes, (path) => ffprobe(path));
      assert.equal(JSON.parse(probe.tags.riffroom_mastering ?? 'null')?.targetLufs, -14, `tags: ${JSON.stringify(probe.tags)}`);
      assert.match(probe.tags.comment ?? '', /Mastering: \{/);
    });

    test('Check a file…: an exported file shows its provenance; a file without says none; a damaged one says why', async () => {
      const exported = await download(page, 'file-export-song-midi');
      const check = async (name: string, bytes: Uint8Array): Promise<{ status: string; verdict: string; details: string[] }> => {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menu(page, 'file-check')]);
        await chooser.setFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
        await page.waitForSelector('[data-testid="check-file-dialog"]');
        const shown = await page.evaluate(() => {
          const verdict = document.querySelector<HTMLElement>('[data-testid="check-file-verdict"]')!;
          const items = document.querySelectorAll<HTMLElement>('[data-testid="check-file-details"] li');
          return { status: verdict.dataset.status!, verdict: verdict.textContent!, details: [...items].map((li) => li.textContent!) };
        });
        await page.click('[data-testid="check-file-close"]');
        await page.waitForSelector('[data-testid="check-file-dialog"]', { state: 'detached', timeout: 5000 });
        return shown;
      };
      const found = await check(exported.name, exported.bytes);
      assert.deepEqual([found.status, found.verdict], ['found', 'Riffroom provenance found in this MIDI file.']);
      assert.equal(found.details[0], '"Files Test": the song, bars 1–4.');
      assert.equal(found.details[1], 'Made in Riffroom: 2 clips (2 written by bandmates). Notes: 100% by people.');
      assert.match(found.details[2]!, /^Clip on Drums \(bars 1–2, 6 notes\): written by a person/);
      const plain = await check('plain.wav', encodeWav({ sampleRate: 44100, channels: [new Float32Array(100)] }));
      assert.deepEqual([plain.status, plain.verdict, plain.details], ['none', 'No provenance found in this WAV file.', []]);
      const damaged = await check('cut.mid', exported.bytes.subarray(0, 30));
      assert.equal(damaged.status, 'unreadable');
      assert.match(damaged.verdict, /^Cannot check this MIDI file: the file is damaged: /);
      const other = await check('notes.txt', new TextEncoder().encode('hello'));
      assert.equal(other.verdict, 'Cannot check this file: this is not a MIDI, WAV, Ogg Opus or MusicXML file.');
    });

    test('import MIDI into a new track, then into an existing one: the notes appear in the editor', async () => {
      const bytes = leadMidi();
      const chooseFile = async (name: string, buffer: Uint8Array): Promise<void> => {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menu(page, 'file-import-midi-track')]);
        await chooser.setFiles({ name, mimeType: 'audio/midi', buffer: Buffer.from(buffer) });
      };
      await chooseFile('riff.mid', bytes);
      await page.waitForSelector('[data-testid="import-midi-dialog"]');
      assert.match((await page.textContent('[data-testid="import-midi-dialog"]')) ?? '', /4 notes/);
      // What the file is, each fact with why: key, tempo and meter, its track's role, moods.
      const facts = await page.$$eval('[data-testid="import-midi-metadata"] > div', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.label),
      );
      assert.deepEqual(facts.slice(0, 2), ['Key', 'Tempo and meter'], facts.join(', '));
      assert.ok(facts.includes('Mood'), facts.join(', '));
      await page.selectOption('[data-testid="import-midi-track"]', 'new');
      assert.equal(await page.inputValue('[data-testid="import-midi-role"]'), 'lead', 'the role guessed from the file');
      await page.fill('[data-testid="import-midi-name"]', 'Riff');
      await page.fill('[data-testid="import-midi-bar"]', '5');
      await page.click('[data-testid="import-midi-confirm"]');
      // The new clip opens in the editor with the file's notes.
      await page.waitForFunction(
        () => {
          const d = document;
          return (
            d.querySelector<HTMLElement>('[data-testid="clip-editor"]') &&
            d.querySelectorAll<HTMLElement>('[data-testid="clip-editor"] [data-testid="note"]').length === 4
          );
        },
        undefined,
        { timeout: 5000 },
      );
      assert.deepEqual(
        (await editorNotes(page)).map((n) => [n.pitch, n.tick]),
        [
          [72, 0],
          [73, 240],
          [74, 480],
          [75, 720],
        ],
      );
      await undoOffers(page, 'imported 4 notes from MIDI into new track Riff');
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLInputElement>('[data-testid="track-name"]')].some((el) => el.value === 'Riff'),
      );
      await untilDocHas(page, carol.doc, 'carol has the import');
      const song = readSong(carol.doc);
      const riff = song.tracks.find((t) => t.name === 'Riff')!;
      assert.equal(riff.role, 'lead');
      assert.deepEqual(
        song.clips.filter((c) => c.trackId === riff.id).map((c) => [c.startBar, c.notes.length]),
        [[4, 4]],
      );

      // Into the bass track (the selected clip's track is offered first... select the bass clip).
      await page.click(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
      await chooseFile('riff.mid', bytes);
      await page.waitForSelector('[data-testid="import-midi-dialog"]');
      assert.equal(await page.inputValue('[data-testid="import-midi-track"]'), bass);
      await page.fill('[data-testid="import-midi-bar"]', '9');
      await page.click('[data-testid="import-midi-confirm"]');
      await page.waitForFunction(
        (id) =>
          [...document.querySelectorAll<HTMLElement>(`[data-testid="clip"][data-track-id="${id}"]`)].some(
            (el) => el.dataset.startBar === '8',
          ),
        bass,
        { timeout: 5000 },
      );
      await undoOffers(page, 'imported 4 notes from MIDI');
    });

    test('a malformed MIDI file is refused with a clear message, and nothing changes', async () => {
      // Carol's copy once she has every edit made so far (the last import may still be on its way).
      await untilDocHas(page, carol.doc, 'carol has the earlier imports');
      const before = JSON.stringify(readSong(carol.doc));
      const clipsBefore = await page.locator('[data-testid="clip"]').count();
      const edits = await countLocalEdits(page);
      for (const [name, bytes] of [
        ['broken.mid', new TextEncoder().encode('MThd\u0000\u0000\u0000\u0006garbage')],
        ['notes.txt.mid', new TextEncoder().encode('C D E F G')],
      ] as const) {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menu(page, 'file-import-midi-track')]);
        await chooser.setFiles({ name, mimeType: 'audio/midi', buffer: Buffer.from(bytes) });
        await page.waitForFunction(
          (n) => (document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? '').includes(n),
          name,
          { timeout: 5000 },
        );
        const message = await notice(page);
        assert.match(
          message,
          new RegExp(`${name.replace(/\./g, '\\.')} is not a MIDI file Riffroom can read: .+\\. Nothing was changed\\.`),
        );
        assert.equal(await page.getAttribute('[data-testid="notice"]', 'role'), 'alert');
        assert.equal(await page.locator('[data-testid="import-midi-dialog"]').count(), 0, 'no dialog for a file that cannot be read');
      }
      // The refusal is the import's last step: an edit would have been made by then, so none is
      // still on its way to carol.
      assert.equal(await edits(), 0, 'no edit made');
      assert.equal(JSON.stringify(readSong(carol.doc)), before, 'the shared song is unchanged');
      assert.equal(await page.locator('[data-testid="clip"]').count(), clipsBefore);
    });

    test('MusicXML export: the song as .musicxml and .mxl, the loop, the selected clip', async () => {
      const exportScore = async (range: 'song' | 'loop' | 'clip', format: 'musicxml' | 'mxl') => {
        await menu(page, 'file-export-musicxml');
        await page.waitForSelector('[data-testid="export-score-dialog"]');
        await page.check(`[data-testid="score-range-${range}"]`);
        await page.check(`[data-testid="score-format-${format}"]`);
        const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid="score-save"]')]);
        await page.waitForSelector('[data-testid="export-score-dialog"]', { state: 'detached', timeout: 5000 });
        return saved(file);
      };
      await untilDocHas(page, carol.doc, 'carol has every edit so far');
      const expected = songToMusicXml(readSong(carol.doc)).xml;
      const plain = await exportScore('song', 'musicxml');
      assert.equal(plain.name, 'Files Test.musicxml');
      const xml = new TextDecoder().decode(plain.bytes);
      assert.equal(xml, expected, "the page writes what core writes from carol's copy of the song");
      const score = readScore(xml);
      assert.deepEqual(
        score.parts.map((p) => p.name),
        readSong(carol.doc).tracks.map((t) => t.name),
      );
      assert.equal(score.parts[0]!.percussion, true, 'the drums on a percussion staff');
      assert.deepEqual(
        score.parts[0]!.notes.map((n) => [n.pitch, n.tick]),
        DRUM_HITS.map((n) => [n.pitch, n.tick]),
      );
      assert.match(await notice(page), /Saved Files Test\.musicxml/);

      const compressed = await exportScore('song', 'mxl');
      assert.equal(compressed.name, 'Files Test.mxl');
      assert.equal(await musicXmlFileText(compressed.bytes), expected, 'the .mxl holds the same score');
      for (const file of [plain, compressed]) {
        const check = checkFile(file.bytes);
        assert.equal(check.status === 'found' && check.record.content, 'notation', `${file.name} carries its provenance`);
      }

      setLoop(carol.doc, { startBar: 2, endBar: 3 });
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="loop-start"]')?.value === '3', undefined, {
        timeout: 5000,
      });
      const loop = await exportScore('loop', 'musicxml');
      assert.equal(loop.name, 'Files Test (bar 3).musicxml');
      const bass = readScore(new TextDecoder().decode(loop.bytes)).parts.find((p) => p.name === 'Bass')!;
      assert.deepEqual(
        bass.notes.map((n) => [n.pitch, n.tick]),
        BASS_NOTES.filter((n) => n.tick < BAR).map((n) => [n.pitch, n.tick]),
        "the loop's bar alone, from its start",
      );

      await page.click(`[data-testid="clip"][data-clip-id="${bassClip}"]`);
      const clip = await exportScore('clip', 'musicxml');
      assert.equal(clip.name, 'Files Test - Bass (bars 3-4).musicxml');
      const clipScore = readScore(new TextDecoder().decode(clip.bytes));
      assert.equal(clipScore.parts.length, 1);
      assert.deepEqual(
        clipScore.parts[0]!.notes.map((n) => [n.pitch, n.tick, n.duration, n.velocity]),
        BASS_NOTES.map((n) => [n.pitch, n.tick, n.duration, n.velocity]),
      );
    });

    test('MusicXML import: a lead sheet as new tracks with its chords, then into a track', async () => {
      const sheet = leadSheet();
      const choose = async (item: string, name: string, buffer: Uint8Array): Promise<void> => {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menu(page, item)]);
        await chooser.setFiles({ name, mimeType: 'application/vnd.recordare.musicxml', buffer: Buffer.from(buffer) });
      };
      await choose('file-import-musicxml-song', 'tune.mxl', await writeMxl(sheet));
      await page.waitForFunction(
        () => /Imported tune\.mxl: 1 tracks and 2 chord symbols/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''),
        undefined,
        {
          timeout: 5000,
        },
      );
      await untilDocHas(page, carol.doc, 'carol has the lead sheet');
      let song = readSong(carol.doc);
      const melody = song.tracks.find((t) => t.name === 'Tune melody')!;
      assert.equal(melody.role, 'lead');
      assert.deepEqual(
        song.clips.filter((c) => c.trackId === melody.id).map((c) => c.notes.map((n) => [n.pitch, n.tick])),
        [LEAD_SHEET_NOTES.map((n) => [n.pitch, n.tick])],
      );
      assert.deepEqual(
        song.chords.filter((c) => c.tick < 2 * BAR).map((c) => [c.tick, c.symbol]),
        [
          [0, 'Am'],
          [BAR, 'E7'],
        ],
      );
      await undoOffers(page, 'imported MusicXML "Tune" with 1 track');

      await choose('file-import-musicxml-track', 'tune.musicxml', new TextEncoder().encode(sheet));
      await page.waitForSelector('[data-testid="import-musicxml-dialog"]');
      assert.match((await page.textContent('[data-testid="import-musicxml-dialog"]')) ?? '', /4 notes, and 2 chord symbols/);
      assert.match(
        (await page.textContent('[data-testid="import-musicxml-metadata"]')) ?? '',
        /Key.*A minor.*Tempo and meter.*96 BPM, 3\/4/s,
      );
      await page.selectOption('[data-testid="import-musicxml-track"]', bass);
      await page.fill('[data-testid="import-musicxml-bar"]', '13');
      await page.click('[data-testid="import-musicxml-confirm"]');
      await page.waitForFunction(
        (id) =>
          [...document.querySelectorAll<HTMLElement>(`[data-testid="clip"][data-track-id="${id}"]`)].some(
            (el) => el.dataset.startBar === '12',
          ),
        bass,
        { timeout: 5000 },
      );
      await untilDocHas(page, carol.doc, 'carol has the import into the bass track');
      song = readSong(carol.doc);
      assert.deepEqual(
        song.chords.filter((c) => c.tick >= 12 * BAR).map((c) => [c.tick - 12 * BAR, c.symbol]),
        [
          [0, 'Am'],
          [BAR, 'E7'],
        ],
      );
    });

    test('a malformed MusicXML file is refused with a clear message, and nothing changes', async () => {
      await untilDocHas(page, carol.doc, 'carol has the earlier imports');
      const before = JSON.stringify(readSong(carol.doc));
      const edits = await countLocalEdits(page);
      const mxl = await writeMxl(leadSheet());
      for (const [item, name, bytes] of [
        ['file-import-musicxml-song', 'cut.mxl', mxl.subarray(0, mxl.length - 40)],
        ['file-import-musicxml-track', 'page.musicxml', new TextEncoder().encode('<html><body>not a score</body></html>')],
        ['file-import-musicxml-song', 'half.musicxml', new TextEncoder().encode(leadSheet().slice(0, 2000))],
      ] as const) {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menu(page, item)]);
        await chooser.setFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
        await page.waitForFunction(
          (n) => (document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? '').includes(n),
          name,
          { timeout: 5000 },
        );
        assert.match(
          await notice(page),
          new RegExp(`${name.replace(/\./g, '\\.')} is not a MusicXML file Riffroom can read: .+\\. Nothing was changed\\.`),
        );
        assert.equal(await page.getAttribute('[data-testid="notice"]', 'role'), 'alert');
        assert.equal(await page.locator('[data-testid="import-musicxml-dialog"]').count(), 0);
      }
      assert.equal(await edits(), 0, 'no edit made');
      assert.equal(JSON.stringify(readSong(carol.doc)), before, 'the shared song is unchanged');
    });

    // Last: the file has no meter or key, so the song takes 4/4 and A minor from it.
    test('import MIDI as new tracks: each track gets the role its notes play, a keyless file the key they sound in', async () => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), menu(page, 'file-import-midi-song')]);
      await chooser.setFiles({ name: 'minor.mid', mimeType: 'audio/midi', buffer: Buffer.from(keylessMinorMidi()) });
      await page.waitForFunction(
        () => (document.querySelector<HTMLElement>('[data-testid="notice"]')?.textContent ?? '').includes('Imported minor.mid'),
        undefined,
        { timeout: 5000 },
      );
      assert.match(
        await notice(page),
        /Imported minor\.mid: 2 tracks\. The file names no key: its notes sound in A minor \((high|medium) confidence\), now the song's key/,
      );
      await untilDocHas(page, carol.doc, 'carol has the import');
      const song = readSong(carol.doc);
      assert.deepEqual(song.meta.key, { tonic: 9, mode: 'minor' });
      assert.deepEqual(
        song.tracks.slice(-2).map((t) => t.role),
        ['keys', 'lead'],
      );
    });

    test('no page errors', () => {
      assert.deepEqual(alice.errors, []);
    });
  });
}
