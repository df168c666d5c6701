import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INSTRUMENT_ID, INSTRUMENTS, instrumentById, instrumentsForRole, resolveInstrument } from './instrument-catalog.ts';
import { DEFAULT_INSTRUMENT } from './edits.ts';
import { TRACK_ROLES } from './types.ts';

test('ids are unique, programs in range, and no two presets share a bank and program', () => {
  assert.equal(new Set(INSTRUMENTS.map((p) => p.id)).size, INSTRUMENTS.length);
  assert.equal(new Set(INSTRUMENTS.map((p) => `${p.bank}:${p.program}`)).size, INSTRUMENTS.length);
  for (const p of INSTRUMENTS) assert.ok(Number.isInteger(p.program) && p.program >= 0 && p.program < 128, p.id);
});

test("each role's default is in the catalog, and is what a new track gets", () => {
  for (const role of TRACK_ROLES) {
    assert.equal(DEFAULT_INSTRUMENT_ID[role], DEFAULT_INSTRUMENT[role]);
    assert.ok(
      instrumentsForRole(role).some((p) => p.id === DEFAULT_INSTRUMENT_ID[role]),
      role,
    );
  }
});

test('drum tracks get kits only, pitched tracks never a kit', () => {
  assert.ok(instrumentsForRole('drums').every((p) => p.bank === 128));
  assert.ok(instrumentsForRole('keys').every((p) => p.bank === 0));
  assert.equal(resolveInstrument({ role: 'drums', instrument: 'grand-piano' }).id, 'acoustic-kit');
  assert.equal(resolveInstrument({ role: 'keys', instrument: 'jazz-kit' }).id, 'electric-piano');
  assert.equal(resolveInstrument({ role: 'drums', instrument: 'brush-kit' }).id, 'brush-kit');
});

test('free text from older songs maps through its GM program, else the role default', () => {
  assert.equal(resolveInstrument({ role: 'keys', instrument: 'Rhodes' }, 4).id, 'electric-piano');
  assert.equal(resolveInstrument({ role: 'bass', instrument: 'upright' }, 32).id, 'acoustic-bass');
  // GM 10 (music box) is not offered: the role's default plays.
  assert.equal(resolveInstrument({ role: 'keys', instrument: 'music-box' }, 10).id, 'electric-piano');
  assert.equal(resolveInstrument({ role: 'other', instrument: '' }).id, 'pad');
  assert.equal(instrumentById('nope'), undefined);
});
