/**
 * A peer that resets its connection while an upgrade is being refused (HAProxy does, right after
 * it reads the refusal) must cost the server that one socket, not the process: found through
 * HAProxy (deploy-haproxy), where the reset made an unhandled 'error' event stop the server and
 * every websocket on it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { tokenProtocols } from '../sync-server/contract.ts';
import { startServerProcess, testToken } from './support/server-process.ts';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Sends an upgrade for /band, waits for the answer's status line, then resets the connection. */
function upgradeThenReset(port: number, resetBeforeAnswer: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
      if (answer.includes('\r\n')) {
        socket.resetAndDestroy();
        resolve(answer.split('\r\n')[0]!);
      }
    });
    // The server going away resets this connection: the checks below say what happened.
    socket.once('error', (err) => resolve(`error: ${err.message}`));
    socket.write(
      `GET /band HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${tokenProtocols(testToken('band', 'editor')).join(', ')}\r\n\r\n`,
      () => {
        if (resetBeforeAnswer) {
          socket.resetAndDestroy();
          resolve('reset before the answer');
        }
      },
    );
  });
}

test('a connection reset during a refused upgrade does not stop the server', async () => {
  const s = await startServerProcess({ args: ['--max-connections-per-address', '1'] });
  cleanups.push(() => s.kill());
  const open = new WebSocket(`${s.wsUrl}/band`, tokenProtocols(testToken('band', 'editor')));
  cleanups.push(() => open.terminate());
  await new Promise((resolve, reject) => open.once('open', resolve).once('error', reject));
  for (let i = 0; i < 20; i++) {
    const status = await upgradeThenReset(s.port, i % 2 === 1);
    if (i % 2 === 0) assert.match(status, /^HTTP\/1\.1 429 /, `the server:\n${s.output()}`);
  }
  assert.equal(s.child.exitCode, null, `the server is still running:\n${s.output()}`);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200, s.output());
  assert.equal(open.readyState, WebSocket.OPEN, 'the admitted websocket is still open');
});
