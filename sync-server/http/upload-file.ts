/**
 * A request body written to a file as it arrives (an uploaded project: POST /import), never held
 * in memory, with a size cap: a Content-Length over the cap is refused before a byte is read, and
 * a body that grows past it (chunked, or lying about its length) is cut off there. Either way, and
 * whenever the upload fails or the client goes away, the partial file is removed.
 *
 * The rest of a refused body is read and dropped for a short while (dropRefusedBody), never
 * written: a client still sending when the connection closes gets a reset, not the answer.
 */
import type { IncomingMessage } from 'node:http';
import { open, rm } from 'node:fs/promises';
import { formatBytes } from '../store/bounded-inflate.ts';
import { HttpError } from './responses.ts';

/** Writes the body of `req` to `path` (a new file); returns its size. Throws HttpError (413, 400). */
export async function receiveToFile(req: IncomingMessage, path: string, maxBytes: number): Promise<number> {
  const tooLarge = () => new HttpError(413, `the project is larger than the ${formatBytes(maxBytes)} this server takes`);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge();
  const file = await open(path, 'wx');
  let size = 0;
  let failure: unknown = null;
  try {
    await new Promise<void>((resolve, reject) => {
      let writing = Promise.resolve();
      const stop = (err: unknown) => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('close', onClose);
        req.off('error', onCutShort);
        // Whatever was in flight is written (or failed) before the file is removed.
        writing.then(
          () => reject(err),
          () => reject(err),
        );
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return stop(tooLarge());
        // One write at a time: the request is paused while it runs (backpressure to the client).
        req.pause();
        writing = writing.then(async () => {
          await file.write(chunk);
          req.resume();
        });
        writing.catch(stop);
      };
      const onEnd = () => writing.then(resolve, reject);
      // The client went away before the end of its body (a reset is an 'error', a close a 'close').
      const onCutShort = () => stop(new HttpError(400, 'the upload was cut short'));
      const onClose = () => {
        if (!req.complete) onCutShort();
      };
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('close', onClose);
      req.once('error', onCutShort);
    });
  } catch (err) {
    failure = err;
  } finally {
    await file.close();
  }
  if (failure) {
    await rm(path, { force: true });
    throw failure;
  }
  return size;
}

/**
 * After the answer to a refused upload: reads the rest of its body and drops it, and cuts the
 * connection if the body has not ended within `graceMs` (a client that sends on and on).
 */
export function dropRefusedBody(req: IncomingMessage, graceMs: number): void {
  if (req.complete) return;
  const cut = setTimeout(() => req.socket.destroy(), graceMs);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.once('close', () => clearTimeout(cut));
  req.resume();
}
