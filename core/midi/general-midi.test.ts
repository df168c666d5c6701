import { test } from 'node:test';
import assert from 'node:assert/strict';
import { programForTrack } from './general-midi.ts';
import { INSTRUMENTS } from '../song/instrument-catalog.ts';

test("a preset of the bank's catalog gives its own GM program", () => {
  for (const preset of INSTRUMENTS.filter((p) => p.bank === 0)) {
    assert.equal(programForTrack({ role: 'keys', instrument: preset.id }), preset.program, preset.id);
  }
});

test('free text is guessed by keyword, then by role', () => {
  assert.equal(programForTrack({ role: 'keys', instrument: 'Rhodes' }), 4);
  assert.equal(programForTrack({ role: 'bass', instrument: 'something' }), 33);
});
