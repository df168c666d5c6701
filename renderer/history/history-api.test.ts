/**
 * The history API client against a real sync server process (the CLI, real SQLite), with edits
 * made by a stock y-websocket client that announces its labels as the app does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import * as Y from 'yjs';
import { addClip, addTrack, initSong, setTempo } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { startServerProcess, testToken, type ServerProcess } from '../../tests/support/server-process.ts';
import { connectClient, disconnect, type Client } from '../../tests/support/yjs-clients.ts';
import { waitForSeq } from '../../tests/support/room-api.ts';
import { createHistoryApi, describeApiError, HistoryApiError, type HistoryApi } from './history-api.ts';

const ROOM = 'api-client';

async function rejectsWith(promise: Promise<unknown>, kind: string, status: number | null): Promise<HistoryApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HistoryApiError, `a HistoryApiError, got ${error}`);
    assert.equal(error.kind, kind, error.message);
    assert.equal(error.status, status);
    assert.ok(describeApiError(error).length > 0);
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

describe('history API client against a real server', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let alice: Client;
  let editor: HistoryApi;
  let viewer: HistoryApi;
  /** Songs as alice had them after each of her edits, by seq. */
  const songs = new Map<number, ReturnType<typeof readSong>>();

  before(async () => {
    server = await startServerProcess();
    editor = createHistoryApi({ httpUrl: server.url, room: ROOM, token: testToken(ROOM, 'editor', 'alice') });
    viewer = createHistoryApi({ httpUrl: server.url, room: ROOM, token: testToken(ROOM, 'viewer', 'vera') });
  });
  after(async () => {
    if (alice) disconnect(alice);
    await server?.kill();
  });

  test('a room nobody wrote to: lastSeq is 0, its history is not found', async () => {
    assert.equal(await editor.lastSeq(), 0);
    await rejectsWith(editor.history(0, 10), 'not-found', 404);
  });

  test('labelled edits come back as pages, oldest first, with author, label and size', async () => {
    alice = await connectClient(server.wsUrl, ROOM, testToken(ROOM, 'editor', 'alice'));
    const token = testToken(ROOM, 'viewer');
    const edit = async (fn: () => void) => {
      const before = await editor.lastSeq();
      fn();
      await waitForSeq(server, ROOM, token, before + 1, 15_000);
      songs.set(before + 1, readSong(alice.doc));
    };
    await edit(() => initSong(alice.doc, { title: 'Client test', bpm: 100 }));
    let track = '';
    await edit(() => (track = addTrack(alice.doc, { role: 'bass' })));
    await edit(() => addClip(alice.doc, { trackId: track, startBar: 0, lengthBars: 2 }));
    await edit(() => setTempo(alice.doc, 132));
    const last = await editor.lastSeq();
    assert.ok(last >= 4, `at least four entries, got ${last}`);

    const first = await viewer.history(0, 2);
    assert.equal(first.lastSeq, last);
    assert.deepEqual(
      first.entries.map((e) => e.seq),
      [1, 2],
    );
    const rest = await viewer.history(2, 100);
    const all = [...first.entries, ...rest.entries];
    assert.deepEqual(
      all.map((e) => e.seq),
      Array.from({ length: last }, (_, i) => i + 1),
    );
    assert.ok(all.every((e) => e.author === 'alice' && e.bytes > 0 && e.time > 0));
    const labels = all.map((e) => e.label);
    assert.ok(labels.includes('added track Bass'), labels.join(' | '));
    assert.ok(labels.includes('set tempo to 132 BPM'), labels.join(' | '));
  });

  test('stateAt gives the song as it was; updates replay to the same song', async () => {
    for (const [seq, expected] of songs) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, await viewer.stateAt(seq));
      assert.deepEqual(readSong(doc), expected, `state at #${seq}`);
      doc.destroy();
    }
    const last = await viewer.lastSeq();
    const updates = [...(await viewer.updates(0, 2)), ...(await viewer.updates(2, 1000))];
    assert.deepEqual(
      updates.map((u) => u.seq),
      Array.from({ length: last }, (_, i) => i + 1),
    );
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u.update);
    assert.deepEqual(readSong(doc), readSong(alice.doc));
    doc.destroy();
    await rejectsWith(viewer.stateAt(last + 5), 'invalid', 400);
  });

  test('restore: refused for a viewer, a new labelled entry for an editor', async () => {
    await rejectsWith(viewer.restore(2), 'forbidden', 403);
    const seq = await editor.restore(2);
    assert.equal(seq, await editor.lastSeq());
    const [entry] = (await viewer.history(seq - 1, 1)).entries;
    assert.equal(entry!.label, 'restored #2');
    assert.equal(entry!.author, 'alice');
    await rejectsWith(editor.restore(seq + 10), 'invalid', 400);
  });

  test('take-back: refused for a viewer, a new labelled entry for an editor, words when there is nothing to take back', async () => {
    await rejectsWith(viewer.takeBack({ kind: 'author', name: 'alice', since: 3 }), 'forbidden', 403);
    const last = await editor.lastSeq();
    const done = await editor.takeBack({ kind: 'author', name: 'alice', since: last - 1 });
    assert.deepEqual(done, { seq: last + 1, taken: 1 });
    const [entry] = (await viewer.history(last, 1)).entries;
    assert.equal(entry!.label, `took back alice's 1 edit since #${last - 1}`);
    await assert.rejects(editor.takeBack({ kind: 'ai', since: 0 }), (error: HistoryApiError) => {
      assert.equal(error.kind, 'invalid');
      assert.match(error.message, /nothing to take back: the AI made no edits after #0/);
      return true;
    });
  });

  test('bookmarks: added by an editor, listed for everyone; refused for a viewer or without a name', async () => {
    const mark = await editor.addBookmark(3, '  first groove ');
    assert.deepEqual({ seq: mark.seq, name: mark.name, author: mark.author }, { seq: 3, name: 'first groove', author: 'alice' });
    const listed = await viewer.bookmarks();
    assert.deepEqual(
      listed.map((b) => [b.seq, b.name]),
      [[3, 'first groove']],
    );
    await rejectsWith(viewer.addBookmark(1, 'nope'), 'forbidden', 403);
    await rejectsWith(editor.addBookmark(1, '   '), 'invalid', 400);
  });

  test('bad tokens, another room, and no server are told apart', async () => {
    await rejectsWith(createHistoryApi({ httpUrl: server.url, room: ROOM, token: 'garbage' }).history(0, 1), 'unauthorized', 401);
    const expired = testToken(ROOM, 'editor', 'old', -10);
    await rejectsWith(createHistoryApi({ httpUrl: server.url, room: ROOM, token: expired }).history(0, 1), 'unauthorized', 401);
    await rejectsWith(
      createHistoryApi({ httpUrl: server.url, room: ROOM, token: testToken('other-room') }).history(0, 1),
      'forbidden',
      403,
    );
    // A port nothing listens on any more.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await rejectsWith(createHistoryApi({ httpUrl: `http://127.0.0.1:${closed}`, room: ROOM, token: 'x' }).history(0, 1), 'network', null);
  });

  test("the server's rate limit (429) is 'unavailable', in the server's words", async () => {
    const busy = async () =>
      new Response(JSON.stringify({ error: 'too many requests from your address: try again in 1 s' }), { status: 429 });
    const error = await rejectsWith(
      createHistoryApi({ httpUrl: 'http://x', room: ROOM, token: 't' }, busy).history(0, 1),
      'unavailable',
      429,
    );
    assert.match(describeApiError(error), /busy \(too many requests/);
  });

  test('an answer that breaks the contract is malformed, not trusted', async () => {
    const fake = async () => new Response(JSON.stringify({ entries: [{ seq: 'one' }], lastSeq: 1 }), { status: 200 });
    await rejectsWith(createHistoryApi({ httpUrl: 'http://x', room: ROOM, token: 't' }, fake).history(0, 1), 'malformed', 200);
    const cut = async () => new Response(new Uint8Array([5, 10, 1, 2]), { status: 200 });
    await rejectsWith(createHistoryApi({ httpUrl: 'http://x', room: ROOM, token: 't' }, cut).updates(0, 1), 'malformed', 200);
  });
});
