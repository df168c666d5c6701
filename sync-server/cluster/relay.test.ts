/**
 * The relay on its own, between real sockets in this process: a stand-in owner (an http server
 * with a ws server that records what it gets) and a relaying front that relays every upgrade and
 * request to it. Frames both ways unchanged, pings and pongs, close codes and reasons both ways,
 * the owner's refusals, an unreachable owner (1013, or told to the caller, who may relay the same
 * upgrade elsewhere) and one that vanishes (1012), the client's
 * address in X-Forwarded-For, a burst bigger than the relay's buffer, and HTTP with a body.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { TOKEN_PROTOCOL, tokenProtocols } from '../contract.ts';
import { selectProtocol } from '../http/upgrade-token.ts';
import { createWebsocketRelay, relayRequest, RELAY_CLOSE } from './relay.ts';

interface Owner {
  server: Server;
  url: string;
  sockets: WebSocket[];
  upgrades: IncomingMessage[];
}

let owner: Owner;
let front: Server;
let frontUrl: string;
const relay = createWebsocketRelay({ maxMessageBytes: 4 << 20 });
let target = '';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: selectProtocol, maxPayload: 64 << 20 });
  const sockets: WebSocket[] = [];
  const upgrades: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(req.url === '/missing' ? 404 : 201, { 'content-type': 'application/json', 'x-owner': 'yes' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          body: Buffer.concat(chunks).toString('utf8'),
          authorization: req.headers.authorization ?? null,
          xff: req.headers['x-forwarded-for'] ?? null,
        }),
      );
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/refuse')) {
      const body = JSON.stringify({ error: 'a token is required' });
      return void socket.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    }
    upgrades.push(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      // An echo: each message comes back as it came.
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    });
  });
  owner = { server, url: await listen(server), sockets, upgrades };
  target = owner.url;
  front = createServer((req, res) => relayRequest(req, res, target));
  front.on('upgrade', (req, socket, head) => relay.relay(req, socket, head, target));
  frontUrl = await listen(front);
});

after(async () => {
  relay.closeAll();
  front.closeAllConnections();
  owner.server.closeAllConnections();
  for (const ws of owner.sockets) ws.terminate();
  await Promise.all([new Promise((r) => front.close(r)), new Promise((r) => owner.server.close(r))]);
});

function open(path: string, protocols: string[] = []): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${frontUrl.replace('http', 'ws')}${path}`, protocols);
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_r, res) => reject(new Error(`refused: ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })));
}

test('frames pass both ways unchanged; path, query, subprotocol and the client address reach the owner', async () => {
  const { ws } = await open('/room-a/jam?x=1', tokenProtocols('tok'));
  assert.equal(ws.protocol, TOKEN_PROTOCOL, 'the client gets the subprotocol the owner selected');
  const upgrade = owner.upgrades.at(-1)!;
  assert.equal(upgrade.url, '/room-a/jam?x=1');
  assert.deepEqual(
    String(upgrade.headers['sec-websocket-protocol'])
      .split(',')
      .map((p) => p.trim()),
    tokenProtocols('tok'),
  );
  assert.equal(upgrade.headers['x-forwarded-for'], '127.0.0.1');
  const binary = Buffer.from([0, 1, 2, 255, 254]);
  ws.send(binary);
  assert.deepEqual(await nextMessage(ws), { data: binary, isBinary: true });
  ws.send('héllo');
  const text = await nextMessage(ws);
  assert.equal(text.isBinary, false);
  assert.equal(String(text.data), 'héllo');
  ws.close();
});

test("pings and pongs pass through: the owner's ping is answered by the real client", async () => {
  const { ws } = await open('/room-b');
  const ownerSide = owner.sockets.at(-1)!;
  const clientGotPing = new Promise<Buffer>((resolve) => ws.once('ping', resolve));
  const ownerGotPong = new Promise<Buffer>((resolve) => ownerSide.once('pong', resolve));
  ownerSide.ping(Buffer.from('are you there'));
  assert.equal(String(await clientGotPing), 'are you there');
  assert.equal(String(await ownerGotPong), 'are you there');
  const ownerGotPing = new Promise<Buffer>((resolve) => ownerSide.once('ping', resolve));
  ws.ping(Buffer.from('and you'));
  assert.equal(String(await ownerGotPing), 'and you');
  ws.close();
});

test('close codes and reasons pass both ways', async () => {
  const first = await open('/room-c');
  const ownerClosed = new Promise<[number, string]>((resolve) =>
    owner.sockets.at(-1)!.once('close', (code, reason) => resolve([code, String(reason)])),
  );
  first.ws.close(4000, 'client says bye');
  assert.deepEqual(await ownerClosed, [4000, 'client says bye']);
  assert.equal((await first.closed).code, 4000);

  const second = await open('/room-c');
  owner.sockets.at(-1)!.close(4401, 'token expired');
  assert.deepEqual(await second.closed, { code: 4401, reason: 'token expired' });
});

test("a burst far bigger than the relay's buffer arrives whole and in order", async () => {
  const { ws } = await open('/room-d');
  const count = 24;
  const got: Buffer[] = [];
  const all = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      got.push(data as Buffer);
      if (got.length === count) resolve();
    }),
  );
  for (let i = 0; i < count; i++) ws.send(Buffer.alloc(1 << 20, i));
  await all;
  assert.deepEqual(
    got.map((b) => [b.length, b[0], b.at(-1)]),
    Array.from({ length: count }, (_, i) => [1 << 20, i, i]),
  );
  ws.close();
});

test('an upgrade the owner refuses is refused with the same status and body', async () => {
  const ws = new WebSocket(`${frontUrl.replace('http', 'ws')}/refuse`);
  const [status, body] = await new Promise<[number, string]>((resolve) =>
    ws.once('unexpected-response', (_r, res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve([res.statusCode!, text]));
    }),
  );
  assert.equal(status, 401);
  assert.deepEqual(JSON.parse(body), { error: 'a token is required' });
});

test('an owner that cannot be reached: the client is closed with 1013, with the subprotocol it offered', async () => {
  const closedServer = createServer();
  const deadUrl = await listen(closedServer);
  await new Promise((r) => closedServer.close(r));
  target = deadUrl;
  try {
    const { ws, closed } = await open('/room-e', tokenProtocols('tok'));
    assert.equal(ws.protocol, TOKEN_PROTOCOL);
    assert.deepEqual(await closed, RELAY_CLOSE.unreachable);
  } finally {
    target = owner.url;
  }
});

test('an owner that cannot be reached, with `unreachable` given: told, the client untouched, and relayed on to another node', async () => {
  const closedServer = createServer();
  const deadUrl = await listen(closedServer);
  await new Promise((r) => closedServer.close(r));
  const errors: string[] = [];
  const second = createServer();
  // The caller placed it again: the same upgrade goes on to a live owner.
  second.on('upgrade', (req, socket, head) =>
    relay.relay(req, socket, head, deadUrl, {
      unreachable: (error) => {
        errors.push((error as NodeJS.ErrnoException).code ?? error.message);
        relay.relay(req, socket, head, owner.url);
      },
    }),
  );
  const secondUrl = await listen(second);
  try {
    const ws = new WebSocket(`${secondUrl.replace('http', 'ws')}/room-g`, tokenProtocols('tok'));
    ws.on('error', () => undefined);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('close', reject);
    });
    assert.deepEqual(errors, ['ECONNREFUSED']);
    assert.equal(ws.protocol, TOKEN_PROTOCOL);
    ws.send('after the detour');
    const [echo] = await once(ws, 'message');
    assert.equal(String(echo), 'after the detour');
    ws.close();
  } finally {
    second.closeAllConnections();
    await new Promise((r) => second.close(r));
  }
});

test('an owner that vanishes mid-connection (no close frame): the client is closed with 1012', async () => {
  const { closed } = await open('/room-f');
  owner.sockets.at(-1)!.terminate();
  assert.deepEqual(await closed, RELAY_CLOSE.ownerGone);
});

test('HTTP: method, path, query, Authorization and body reach the owner; status, headers and body come back', async () => {
  const res = await fetch(`${frontUrl}/api/rooms/r/bookmarks?a=b`, {
    method: 'POST',
    headers: { authorization: 'Bearer t0k', 'content-type': 'application/json' },
    body: JSON.stringify({ seq: 3 }),
  });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-owner'), 'yes');
  assert.deepEqual(await res.json(), {
    method: 'POST',
    url: '/api/rooms/r/bookmarks?a=b',
    body: '{"seq":3}',
    authorization: 'Bearer t0k',
    xff: '127.0.0.1',
  });
  const missing = await fetch(`${frontUrl}/missing`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

test('HTTP: an owner that cannot be reached answers 503 with Retry-After', async () => {
  const closedServer = createServer();
  const deadUrl = await listen(closedServer);
  await new Promise((r) => closedServer.close(r));
  target = deadUrl;
  try {
    const res = await fetch(`${frontUrl}/api/rooms/r/history`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.match(((await res.json()) as { error: string }).error, /cannot be reached/);
  } finally {
    target = owner.url;
  }
});
