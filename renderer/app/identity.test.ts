import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayName, rememberName, NAME_KEY } from './identity.ts';

test('the display name: typed name, else the token name, else ask', () => {
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  const claims = (name: string) => ({ room: 'r', role: 'editor' as const, name, id: 'i', exp: 0 });
  assert.equal(displayName(claims('alice'), storage), 'alice');
  assert.equal(displayName(claims('editor'), storage), null, 'a role is not a name');
  assert.equal(displayName(claims(''), null), null);
  rememberName(storage, '  Zoë ');
  assert.equal(store.get(NAME_KEY), 'Zoë');
  assert.equal(displayName(claims('alice'), storage), 'Zoë');
});
