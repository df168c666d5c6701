import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentsForRole } from '../../../core/song/instrument-catalog.ts';
import { TRACK_ROLES } from '../../../core/song/types.ts';
import { presetGroups } from './instrument-groups.ts';

test("the picker offers exactly the role's presets, each once, grouped by family", () => {
  for (const role of TRACK_ROLES) {
    const groups = presetGroups(role);
    const ids = groups.flatMap((g) => g.presets.map((p) => p.id));
    assert.deepEqual(
      [...ids].sort(),
      instrumentsForRole(role)
        .map((p) => p.id)
        .sort(),
      role,
    );
    for (const g of groups) {
      assert.ok(g.label, `${g.family} has a label`);
      assert.ok(g.presets.every((p) => p.family === g.family));
    }
    assert.equal(new Set(groups.map((g) => g.family)).size, groups.length, 'each family once');
  }
  assert.deepEqual(
    presetGroups('drums').map((g) => g.label),
    ['Drum kits'],
  );
  assert.deepEqual(
    presetGroups('bass')
      .map((g) => g.label)
      .slice(0, 3),
    ['Pianos', 'Electric pianos', 'Mallets'],
  );
  assert.ok(
    presetGroups('bass')
      .find((g) => g.family === 'bass')!
      .presets.some((p) => p.name === 'Slap bass'),
  );
});
