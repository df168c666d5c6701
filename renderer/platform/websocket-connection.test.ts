/**
 * The browser's connection code against a real sync server (in this process) with Node's `ws` as
 * the WebSocket: status as the user sees it, a refused invite explained, and offline edits
 * merging after the server comes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { addTrack, setTempo, setTitle } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { signToken } from '../../sync-server/auth/tokens.ts';
import { startServer, type RunningServer } from '../../sync-server/server.ts';
import { CLOSE, type Role } from '../../sync-server/contract.ts';
import { parseRoomLink, type RoomLink } from '../../sync-server/client/room-link.ts';
import type { ConnectionStatus } from './sync-connection.ts';
import type { LiveToken } from './token-renewal.ts';
import { connectWebsocket, RESTARTING, type WebsocketConnection } from './websocket-connection.ts';

const SECRET = 'renderer-connection-test-secret-0123456789';

function link(server: { port: number }, room: string, name: string, role: Role = 'editor', secret = SECRET): RoomLink {
  const token = signToken(secret, { room, role, name, exp: Math.floor(Date.now() / 1000) + 600 });
  const parsed = parseRoomLink(`http://127.0.0.1:${server.port}/?room=${room}&token=${token}`);
  assert.ok(parsed.ok);
  return parsed.link;
}

function open(l: RoomLink, doc = new Y.Doc()): WebsocketConnection {
  return connectWebsocket(l, doc, { WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket, maxBackoffMs: 200 });
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withServer(fn: (start: (port?: number) => Promise<RunningServer>) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'riffroom-renderer-conn-'));
  const servers: RunningServer[] = [];
  try {
    await fn(async (port = 0) => {
      const s = await startServer({ dataDir, secret: SECRET, port });
      servers.push(s);
      return s;
    });
  } finally {
    for (const s of servers) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test("connecting, then connected once synced; a bandmate's edit arrives", async () => {
  await withServer(async (start) => {
    const server = await start();
    const a = open(link(server, 'song', 'alice'));
    const seen: ConnectionStatus[] = [a.getState().status];
    a.subscribe(() => seen.push(a.getState().status));
    await until('alice connected', () => a.getState().status === 'connected');
    const b = open(link(server, 'song', 'bob'));
    await until('bob connected', () => b.getState().status === 'connected');
    setTitle(a.doc, 'Shared');
    await until('bob sees the title', () => readSong(b.doc).meta.title === 'Shared');
    assert.deepEqual([...new Set(seen)], ['connecting', 'connected']);
    a.destroy();
    b.destroy();
  });
});

test('a refused invite says why and stops retrying', async () => {
  await withServer(async (start) => {
    const server = await start();
    const forged = open(link(server, 'song', 'eve', 'editor', 'not-the-secret-but-long-enough-0123456789'));
    await until('refused', () => forged.getState().retrying === false);
    const state = forged.getState();
    assert.equal(state.status, 'offline');
    assert.match(state.problem!, /refused this invite: bad token signature/);
    forged.destroy();
  });
});

test('a viewer that writes is closed with a reason, and not retried', async () => {
  await withServer(async (start) => {
    const server = await start();
    const viewer = open(link(server, 'song', 'val', 'viewer'));
    await until('viewer connected', () => viewer.getState().status === 'connected');
    setTempo(viewer.doc, 99);
    await until('closed', () => viewer.getState().retrying === false);
    assert.match(viewer.getState().problem!, /not allowed: viewers cannot edit this room\)\. Viewers can look but not edit\./);
    viewer.destroy();
  });
});

test("a student's write under the teacher's 'play live only' is closed with the rule's reason, not a viewer's", async () => {
  await withServer(async (start) => {
    const server = await start();
    const owner = link(server, 'song', 'tina', 'owner');
    const jam = new WebSocket(`ws://127.0.0.1:${server.port}/song/jam?token=${owner.token}`);
    const rules = new Promise<void>((resolve) => jam.on('message', (m) => void (JSON.parse(String(m)).type === 'rules' && resolve())));
    await new Promise((resolve) => jam.once('open', resolve));
    jam.send(JSON.stringify({ v: 1, type: 'rules', rules: { transportLocked: false, students: 'live-only', spotlightTrackId: null } }));
    await rules;
    jam.close();
    const student = open(link(server, 'song', 'sam'));
    await until('student connected', () => student.getState().status === 'connected');
    setTempo(student.doc, 99);
    await until('closed', () => student.getState().retrying === false);
    assert.equal(
      student.getState().problem,
      "The server closed the connection (not allowed: the room's rules let students play live only).",
    );
    student.destroy();
  });
});

test('offline when the server stops; edits made meanwhile on both sides merge when it restarts', async () => {
  await withServer(async (start) => {
    let server = await start();
    const port = server.port;
    const a = open(link(server, 'jam', 'alice'));
    const b = open(link(server, 'jam', 'bob'));
    await until('both connected', () => a.getState().status === 'connected' && b.getState().status === 'connected');
    addTrack(a.doc, { role: 'drums' });
    await until('bob has drums', () => readSong(b.doc).tracks.length === 1);

    await server.close();
    await until('both offline', () => a.getState().status === 'offline' && b.getState().status === 'offline');
    assert.equal(a.getState().retrying, true);
    assert.ok(a.getState().problem);
    addTrack(a.doc, { role: 'bass' });
    setTitle(a.doc, 'Written offline');
    setTempo(b.doc, 133);
    assert.equal(a.getState().offlineEdits, 2);

    server = await start(port);
    await until('both back', () => a.getState().status === 'connected' && b.getState().status === 'connected', 10_000);
    await until('merged', () => readSong(b.doc).tracks.length === 2 && readSong(a.doc).meta.bpm === 133);
    assert.deepEqual(readSong(a.doc), readSong(b.doc));
    assert.equal(readSong(b.doc).meta.title, 'Written offline');
    assert.equal(a.getState().offlineEdits, 0);
    assert.equal(a.getState().problem, null);
    a.destroy();
    b.destroy();
  });
});

test('a server restarting (1012): "restarting, reconnecting…" while it is away, back by itself with the edits', async () => {
  await withServer(async (start) => {
    let server = await start();
    const port = server.port;
    const a = open(link(server, 'gig', 'alice'));
    const b = open(link(server, 'gig', 'bob'));
    await until('both connected', () => a.getState().status === 'connected' && b.getState().status === 'connected');
    const problems: (string | null)[] = [];
    a.subscribe(() => problems.push(a.getState().problem));

    await server.close({ code: CLOSE.serviceRestart, reason: 'server restarting' });
    await until('told it restarts', () => a.getState().problem === RESTARTING && b.getState().problem === RESTARTING);
    assert.equal(a.getState().retrying, true);
    // Its retries fail while it is away (each one asks the history API why): the words stay.
    await until('two more sockets tried', () => a.sockets >= 3);
    assert.equal(a.getState().problem, RESTARTING);
    setTitle(a.doc, 'Written while it restarted');

    server = await start(port);
    await until('both back', () => a.getState().status === 'connected' && b.getState().status === 'connected', 10_000);
    await until('the edit arrived', () => readSong(b.doc).meta.title === 'Written while it restarted');
    assert.equal(a.getState().problem, null);
    assert.deepEqual([...new Set(problems.filter((p) => p !== null))], [RESTARTING], 'no other words in between');
    a.destroy();
    b.destroy();
  });
});

/** `ws`, recording the URL and subprotocols of every socket the page opens. */
function recordingSocket(opened: { url: string; protocols: string[] }[]): typeof globalThis.WebSocket {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      opened.push({ url, protocols: typeof protocols === 'string' ? [protocols] : [...(protocols ?? [])] });
    }
  } as unknown as typeof globalThis.WebSocket;
}

