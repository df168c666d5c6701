import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLogStore } from './sqlite-store.ts';
import { roomStoreSuite } from './room-store.suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'riffroom-sqlite-store-'));
const store = new SqliteLogStore((room) => join(dir, `${room}.riffroom`));
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

roomStoreSuite('SQLite', () => ({
  open: (room) => store.open(room),
  openExisting: (room) => store.open(room, { create: false }),
}));
