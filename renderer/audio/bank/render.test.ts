/**
 * The built bank sounds: notes rendered offline with spessasynth_core (the player's engine) are
 * loud enough, in tune against midiToHz, and, for presets the size trims leave alone (every one
 * but the pianos, bank-policy.ts), sample for sample what the full MuseScore_General Lite plays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SoundBankLoader, SpessaSynthProcessor, type BasicSoundBank } from 'spessasynth_core';
import { INSTRUMENTS, instrumentById } from '../../../core/song/instrument-catalog.ts';
import { midiToHz } from '../tone/instruments/instrument.ts';
import { SOURCE_PATH, ensureBank } from './build.ts';
import { centsOff, fundamentalHz } from './pitch.ts';

const SR = 44_100;
const BLOCK = 128;

function load(path: string): BasicSoundBank {
  const bytes = readFileSync(path);
  return SoundBankLoader.fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

const bank = load(await ensureBank());
const full = load(SOURCE_PATH);

/** One note of a catalog preset, held for `seconds`, effects off: [left, right]. */
async function renderNote(
  soundBank: BasicSoundBank,
  id: string,
  note: number,
  seconds = 1,
  velocity = 100,
): Promise<[Float32Array, Float32Array]> {
  const preset = instrumentById(id)!;
  const synth = new SpessaSynthProcessor(SR, { effectsEnabled: false, eventsEnabled: false, maxBufferSize: BLOCK });
  synth.soundBankManager.addSoundBank(soundBank, 'bank');
  await synth.processorInitialized;
  // Channel 10 (index 9) is the drum channel: its program picks the kit.
  const channel = preset.bank === 128 ? 9 : 0;
  synth.programChange(channel, preset.program);
  synth.noteOn(channel, note, velocity);
  const frames = Math.ceil((SR * seconds) / BLOCK) * BLOCK;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let at = 0; at < frames; at += BLOCK) synth.process(left.subarray(at, at + BLOCK), right.subarray(at, at + BLOCK));
  return [left, right];
}

function rmsDb(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 10 * Math.log10(sum / samples.length);
}

test('every preset of the bank sounds (one note each, above -45 dBFS RMS)', async () => {
  for (const preset of INSTRUMENTS) {
    const note = preset.bank === 128 ? 38 : preset.family === 'bass' ? 40 : 60;
    const [left, right] = await renderNote(bank, preset.id, note, 0.5);
    const level = Math.max(rmsDb(left), rmsDb(right));
    assert.ok(level > -45, `${preset.id} note ${note}: ${level.toFixed(1)} dBFS`);
  }
});

test('a piano A4 and a bass E2 are in tune with midiToHz', async () => {
  // The piano is a stretched-tuned recording (the source's own A4 reads +6 cents): a few cents.
  const cases = [
    { id: 'grand-piano', note: 69, cents: 10 },
    { id: 'finger-bass', note: 40, cents: 5 },
    { id: 'acoustic-bass', note: 40, cents: 8 },
  ];
  for (const { id, note, cents } of cases) {
    const [left] = await renderNote(bank, id, note, 0.5);
    // 100 ms to 300 ms: past the attack, before the decay thins it out.
    const hz = fundamentalHz(left.subarray(SR / 10, (3 * SR) / 10), SR, { minHz: 25, maxHz: 1500 });
    assert.ok(hz !== undefined, `${id}: no fundamental`);
    const off = centsOff(hz, midiToHz(note));
    assert.ok(
      Math.abs(off) < cents,
      `${id} note ${note}: ${hz.toFixed(2)} Hz is ${off.toFixed(1)} cents from ${midiToHz(note).toFixed(2)}`,
    );
  }
});

/** The fundamental from 100 ms to 300 ms: past the attack, before the decay thins it out. */
function pitchOf(left: Float32Array): number | undefined {
  return fundamentalHz(left.subarray(SR / 10, (3 * SR) / 10), SR, { minHz: 25, maxHz: 4500 });
}

test('the shared piano samples keep the piano in tune, soft and loud, across the keyboard', async () => {
  // Thinned notes play a neighbour's sample from its own root key; loud ones (the forte zones)
  // the mezzo-forte samples. The recording's own tuning wanders (the full bank reads up to 13
  // cents off in this range): each note is within 15 cents of midiToHz and 10 of the full bank.
  for (const note of [33, 40, 45, 52, 57, 62, 64, 69, 76, 81]) {
    for (const velocity of [100, 120]) {
      const ours = pitchOf((await renderNote(bank, 'grand-piano', note, 0.5, velocity))[0]);
      const theirs = pitchOf((await renderNote(full, 'grand-piano', note, 0.5, velocity))[0]);
      assert.ok(ours !== undefined && theirs !== undefined, `note ${note} velocity ${velocity}: no fundamental`);
      const off = centsOff(ours, midiToHz(note));
      assert.ok(Math.abs(off) < 15, `note ${note} velocity ${velocity}: ${off.toFixed(1)} cents off midiToHz`);
      assert.ok(
        Math.abs(centsOff(ours, theirs)) < 10,
        `note ${note} velocity ${velocity}: ${centsOff(ours, theirs).toFixed(1)} cents from the full bank`,
      );
    }
  }
});

test('presets the trims leave alone render identically from the subset and the full bank', async () => {
  const cases: [string, number][] = [
    ['finger-bass', 40],
    ['strings', 60],
    ['electric-piano', 64],
    ['acoustic-kit', 38],
    ['tr-808-kit', 36],
  ];
  for (const [id, note] of cases) {
    const ours = await renderNote(bank, id, note);
    const theirs = await renderNote(full, id, note);
    assert.ok(rmsDb(ours[0]) > -45, `${id} is not silent`);
    for (const side of [0, 1] as const) {
      let worst = 0;
      for (let i = 0; i < ours[side].length; i++) worst = Math.max(worst, Math.abs(ours[side][i]! - theirs[side][i]!));
      assert.ok(worst < 1e-6, `${id} note ${note}, channel ${side}: differs by up to ${worst}`);
    }
  }
});
