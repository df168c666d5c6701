/**
 * A large room log made of real Yjs updates (binary blobs pushed to a shared array), written with
 * RoomLog.append as the server would, for tests of downloads that must not be held in memory.
 * Returns what GET /updates must answer for it: its size and sha256.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { RoomLog } from '../../sync-server/store/room-log.ts';

export interface BigLog {
  entries: number;
  /** Bytes of the replay stream (contract.ts framing) of every entry. */
  answerBytes: number;
  answerSha256: string;
}

export function writeBigLog(path: string, targetBytes: number, blobBytes = 64 * 1024): BigLog {
  const log = new RoomLog(path);
  const doc = new Y.Doc();
  const blobs = doc.getArray<Uint8Array>('blobs');
  const hash = createHash('sha256');
  let answerBytes = 0;
  let pending: Uint8Array | null = null;
  doc.on('update', (update: Uint8Array) => (pending = update));
  try {
    while (answerBytes < targetBytes) {
      blobs.push([new Uint8Array(randomBytes(blobBytes))]); // Yjs stores plain Uint8Arrays only, not Buffers
      const update = pending!;
      const seq = log.append({ time: Date.now(), author: 'filler', label: 'added a blob', update });
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, seq);
      encoding.writeVarUint8Array(encoder, update);
      const framed = encoding.toUint8Array(encoder);
      hash.update(framed);
      answerBytes += framed.byteLength;
    }
    return { entries: log.lastSeq, answerBytes, answerSha256: hash.digest('hex') };
  } finally {
    log.close();
    doc.destroy();
  }
}
