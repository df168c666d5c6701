/**
 * After a part, with the server stopped: is the room's log intact (its hash chain verifies) and
 * complete (the document it rebuilds holds everything any honest peer had), and who wrote it?
 */
import * as Y from 'yjs';
import { RoomLog } from '../../sync-server/store/room-log.ts';
import type { LogBase } from './attack.ts';

export interface LogCheck {
  intact: boolean;
  /** Where the chain breaks, when it does. */
  broken: { brokenAt: number; reason: string } | null;
  entries: number;
  /** Entries by author (the token's name). */
  byAuthor: Record<string, number>;
  /** Every (client, clock) of the honest documents is in the rebuilt document. */
  honestComplete: boolean;
  /** Clients whose honest clock the log does not reach: [client, in the log, in the honest docs]. */
  missing: [number, number, number][];
}

/** `base`: a state the log is known to reach at `base.seq` (a log the bench wrote itself). */
export function checkLog(file: string, honestVector: [number, number][], base?: LogBase): LogCheck {
  const log = new RoomLog(file, { create: false });
  try {
    const broken = log.verify();
    const byAuthor: Record<string, number> = {};
    for (let after = base?.seq ?? 0; ; ) {
      const page = log.history(after, 10_000);
      if (!page.length) break;
      for (const e of page) byAuthor[e.author] = (byAuthor[e.author] ?? 0) + 1;
      after = page.at(-1)!.seq;
    }
    if (base) byAuthor['(written by the bench)'] = base.seq;
    const doc = new Y.Doc();
    doc.transact(() => {
      if (base) Y.applyUpdate(doc, base.state);
      for (const { update } of log.updates(base?.seq ?? 0)) Y.applyUpdate(doc, update);
    });
    const logVector = Y.decodeStateVector(Y.encodeStateVector(doc));
    doc.destroy();
    const missing = honestVector
      .filter(([client, clock]) => (logVector.get(client) ?? 0) < clock)
      .map(([client, clock]): [number, number, number] => [client, logVector.get(client) ?? 0, clock]);
    return { intact: broken === null, broken, entries: log.lastSeq, byAuthor, honestComplete: missing.length === 0, missing };
  } finally {
    log.close();
  }
}
