/**
 * The page's token over a session, against a real server process, with the page's own code (the
 * connection of renderer/platform/websocket-connection.ts, the jam client as renderer/jam/connect.ts
 * opens it, the renewal scheduler, the join and renew calls, the history API client) and Node's
 * `ws` as the WebSocket:
 * - a renewable token is renewed before its exp and sent in place on both open sockets: they stay
 *   open past the first exp, without a reconnect, and edits made after it are logged;
 * - a token that cannot be renewed (an invite's personal token whose invite is ending) is closed
 *   with 4401 at its exp, and the page's state says why in words and stops retrying.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { initSong, setTempo, setTitle } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { jamPath } from '../core/jam/contract.ts';
import { JamClient, type JamSocketConstructor } from '../core/jam/jam-client.ts';
import { signToken } from '../sync-server/auth/tokens.ts';
import { tokenProtocols } from '../sync-server/contract.ts';
import { createHistoryApi } from '../renderer/history/history-api.ts';
import { decodeTokenClaims, type RoomLink } from '../sync-server/client/room-link.ts';
import { joinRoom, renewToken } from '../renderer/platform/token-api.ts';
import { TokenRenewal } from '../renderer/platform/token-renewal.ts';
import { connectWebsocket } from '../renderer/platform/websocket-connection.ts';
import { TEST_SECRET, startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor } from './support/yjs-clients.ts';
import { getHistory, waitForSeq } from './support/room-api.ts';

const server = await startServerProcess();
after(() => server.kill());

const nowS = () => Date.now() / 1000;
const WS = WebSocket as unknown as typeof globalThis.WebSocket;

function pageLink(room: string, token: string): RoomLink {
  return { serverUrl: server.wsUrl, httpUrl: server.url, room, token, claims: decodeTokenClaims(token)! };
}

/** The page's session for `link`: the renewal as Root.tsx makes it, the connection, the jam client. */
function openPage(link: RoomLink) {
  const token = new TokenRenewal({ token: link.token, claims: link.claims, renew: (t) => renewToken(link.httpUrl, link.room, t) });
  const doc = new Y.Doc();
  const connection = connectWebsocket(link, doc, { token, WebSocketImpl: WS, maxBackoffMs: 200 });
  const jam = new JamClient({
    url: `${link.serverUrl}${jamPath(link.room)}`,
    auth: { token: link.token, protocols: tokenProtocols },
    WebSocket: WebSocket as unknown as JamSocketConstructor,
    pingIntervalMs: 500,
  });
  // As renderer/jam/jam-session.ts does: each renewal goes to the jam channel.
  token.subscribe((event) => event.type === 'renewed' && jam.setToken(event.token));
  return {
    token,
    doc,
    connection,
    jam,
    close() {
      jam.close();
      connection.destroy();
      token.dispose();
    },
  };
}

/** Waits until the wall clock is past `seconds` (the signal: a token's exp has gone by). */
const pastTime = (seconds: number, what: string) => waitFor(() => nowS() > seconds, (seconds - nowS()) * 1000 + 10_000, what);

