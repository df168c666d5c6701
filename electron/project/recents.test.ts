import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RECENTS, RECENTS_FILE, RecentProjects } from './recents.ts';

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-recents-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const project = (name: string) => {
    const path = join(dir, `${name}.riffroom`);
    writeFileSync(path, 'x');
    return path;
  };
  return { dir, userData: join(dir, 'userData'), project };
}

test('newest first, no duplicates, at most MAX_RECENTS', (t) => {
  const { userData, project } = setup(t);
  const recents = new RecentProjects(userData);
  assert.deepEqual(recents.list(), [], 'no file yet: an empty list');
  const a = project('a');
  const b = project('b');
  recents.add(a, 1);
  recents.add(b, 2);
  recents.add(a, 3);
  assert.deepEqual(recents.list(), [
    { path: a, name: 'a', openedAt: 3 },
    { path: b, name: 'b', openedAt: 2 },
  ]);
  for (let i = 0; i < MAX_RECENTS + 5; i++) recents.add(project(`p${i}`), 10 + i);
  const list = new RecentProjects(userData).list();
  assert.equal(list.length, MAX_RECENTS);
  assert.equal(list[0]!.name, `p${MAX_RECENTS + 4}`);
  assert.deepEqual(readdirSync(userData), [RECENTS_FILE], 'written atomically, no temporary file left');
});

test('files that are gone are dropped; remove and clear', (t) => {
  const { userData, project } = setup(t);
  const recents = new RecentProjects(userData);
  const a = project('a');
  const b = project('b');
  const c = project('c');
  recents.add(a);
  recents.add(b);
  recents.add(c);
  rmSync(b);
  assert.deepEqual(
    recents.list().map((r) => r.name),
    ['c', 'a'],
  );
  assert.deepEqual(
    recents.remove(c).map((r) => r.name),
    ['a'],
  );
  recents.clear();
  assert.deepEqual(recents.list(), []);
});

test('paths compare case-insensitively on Windows and macOS', (t) => {
  const { userData } = setup(t);
  const recents = new RecentProjects(userData, { platform: 'darwin', exists: () => true });
  recents.add('/Users/ann/Song.riffroom', 1);
  recents.add('/Users/ann/song.riffroom', 2);
  assert.deepEqual(
    recents.list().map((r) => r.path),
    ['/Users/ann/song.riffroom'],
  );
  const linux = new RecentProjects(join(userData, 'l'), { platform: 'linux', exists: () => true });
  linux.add('/home/ann/Song.riffroom', 1);
  linux.add('/home/ann/song.riffroom', 2);
  assert.equal(linux.list().length, 2);
});

test('a damaged or foreign recents file reads as empty and is replaced on the next change', (t) => {
  const { userData, project } = setup(t);
  const recents = new RecentProjects(userData);
  const a = project('a');
  recents.add(a);
  for (const junk of ['{"version":1,"projects":[', 'null', '"text"', '{"projects":{"a":1}}', '\u0000\u0001binary']) {
    writeFileSync(recents.file, junk);
    assert.deepEqual(recents.list(), [], `tolerates ${JSON.stringify(junk)}`);
  }
  writeFileSync(
    recents.file,
    JSON.stringify({
      version: 1,
      projects: [null, 3, { path: 'relative.riffroom' }, { path: '/etc/passwd' }, { path: a, name: 5, openedAt: 'x' }, { path: a }],
    }),
  );
  assert.deepEqual(recents.list(), [{ path: a, name: 'a', openedAt: 0 }], 'only valid, absolute .riffroom entries, deduplicated');
  recents.add(project('b'), 9);
  const saved = JSON.parse(readFileSync(recents.file, 'utf8'));
  assert.equal(saved.version, 1);
  assert.deepEqual(
    saved.projects.map((p: { name: string }) => p.name),
    ['b', 'a'],
  );
});
