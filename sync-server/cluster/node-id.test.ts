import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNodeId, stableNodeId } from './node-id.ts';
import { redactStoreUrl } from '../store/cluster-store.ts';

test('the default node id is made once and kept in <data>/node-id', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-node-id-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const first = stableNodeId(data);
  assert.match(first, /^[A-Za-z0-9.-]+-[0-9a-f]{12}$/);
  assert.equal(readFileSync(join(data, 'node-id'), 'utf8'), `${first}\n`);
  assert.equal(stableNodeId(data), first, 'the same id after a restart');
});

test('a node id is printable ASCII without spaces; bad ones are refused with the reason', () => {
  assert.equal(checkNodeId('jam-1'), 'jam-1');
  for (const bad of ['', 'has space', 'x'.repeat(129), 'tab\there', 'é']) assert.throws(() => checkNodeId(bad), /1 to 128 printable ASCII/);
});

test('the store URL is shown with its password masked', () => {
  assert.equal(redactStoreUrl('postgres://riff:s3cret@db:5432/riffroom'), 'postgres://riff:***@db:5432/riffroom');
  assert.equal(redactStoreUrl('postgres://riff@db:5432/riffroom'), 'postgres://riff@db:5432/riffroom');
  assert.doesNotMatch(redactStoreUrl('postgres://riff:s3cret@[bad'), /s3cret/);
});
