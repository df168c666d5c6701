import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENERGY_LABELS, ENERGY_LEVELS, ENERGY_THRESHOLDS, energyLevel } from './energy.ts';

test('the level counts the thresholds reached', () => {
  // bass thresholds 3.75, 5, 6.25, 7.75: five notes a bar reaches two of them.
  assert.equal(energyLevel('bass', 5), 2);
  assert.equal(energyLevel('bass', 4.99), 1);
  assert.equal(energyLevel('drums', 0), 0);
  assert.equal(energyLevel('keys', 100), ENERGY_LEVELS - 1);
});

test('one label per level, and every part has one threshold fewer than there are levels', () => {
  assert.equal(ENERGY_LABELS.length, ENERGY_LEVELS);
  for (const thresholds of Object.values(ENERGY_THRESHOLDS)) assert.equal(thresholds.length, ENERGY_LEVELS - 1);
});
