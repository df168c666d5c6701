/**
 * The shipped bank as the build makes it: deterministic, the bytes bank.json records, within
 * budget, exactly the catalog's presets (as our reader and as spessasynth_core see them), with
 * its name and licence in INFO; and ensureBank() building a missing or stale one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoundBankLoader } from 'spessasynth_core';
import { INSTRUMENTS } from '../../../core/song/instrument-catalog.ts';
import { BANK_NAME } from './bank-info.ts';
import { BANK_MAX_BYTES } from './bank-policy.ts';
import { BANK_FILE_NAME, BANK_PATH, SOURCE_PATH, buildBankBytes, ensureBank, readManifest, sha256 } from './build.ts';
import { SoundFontFormatError } from './riff.ts';
import { readSoundFont } from './sf2-read.ts';

const source = readFileSync(SOURCE_PATH);
const first = buildBankBytes(source);
const catalogKeys = INSTRUMENTS.map((p) => `${p.bank}:${p.program}`).sort();

test('two builds give the same bytes, the ones bank.json records, within 16 MB', () => {
  const second = buildBankBytes(source);
  assert.equal(sha256(second.bytes), sha256(first.bytes));
  assert.ok(Buffer.from(second.bytes).equals(Buffer.from(first.bytes)), 'byte-identical');
  const recorded = readManifest();
  assert.deepEqual(first.manifest, recorded, 'bank.json is stale: run npm run build:bank and commit it');
  assert.equal(recorded.source.sha256, sha256(source));
  assert.ok(first.bytes.length <= BANK_MAX_BYTES && BANK_MAX_BYTES <= 16_000_000, `${first.bytes.length} bytes`);
});

test('ensureBank makes a missing bank, replaces a stale one, and returns its path', async () => {
  assert.equal(BANK_PATH.endsWith(`renderer/dist/${BANK_FILE_NAME}`), true);
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-bank-'));
  const staleDir = mkdtempSync(join(tmpdir(), 'riffroom-bank-stale-'));
  try {
    const path = await ensureBank(dir);
    assert.equal(path, join(dir, BANK_FILE_NAME));
    assert.equal(sha256(readFileSync(path)), readManifest().output.sha256);
    assert.equal(await ensureBank(dir), path, 'the same path again, once per process');

    const stale = join(staleDir, BANK_FILE_NAME);
    writeFileSync(stale, 'an older bank');
    assert.equal(await ensureBank(staleDir), stale);
    assert.equal(statSync(stale).size, readManifest().output.bytes);
    assert.equal(sha256(readFileSync(stale)), readManifest().output.sha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(staleDir, { recursive: true, force: true });
  }
});

test('the bank holds exactly the catalog presets, named as in MuseScore_General', () => {
  const bank = readSoundFont(first.bytes);
  const original = readSoundFont(source);
  assert.deepEqual(bank.presets.map((p) => `${p.bank}:${p.program}`).sort(), catalogKeys);
  for (const preset of bank.presets) {
    const from = original.presets.find((p) => p.bank === preset.bank && p.program === preset.program)!;
    assert.equal(preset.name, from.name);
  }
  assert.deepEqual(bank.version, original.version, 'ifil as in the source (SF3 3.1)');
  const text = (id: string) => new TextDecoder().decode(bank.info.find((c) => c.id === id)!.body).replace(/\0+$/, '');
  assert.equal(text('INAM'), BANK_NAME);
  assert.match(text('ICOP'), /MIT/);
  assert.match(text('ICMT'), /THIRD_PARTY_LICENSES\.md[\s\S]*Permission is hereby granted, free of charge/);
});

test('spessasynth_core loads the bank and lists the catalog presets, kits as GM/GS drums', () => {
  const loaded = SoundBankLoader.fromArrayBuffer(first.bytes.slice().buffer);
  const listed = loaded.presets.map((p) => `${p.isGMGSDrum ? 128 : p.bankMSB}:${p.program}`).sort();
  assert.deepEqual(listed, catalogKeys);
  assert.equal(loaded.soundBankInfo.name, BANK_NAME);
  for (const preset of INSTRUMENTS) {
    const found = loaded.presets.find(
      (p) => p.program === preset.program && p.isGMGSDrum === (preset.bank === 128) && (preset.bank === 128 || p.bankMSB === 0),
    );
    assert.ok(found, `${preset.id} (${preset.bank}:${preset.program})`);
  }
});

test('a truncated or corrupted copy of the real bank gets a clear error', () => {
  assert.throws(
    () => readSoundFont(first.bytes.subarray(0, 5_000_000)),
    (error: unknown) => error instanceof SoundFontFormatError && /says \d+ bytes but the file has \d+/.test(error.message),
  );
  const bad = first.bytes.slice();
  // The last shdr record before the terminal one: make its sample end past smpl.
  const shdr = Buffer.from(bad).lastIndexOf('shdr') + 8;
  const size = new DataView(bad.buffer).getUint32(shdr - 4, true);
  new DataView(bad.buffer).setUint32(shdr + size - 2 * 46 + 24, 0xffffffff, true);
  assert.throws(() => readSoundFont(bad), /lies outside smpl/);
});
