import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dropRefusedBody, receiveToFile } from './upload-file.ts';
import type { HttpError } from './responses.ts';

const CAP = 256 * 1024;

/** A server whose one route receives the body into a file of `dir`; `outcome` says how each ended. */
async function uploadServer(dir: string) {
  const outcomes: { status: number; file: string }[] = [];
  let settled: () => void = () => {};
  const server = createServer((req: IncomingMessage, res) => {
    const file = join(dir, `upload-${outcomes.length}.riffroom`);
    receiveToFile(req, file, CAP)
      .then(
        (size) => {
          outcomes.push({ status: 200, file });
          res.end(String(size));
        },
        (err: HttpError) => {
          outcomes.push({ status: err.status, file });
          if (!res.destroyed) {
            res.writeHead(err.status);
            res.end(err.message);
          }
          dropRefusedBody(req, 2000);
        },
      )
      .finally(() => settled());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    outcomes,
    /** Resolves once the next upload has ended, one way or another. */
    nextOutcome: () => new Promise<void>((resolve) => (settled = resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('an upload within the cap is written whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-upload-'));
  const server = await uploadServer(dir);
  try {
    const body = randomBytes(CAP);
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST', body });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), String(CAP));
    assert.deepEqual(readFileSync(server.outcomes[0]!.file), body);
  } finally {
    await server.close();
  }
});

test('past the cap: 413, declared or not, and the partial file is removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-upload-'));
  const server = await uploadServer(dir);
  try {
    const declared = await fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST', body: new Uint8Array(CAP + 1) });
    assert.equal(declared.status, 413);
    assert.match(await declared.text(), /larger than the 256 KiB this server takes/);
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 16 * 1024;
        if (sent > 2 * CAP) controller.close();
        else controller.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const streamed = await fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST', body: chunked, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413, 'the client hears why, not a reset');
    assert.deepEqual(
      server.outcomes.map((o) => o.status),
      [413, 413],
    );
    assert.deepEqual(readdirSync(dir), [], 'nothing is left');
  } finally {
    await server.close();
  }
});

test('a client that goes away mid-upload leaves no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-upload-'));
  const server = await uploadServer(dir);
  try {
    const ended = server.nextOutcome();
    const req = request({ port: server.port, host: '127.0.0.1', method: 'POST', headers: { 'content-length': String(CAP) } });
    req.on('error', () => {});
    req.write(new Uint8Array(CAP / 2), () => req.destroy());
    await ended;
    assert.deepEqual(
      server.outcomes.map((o) => o.status),
      [400],
    );
    assert.ok(!existsSync(server.outcomes[0]!.file));
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    await server.close();
  }
});
