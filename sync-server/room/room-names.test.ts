import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOM_NAME } from '../contract.ts';
import { newRoomName } from './room-names.ts';

test('fresh room names are valid room names, with no look-alike characters, and differ', () => {
  const names = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const name = newRoomName();
    assert.match(name, ROOM_NAME);
    assert.match(name, /^jam-[a-hjkmnp-z2-9]{10}$/);
    names.add(name);
  }
  assert.equal(names.size, 2000);
});