test('a renewable token is renewed in place on both sockets: open past its first exp, no reconnect', async () => {
  const room = 'page-renews';
  const bandmate = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'ben'));
  initSong(bandmate.doc, { title: 'Renewing' });
  const iat = Math.floor(nowS());
  // Lives 8 s from its (whole-second) issue time: renewed at half its life, each renewal 8 s more.
  const first = signToken(TEST_SECRET, { room, role: 'editor', name: 'Ann', id: 'ann-renews', iat, exp: iat + 8, renewUntil: iat + 600 });
  const page = openPage(pageLink(room, first));
  const statuses: string[] = [];
  page.connection.subscribe(() => statuses.push(page.connection.getState().status));
  try {
    await waitFor(() => page.connection.getState().status === 'connected' && page.jam.status === 'ready', 10_000, 'the page connected');
    assert.equal(readSong(page.doc).meta.title, 'Renewing');
    const firstExp = page.token.claims.exp;

    await waitFor(() => page.token.renewals >= 1, 15_000, 'the page renewed its token');
    assert.ok(page.token.claims.exp > firstExp, 'a later exp');
    assert.equal(page.token.claims.id, 'ann-renews', 'the same identity');
    await waitFor(() => (page.connection.renewedExp ?? 0) > firstExp, 5000, 'the server took the renewal on the document socket');
    await waitFor(() => (page.jam.tokenExp ?? 0) > firstExp, 5000, 'the server took the renewal on the jam channel');

    await pastTime(firstExp + 1, 'the first exp gone by');
    // Still the same sockets: nothing was closed at the first exp, nothing reconnected.
    assert.equal(page.connection.sockets, 1, 'one document socket all along');
    assert.equal(page.jam.connections, 1, 'one jam socket all along');
    assert.equal(page.jam.status, 'ready');
    assert.deepEqual([...new Set(statuses)], ['connected'], 'never offline');

    // An edit made now reaches the bandmate and is logged under the page's name.
    setTitle(page.doc, 'After the first exp');
    await waitFor(() => readSong(bandmate.doc).meta.title === 'After the first exp', 5000, 'the edit reached the bandmate');
    setTempo(bandmate.doc, 131);
    await waitFor(() => readSong(page.doc).meta.bpm === 131, 5000, "the bandmate's edit reached the page");
    const history = await getHistory(server, room, testToken(room, 'viewer'));
    assert.ok(
      history.entries.some((e) => e.author === 'Ann'),
      'the late edit is in the log',
    );

    // The history API takes the newest token: the first one has expired by now.
    const api = createHistoryApi({ httpUrl: server.url, room, token: () => page.token.token });
    assert.ok((await api.history(0, 10)).entries.length > 0);
    await assert.rejects(createHistoryApi({ httpUrl: server.url, room, token: first }).history(0, 1), /expired/);
    assert.equal(page.connection.getState().problem, null);
  } finally {
    page.close();
    disconnect(bandmate);
  }
});

test('an unrenewable token is closed with 4401 at its exp; the page says why and stops retrying', async () => {
  const room = 'page-expires';
  const bandmate = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'ben'));
  initSong(bandmate.doc, { title: 'Ending' });
  // An invite ending in a few seconds: the personal token /join gives ends with it and cannot be renewed.
  const invite = signToken(TEST_SECRET, { room, role: 'editor', name: 'editor', exp: Math.floor(nowS()) + 6, invite: true });
  const joined = await joinRoom(server.url, room, invite, 'Cleo');
  assert.ok(joined.ok, JSON.stringify(joined));
  assert.equal(joined.claims.name, 'Cleo');
  assert.notEqual(joined.claims.id, decodeTokenClaims(invite)!.id, 'an identity of its own');
  assert.equal(joined.claims.renewUntil, joined.claims.exp, 'renewable only until the invite ends: not at all');

  const page = openPage(pageLink(room, joined.token));
  try {
    await waitFor(() => page.connection.getState().status === 'connected', 10_000, 'the page connected');
    assert.equal(page.token.nextRenewalAt, null, 'nothing to renew');
    await waitFor(() => page.connection.getState().retrying === false, 15_000, 'the page gave up at exp');
    const state = page.connection.getState();
    assert.equal(state.status, 'offline');
    assert.match(state.problem!, /^Your invite expired at \d{1,2}:\d\d( [AP]M)?\. Ask the host for a new link\.$/);
    await waitFor(() => page.jam.status === 'closed', 5000, 'the jam channel closed too');
    assert.equal(page.jam.expired, 'token expired');
    const sockets = page.connection.sockets;
    const jamConnections = page.jam.connections;

    // Nothing retried: the bandmate goes on (their edit logged), the page's sockets stay as they were.
    const viewer = testToken(room, 'viewer');
    const before = (await getHistory(server, room, viewer)).lastSeq;
    setTitle(bandmate.doc, 'Later');
    await waitForSeq(server, room, viewer, before + 1);
    assert.equal(page.connection.sockets, sockets, 'no reconnect with a token that ran out');
    assert.equal(page.jam.connections, jamConnections);
    assert.notEqual(readSong(page.doc).meta.title, 'Later');
    // "Try again" asks once more and is told the same.
    page.connection.reconnect();
    await waitFor(() => page.connection.getState().retrying === false, 10_000, 'refused again');
    assert.match(page.connection.getState().problem!, /^Your invite expired at /);
  } finally {
    page.close();
    disconnect(bandmate);
  }
});
