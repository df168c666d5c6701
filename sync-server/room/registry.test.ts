import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoomLog } from '../store/room-log.ts';
import { RoomRegistry } from './registry.ts';

test('rooms live in <dataDir>/rooms/<room>.riffroom unless roomFiles names their file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const project = join(dir, 'My song.riffroom');
  const registry = new RoomRegistry({
    dataDir: join(dir, 'data'),
    maxRooms: 4,
    idleUnloadMs: 60_000,
    roomFiles: new Map([['my-song', project]]),
  });
  try {
    assert.equal(registry.fileOf('my-song'), project);
    assert.equal(registry.fileOf('other'), join(dir, 'data', 'rooms', 'other.riffroom'));
    // A room name that is also an Object.prototype key is not looked up on the prototype.
    assert.equal(registry.fileOf('constructor'), join(dir, 'data', 'rooms', 'constructor.riffroom'));
    const room = await registry.get('my-song');
    assert.equal(room.log.path, project);
    room.log.append({ time: 1, author: 'a', label: 'x', update: new Uint8Array([0, 0]) });
  } finally {
    await registry.closeAll();
  }
  assert.ok(!existsSync(join(dir, 'data', 'rooms', 'my-song.riffroom')), 'nothing written under the data dir for the mapped room');
  const log = new RoomLog(project, { readOnly: true });
  assert.equal(log.lastSeq, 1);
  log.close();
});
