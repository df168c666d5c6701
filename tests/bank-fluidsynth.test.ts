/**
 * The shipped bank in a second, independent SoundFont player: Debian's fluidsynth (C, SF3 through
 * libsndfile's Vorbis decoder) lists exactly the catalog's presets, and renders notes of presets
 * the size trims leave alone byte-identical from the subset and from the full MuseScore_General
 * Lite, the grand piano audibly. Skips with a message when fluidsynth is not installed
 * (scripts/setup-audio-tools.sh installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTRUMENTS } from '../core/song/instrument-catalog.ts';
import { SOURCE_PATH, ensureBank } from '../renderer/audio/bank/build.ts';
import { decodeWav } from '../renderer/audio/wav.ts';

const fluidsynth = spawnSync('fluidsynth', ['--version'], { encoding: 'utf8' });
const missing = fluidsynth.error
  ? 'fluidsynth is not installed (bash scripts/setup-audio-tools.sh installs it as root with apt)'
  : undefined;

/**
 * A standard MIDI file (format 0, 480 ticks a beat, 120 BPM) playing `notes` one after another:
 * each a program change, then the note at velocity 100 for 1 s and 0.5 s of tail.
 */
function midiFile(notes: readonly { channel: number; program: number; note: number }[]): Uint8Array {
  const vlq = (n: number): number[] => (n < 0x80 ? [n] : [0x80 | (n >> 7), n & 0x7f]);
  const events = notes.flatMap(({ channel, program, note }) => [
    0,
    0xc0 | channel,
    program,
    0,
    0x90 | channel,
    note,
    100,
    ...vlq(960),
    0x80 | channel,
    note,
    0,
    ...vlq(480),
    0xb0 | channel,
    121,
    0, // reset controllers: a silent gap
  ]);
  events.push(0, 0xff, 0x2f, 0);
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0];
  const length = [24, 16, 8, 0].map((shift) => (events.length >>> shift) & 0xff);
  return new Uint8Array([...header, 0x4d, 0x54, 0x72, 0x6b, ...length, ...events]);
}

/**
 * fluidsynth's offline render of `midi` with `bank`: 16-bit stereo WAV bytes, no reverb or chorus.
 * Dynamic sample loading decodes only the presets played (the full bank's 40 MB otherwise).
 */
function render(bank: string, midi: string, out: string): Uint8Array {
  const options = ['-o', 'synth.dynamic-sample-loading=1', '-R', '0', '-C', '0', '-g', '1', '-r', '44100'];
  execFileSync('fluidsynth', ['-ni', '-q', ...options, '-F', out, bank, midi], { stdio: 'pipe' });
  return readFileSync(out);
}

function peakOf(channels: readonly Float32Array[]): number {
  let max = 0;
  for (const channel of channels) for (const s of channel) max = Math.max(max, Math.abs(s));
  return max;
}

test('fluidsynth lists exactly the catalog presets', { skip: missing }, async () => {
  const bank = await ensureBank();
  const shell = spawnSync('fluidsynth', ['-n', '-q', '-a', 'file', '-o', 'audio.file.name=/dev/null', bank], {
    input: 'inst 1\nquit\n',
    encoding: 'utf8',
  });
  const listed = [...shell.stdout.matchAll(/^(\d{3})-(\d{3}) /gm)].map((m) => `${Number(m[1])}:${Number(m[2])}`).sort();
  assert.deepEqual(listed, INSTRUMENTS.map((p) => `${p.bank}:${p.program}`).sort(), shell.stdout + shell.stderr);
});

test('fluidsynth renders untrimmed presets identically from the subset and the full bank', { skip: missing }, async () => {
  const bank = await ensureBank();
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-fluidsynth-'));
  try {
    // Strings, finger bass, the standard kit's snare, the TR-808's kick.
    const midi = join(dir, 'untrimmed.mid');
    writeFileSync(
      midi,
      midiFile([
        { channel: 0, program: 48, note: 60 },
        { channel: 1, program: 33, note: 40 },
        { channel: 9, program: 0, note: 38 },
        { channel: 9, program: 25, note: 36 },
      ]),
    );
    const ours = render(bank, midi, join(dir, 'subset.wav'));
    const theirs = render(SOURCE_PATH, midi, join(dir, 'full.wav'));
    const audio = decodeWav(ours);
    // Each of the four notes sounds in its own 1.5 s slot.
    for (let slot = 0; slot < 4; slot++) {
      const from = Math.round(slot * 1.5 * audio.sampleRate);
      const part = { ...audio, channels: audio.channels.map((c) => c.subarray(from, from + audio.sampleRate)) };
      assert.ok(peakOf(part.channels) > 0.02, `note ${slot + 1} sounds`);
    }
    assert.ok(Buffer.from(ours).equals(Buffer.from(theirs)), 'the subset and the full bank render the same bytes');

    const piano = join(dir, 'piano.mid');
    writeFileSync(piano, midiFile([{ channel: 0, program: 0, note: 69 }]));
    assert.ok(peakOf(decodeWav(render(bank, piano, join(dir, 'piano.wav'))).channels) > 0.02, 'the shared piano sounds');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
