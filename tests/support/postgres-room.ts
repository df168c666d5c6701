/**
 * Reading a room's log straight from PostgreSQL, and editors bursting clips into a room: shared by
 * the tests of the server on PostgreSQL (tests/sync-postgres.test.ts, tests/cluster-postgres.test.ts).
 */
import * as Y from 'yjs';
import { addClip } from '../../core/song/edits.ts';
import { clipsMap } from '../../core/song/schema.ts';
import { PostgresLogStore } from '../../sync-server/store/postgres-store.ts';
import type { Client } from './yjs-clients.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The room's log in the database: its entries' updates replayed one by one, the clip ids each brought. */
export async function readLog(url: string, room: string): Promise<{ broken: unknown; clipsPerEntry: string[][]; doc: Y.Doc }> {
  const logs = await PostgresLogStore.connect(url);
  try {
    const store = await logs.open(room, { create: false });
    const broken = await store.verify();
    const doc = new Y.Doc();
    const clipsPerEntry: string[][] = [];
    for await (const record of store.updates(0)) {
      const before = new Set(clipsMap(doc).keys());
      Y.applyUpdate(doc, record.update);
      clipsPerEntry.push([...clipsMap(doc).keys()].filter((id) => !before.has(id)));
    }
    await store.close();
    return { broken, clipsPerEntry, doc };
  } finally {
    await logs.close();
  }
}

/** Editors adding clips as fast as they can until stopped; `acked` is what another peer received. */
export function burst(clients: Client[], trackId: string) {
  const created: string[][] = clients.map(() => []);
  let stop = false;
  const running = clients.map(async (client, i) => {
    for (let n = 0; !stop; n++) {
      created[i]!.push(addClip(client.doc, { trackId, startBar: n % 4000, lengthBars: 1, name: `c${i}-${n}`, notes: [] }));
      await sleep(n % 4 === 0 ? 2 : 0);
    }
  });
  return {
    created,
    /** Clips some other peer has: they came back through the server, so the server accepted them. */
    acked(): string[] {
      return created.flatMap((ids, i) => ids.filter((id) => clients.some((other, j) => j !== i && clipsMap(other.doc).has(id))));
    },
    async stop() {
      stop = true;
      await Promise.all(running);
    },
  };
}
