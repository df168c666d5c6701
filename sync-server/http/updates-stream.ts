/**
 * GET /updates, streamed: the replay stream (contract.ts: varuint seq, varuint length, bytes;
 * repeated) is read from the log a page at a time (LIMITS.http.replayPageBytes) and written
 * with backpressure, so a download holds one page in memory, however long the history and
 * however slow the client; `pace` (rate-limits.ts BytePacer) says how long to wait after each
 * page, so downloads cannot keep the server busy. It stops as soon as the client goes away.
 */
import type { ServerResponse } from 'node:http';
import * as encoding from 'lib0/encoding';
import { COMMON_HEADERS } from './responses.ts';

/** Reads the entries after < seq <= upTo that make the next page (empty when there are none). */
export type ReadPage = (
  after: number,
  upTo: number,
) => Promise<{ seq: number; update: Uint8Array }[]> | { seq: number; update: Uint8Array }[];

/** Counts a page's bytes; returns how long to wait (ms) before the next. */
export type Pace = (bytes: number) => number;

export async function streamUpdates(
  res: ServerResponse,
  readPage: ReadPage,
  after: number,
  upTo: number,
  pace: Pace = () => 0,
): Promise<void> {
  let gone = false;
  const onGone = () => {
    gone = true;
  };
  // The response closes when the client goes away (a request's own 'close' only means its body was read).
  res.once('close', onGone);
  try {
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'application/octet-stream' });
    let next = after;
    while (!gone && next < upTo) {
      const page = await readPage(next, upTo);
      if (!page.length) break;
      next = page.at(-1)!.seq;
      // Each entry's framing, then its bytes as read (not copied into one buffer: the socket
      // writes what queues up behind its first write in one writev). Then wait until the socket
      // took the page (or the client left). (No cork(): a corked response never emits 'drain'.)
      let more = true;
      let bytes = 0;
      for (const entry of page) {
        more = res.write(frameHeader(entry.seq, entry.update.byteLength));
        more = res.write(entry.update);
        bytes += entry.update.byteLength;
      }
      const wait = pace(bytes);
      if (!more) await drained(res);
      if (wait > 0 && !gone) await new Promise((resolve) => setTimeout(resolve, wait));
      else if (more) await new Promise((resolve) => setImmediate(resolve)); // other requests and peers get their turn
    }
    if (!gone) res.end();
  } catch (err) {
    // Headers are out: the only way left to say "incomplete" is to cut the response.
    console.error('updates stream:', err);
    res.destroy();
  } finally {
    res.off('close', onGone);
  }
}

/** varuint seq, varuint byte length: what precedes an update in the stream. */
function frameHeader(seq: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, seq);
  encoding.writeVarUint(encoder, length);
  return encoding.toUint8Array(encoder);
}

/** Resolves when the response can take more, or when it closed. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
