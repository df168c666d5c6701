/**
 * Tokens expire on open sockets, not only at connect: a document or jam connection is closed with
 * 4401 'token expired' at its token's exp, and nothing it sends after exp is applied or logged.
 * A connection renews in-band, without reconnecting (contract.ts MESSAGE_AUTH on the document
 * socket, { type: 'token' } on the jam socket), with a token for the same room, identity and
 * role; then it stays open past its first exp and its edits are logged. A bad renewal is refused
 * with a reason. Real server process, stock y-websocket peers, raw sockets; honest peers keep
 * converging and the log stays complete throughout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as Y from 'yjs';
import { initSong, setTempo, setTitle } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { jamPath } from '../core/jam/contract.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { readRenewed, renewalMessage } from '../sync-server/auth/auth-message.ts';
import { CLOSE, MESSAGE_AUTH, type Role } from '../sync-server/contract.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { TEST_SECRET, startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory, getSong } from './support/room-api.ts';
import { openRawSocket, syncUpdateMessage } from './support/raw-sockets.ts';

const server = await startServerProcess();
const rooms = new Set<string>();
after(async () => {
  await server.kill();
  // Whatever the expired and refused sockets sent, every log's chain is intact.
  for (const room of rooms) {
    const log = new RoomLog(join(server.dataDir, 'rooms', `${room}.riffroom`), { readOnly: true });
    try {
      assert.equal(log.verify(), null, room);
    } finally {
      log.close();
    }
  }
});

const nowSeconds = () => Date.now() / 1000;

/** A token for `room` ending `seconds` from now (fractions allowed), for identity `id`. */
// Short lifetimes leave a few seconds for connecting on a crowded machine: a socket that is not
// open (or has not renewed) by then is closed, as it should be, and the test would fail.
function shortToken(room: string, name: string, seconds: number, id = `${name}-id`, role: Role = 'editor'): string {
  return signToken(TEST_SECRET, { room, role, name, id, exp: nowSeconds() + seconds });
}

function expOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { exp: number }).exp;
}