test('the token goes as subprotocols, never in the URL', async () => {
  await withServer(async (start) => {
    const server = await start();
    const l = link(server, 'song', 'alice');
    const opened: { url: string; protocols: string[] }[] = [];
    const a = connectWebsocket(l, new Y.Doc(), { WebSocketImpl: recordingSocket(opened), maxBackoffMs: 200 });
    await until('connected', () => a.getState().status === 'connected');
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.url, `ws://127.0.0.1:${server.port}/song`);
    assert.deepEqual(opened[0]!.protocols, ['riffroom', `riffroom-token.${l.token}`]);
    a.destroy();
  });
});

test('closed at its exp (4401) with a newer token in hand: reconnects with it instead of giving up', async () => {
  await withServer(async (start) => {
    const server = await start();
    const now = Date.now() / 1000;
    const short = signToken(SECRET, { room: 'song', role: 'editor', name: 'alice', id: 'alice-1', exp: now + 2 });
    const longer = signToken(SECRET, { room: 'song', role: 'editor', name: 'alice', id: 'alice-1', exp: now + 600 });
    const l = parseRoomLink(`http://127.0.0.1:${server.port}/?room=song#token=${short}`);
    assert.ok(l.ok);
    // A token holder that got a renewal without telling the open socket (it came as the socket
    // was closing): the connection asks it for a fresh token when the server closes with 4401.
    let current = short;
    const live: LiveToken = {
      get token() {
        return current;
      },
      claims: l.link.claims,
      subscribe: () => () => {},
      fresh: async () => (current = longer),
      endedProblem: () => 'ended',
    };
    const opened: { url: string; protocols: string[] }[] = [];
    const a = connectWebsocket(l.link, new Y.Doc(), { WebSocketImpl: recordingSocket(opened), maxBackoffMs: 200, token: live });
    await until('connected', () => a.getState().status === 'connected');
    await until('closed at exp and back', () => a.sockets === 2 && a.getState().status === 'connected', 10_000);
    assert.deepEqual(opened[1]!.protocols, ['riffroom', `riffroom-token.${longer}`]);
    assert.equal(a.getState().problem, null);
    a.destroy();
  });
});
