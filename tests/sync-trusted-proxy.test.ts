/**
 * Per-address limits behind a reverse proxy (--trusted-proxy): every client reaches the server
 * from the proxy's address, so without it one client would use up a whole school's allowance.
 * With the proxy trusted, the per-address cap counts the address the proxy forwarded; without it,
 * X-Forwarded-For is the client's own claim and is ignored.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { tokenProtocols } from '../sync-server/contract.ts';
import { startServerProcess, testToken, type ServerProcess } from './support/server-process.ts';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function server(args: string[]): Promise<ServerProcess> {
  const s = await startServerProcess({ args: ['--max-connections-per-address', '2', ...args] });
  cleanups.push(() => s.kill());
  return s;
}

/** Opens the room's document socket, claiming to come from `forwardedFor`: 101, or the refusal. */
function open(s: ServerProcess, forwardedFor: string): Promise<{ status: number; reason: string }> {
  const ws = new WebSocket(`${s.wsUrl}/band`, tokenProtocols(testToken('band', 'editor')), {
    headers: { 'x-forwarded-for': forwardedFor },
  });
  cleanups.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ status: 101, reason: '' }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: body }));
    });
    ws.once('error', reject);
  });
}

test('behind a trusted proxy the per-address cap counts the forwarded client address', async () => {
  const s = await server(['--trusted-proxy', '127.0.0.1']);
  assert.equal((await open(s, '198.51.100.1')).status, 101);
  assert.equal((await open(s, '198.51.100.1')).status, 101);
  const third = await open(s, '198.51.100.1');
  assert.equal(third.status, 429);
  assert.match(third.reason, /too many open connections from 198\.51\.100\.1/);
  // Another client behind the same proxy still gets in; a left-most hop the client wrote is not believed.
  assert.equal((await open(s, '198.51.100.2')).status, 101);
  assert.equal((await open(s, '203.0.113.5, 198.51.100.2')).status, 101);
  assert.equal((await open(s, '203.0.113.5, 198.51.100.2')).status, 429);
});

test('without --trusted-proxy, X-Forwarded-For is ignored: the TCP peer is counted', async () => {
  const s = await server([]);
  assert.equal((await open(s, '198.51.100.1')).status, 101);
  assert.equal((await open(s, '198.51.100.2')).status, 101);
  const third = await open(s, '198.51.100.3');
  assert.equal(third.status, 429);
  assert.match(third.reason, /from 127\.0\.0\.1/);
});

test('a trusted proxy that is not an IP address stops the server with a clear message', async () => {
  await assert.rejects(
    startServerProcess({ args: ['--trusted-proxy', 'proxy.example.org'] }),
    /--trusted-proxy: a trusted proxy must be an IP address/,
  );
});