/** Two honest peers in `room` with a song, and a check that they still converge. */
async function honestPair(room: string): Promise<{ peers: Client[]; stillConverge(what: string): Promise<void> }> {
  rooms.add(room);
  const peers = [
    await connectClient(server.wsUrl, room, testToken(room, 'editor', 'ann')),
    await connectClient(server.wsUrl, room, testToken(room, 'editor', 'ben')),
  ];
  initSong(peers[0]!.doc, { title: 'Honest' });
  await waitFor(() => readSong(peers[1]!.doc).meta.title === 'Honest', 5000, 'the second peer has the song');
  return {
    peers,
    async stillConverge(what) {
      assert.ok(
        peers.every((p) => p.provider.wsconnected),
        `${what}: honest peers stayed connected`,
      );
      const bpm = 60 + Math.floor(Math.random() * 100);
      setTempo(peers[1]!.doc, bpm);
      await waitFor(() => readSong(peers[0]!.doc).meta.bpm === bpm, 5000, `${what}: an edit reached the other peer`);
      const viewer = testToken(room, 'viewer');
      const deadline = Date.now() + 5000;
      while ((await getSong(server, room, viewer)).meta.bpm !== bpm) {
        if (Date.now() > deadline) assert.fail(`${what}: the server does not have the honest edit`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

test('an edit sent over an open socket after its token expired is not logged; the socket is closed 4401', async () => {
  const room = 'expiry-doc';
  const { peers, stillConverge } = await honestPair(room);
  try {
    const viewer = testToken(room, 'viewer');
    const lastSeq = (await getHistory(server, room, viewer)).lastSeq;
    const token = shortToken(room, 'late', 3);
    const late = await openRawSocket(`${server.wsUrl}/${room}?token=${token}`);
    await late.next((m) => m instanceof Uint8Array, 'the server greets the socket');
    const edit = new Y.Doc();
    setTitle(edit, 'written after expiry');
    // The server is paused across the token's exp, so the edit is waiting for it when it wakes:
    // it arrives after exp whether the expiry timer or the message is handled first.
    process.kill(server.child.pid!, 'SIGSTOP');
    try {
      await waitFor(() => nowSeconds() > expOf(token) + 0.05, 5000, 'the token expired');
      late.ws.send(syncUpdateMessage(Y.encodeStateAsUpdate(edit)));
    } finally {
      process.kill(server.child.pid!, 'SIGCONT');
    }
    const closed = await late.closed;
    assert.deepEqual(closed, { code: CLOSE.tokenExpired, reason: 'token expired' });
    // The server had handled everything the socket sent before it closed it: nothing was logged.
    const history = await getHistory(server, room, viewer);
    assert.equal(history.lastSeq, lastSeq, 'no entry from the expired socket');
    assert.ok(!history.entries.some((e) => e.author === 'late'));
    assert.equal((await getSong(server, room, viewer)).meta.title, 'Honest');
    await stillConverge('after the expired edit');
  } finally {
    peers.forEach(disconnect);
  }
});

test('an idle document socket is closed 4401 at its exp; a stock client is told why and stops retrying', async () => {
  const room = 'expiry-idle';
  rooms.add(room);
  const token = shortToken(room, 'idle', 2);
  const client = await connectClient(server.wsUrl, room, token);
  try {
    let closed: { code: number; reason: string } | null = null;
    client.provider.on('closed', (event) => (closed = event));
    await waitFor(() => closed !== null, 5000, 'the provider was closed for good');
    assert.deepEqual(closed, { code: CLOSE.tokenExpired, reason: 'token expired' });
    assert.ok(nowSeconds() >= expOf(token), 'not before exp');
  } finally {
    disconnect(client);
  }
});

test('a document socket that renewed in-band stays open past its first exp, and its edits are logged', async () => {
  const room = 'expiry-renewed';
  const { peers, stillConverge } = await honestPair(room);
  const first = shortToken(room, 'rita', 4, 'rita-id');
  const client = await connectClient(server.wsUrl, room, first);
  try {
    const closes: number[] = [];
    client.provider.on('connection-close', (event) => closes.push(event?.code ?? 0));
    const answers: number[] = [];
    client.provider.ws!.addEventListener('message', (event) => {
      const exp = readRenewed(new Uint8Array(event.data as ArrayBuffer));
      if (exp !== null) answers.push(exp);
    });
    // The renewed token: what POST /renew would give (same room, id and role).
    const renewed = shortToken(room, 'rita', 3600, 'rita-id');
    client.provider.ws!.send(renewalMessage(renewed));
    await waitFor(() => answers.length > 0, 5000, 'the server confirmed the renewal');
    assert.deepEqual(answers, [Math.floor(expOf(renewed))], 'the answer carries the new exp');
    await waitFor(() => nowSeconds() > expOf(first) + 0.5, 5000, 'past the first token’s exp');
    setTempo(client.doc, 141);
    await waitFor(() => readSong(peers[0]!.doc).meta.bpm === 141, 5000, 'the renewed socket’s edit reached a peer');
    const history = await getHistory(server, room, testToken(room, 'viewer'));
    assert.equal(history.entries.at(-1)!.author, 'rita', 'and it is logged');
    assert.ok(client.provider.wsconnected);
    assert.deepEqual(closes, [], 'never disconnected');
    await stillConverge('after the renewal');
  } finally {
    disconnect(client);
    peers.forEach(disconnect);
  }
});

test('a bad in-band renewal closes the document socket with a reason; nothing is logged', async () => {
  const room = 'expiry-refused';
  const { peers, stillConverge } = await honestPair(room);
  try {
    const viewer = testToken(room, 'viewer');
    const lastSeq = (await getHistory(server, room, viewer)).lastSeq;
    const cases: [string, Uint8Array, number, RegExp][] = [
      [
        'another identity',
        renewalMessage(shortToken(room, 'sam', 3600, 'someone-else')),
        CLOSE.tokenExpired,
        /^renewal refused: the new token is for another identity$/,
      ],
      ['another role', renewalMessage(shortToken(room, 'sam', 3600, 'sam-id', 'owner')), CLOSE.tokenExpired, /another role/],
      ['another room', renewalMessage(shortToken('elsewhere', 'sam', 3600, 'sam-id')), CLOSE.tokenExpired, /another room/],
      ['an expired token', renewalMessage(shortToken(room, 'sam', -10, 'sam-id')), CLOSE.tokenExpired, /^renewal refused: token expired$/],
      [
        'a forged token',
        renewalMessage(
          signToken('another-secret-that-is-long-enough-0123456789', {
            room,
            role: 'editor',
            name: 'sam',
            id: 'sam-id',
            exp: nowSeconds() + 60,
          }),
        ),
        CLOSE.tokenExpired,
        /bad token signature/,
      ],
      [
        'an invite',
        renewalMessage(signToken(TEST_SECRET, { room, role: 'editor', name: 'sam', id: 'sam-id', exp: nowSeconds() + 60, invite: true })),
        CLOSE.tokenExpired,
        /invite/,
      ],
      ['no token at all', Uint8Array.of(MESSAGE_AUTH), CLOSE.malformed, /carries a token/],
      ['a truncated string', Uint8Array.of(MESSAGE_AUTH, 50, 65, 66), CLOSE.malformed, /carries a token/],
    ];
    for (const [what, message, code, reason] of cases) {
      const sam = await openRawSocket(`${server.wsUrl}/${room}?token=${shortToken(room, 'sam', 3600, 'sam-id')}`);
      const edit = new Y.Doc();
      setTitle(edit, `sneaked in with ${what}`);
      sam.ws.send(message);
      sam.ws.send(syncUpdateMessage(Y.encodeStateAsUpdate(edit)));
      const closed = await sam.closed;
      assert.equal(closed.code, code, `${what}: ${closed.reason}`);
      assert.match(closed.reason, reason, what);
    }
    assert.equal((await getHistory(server, room, viewer)).lastSeq, lastSeq, 'nothing sent after a refused renewal was logged');
    await stillConverge('after refused renewals');
  } finally {
    peers.forEach(disconnect);
  }
});

test('jam sockets: closed 4401 at exp; a renewal is answered with the new exp and keeps them open; a bad one is refused', async () => {
  const room = 'expiry-jam';
  rooms.add(room);
  const url = (token: string) => `${server.wsUrl}${jamPath(room)}?token=${token}`;
  const isType = (type: string) => (m: unknown) => (m as { type?: string }).type === type;

  const idle = await openRawSocket(url(shortToken(room, 'ivy', 2)));
  await idle.next(isType('welcome'), 'welcome');
  assert.deepEqual(await idle.closed, { code: CLOSE.tokenExpired, reason: 'token expired' });

  const first = shortToken(room, 'jo', 4, 'jo-id');
  const jo = await openRawSocket(url(first));
  await jo.next(isType('welcome'), 'welcome');
  jo.sendJson({ v: 1, type: 'token', token: shortToken(room, 'jo', 3600, 'someone-else') });
  const refused = await jo.next<{ reason: string; request: string }>(isType('refused'), 'a bad renewal is refused');
  assert.deepEqual(
    { ...refused },
    { v: 1, type: 'refused', reason: 'renewal refused: the new token is for another identity', request: 'token' },
  );
  const renewed = shortToken(room, 'jo', 3600, 'jo-id');
  jo.sendJson({ v: 1, type: 'token', token: renewed });
  const answer = await jo.next<{ exp: number }>(isType('token'), 'the renewal is answered');
  assert.equal(answer.exp, expOf(renewed));
  await waitFor(() => nowSeconds() > expOf(first) + 0.5, 5000, 'past the first token’s exp');
  jo.sendJson({ v: 1, type: 'ping', id: 7, t0: 0 });
  await jo.next(
    (m) => (m as { type?: string; id?: number }).type === 'pong' && (m as { id: number }).id === 7,
    'still answered after the first exp',
  );
  assert.equal(jo.closedWith(), null);
  jo.ws.close();
});
