/**
 * Stock y-websocket clients editing one room through a real server process converge, and every
 * edit lands in the history with its label and author.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { addClip, addNotes, addTrack, initSong, moveNotes, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import type { HistoryResponse } from '../sync-server/contract.ts';

const server = await startServerProcess();
after(() => server.kill());

async function history(room: string): Promise<HistoryResponse> {
  const res = await fetch(`${server.url}/api/rooms/${room}/history?limit=10000`, {
    headers: { authorization: `Bearer ${testToken(room, 'viewer')}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as HistoryResponse;
}

function songsEqual(clients: Client[]): boolean {
  const first = JSON.stringify(readSong(clients[0]!.doc));
  return clients.every((c) => JSON.stringify(readSong(c.doc)) === first);
}

for (const peers of [2, 8]) {
  test(`${peers} stock clients editing concurrently converge`, async () => {
    const room = `converge-${peers}`;
    const clients = await Promise.all(
      Array.from({ length: peers }, (_, i) => connectClient(server.wsUrl, room, testToken(room, 'editor', `player${i}`))),
    );
    try {
      initSong(clients[0]!.doc, { title: 'Converge' });
      const trackId = addTrack(clients[0]!.doc, { role: 'keys' });
      await waitFor(() => clients.every((c) => c.doc.getMap('tracks').has(trackId)), 5000, 'track reached everyone');
      // Everyone adds a clip and notes at once, then moves them, without waiting for each other.
      for (let round = 0; round < 5; round++) {
        for (const [i, c] of clients.entries()) {
          const clip = addClip(c.doc, { trackId, startBar: i * 2 + round * 20, lengthBars: 1 });
          const ids = addNotes(c.doc, clip, [{ pitch: 60 + i, tick: 0, duration: 240, velocity: 90 }]);
          moveNotes(c.doc, clip, ids, { ticks: 120 });
        }
        setTempo(clients[round % peers]!.doc, 100 + round);
      }
      await waitFor(() => songsEqual(clients), 10_000, 'all clients equal');
      const song = readSong(clients[0]!.doc);
      assert.equal(song.clips.length, peers * 5);
      // Concurrent tempo changes resolve to one of them, the same one everywhere.
      assert.ok(song.meta.bpm >= 100 && song.meta.bpm <= 104);
      // The server's own state agrees with the clients.
      const res = await fetch(`${server.url}/api/rooms/${room}/state`, {
        headers: { authorization: `Bearer ${testToken(room, 'viewer')}` },
      });
      const serverDoc = new Y.Doc();
      Y.applyUpdate(serverDoc, new Uint8Array(await res.arrayBuffer()));
      assert.deepEqual(readSong(serverDoc), song);
      const { entries } = await history(room);
      const labels = entries.map((e) => e.label);
      assert.ok(labels.includes('added track Keys'));
      assert.ok(labels.filter((l) => l === 'moved 1 note').length >= peers, 'each move is its own labelled entry');
      assert.ok(entries.some((e) => e.author === 'player1'));
      assert.deepEqual(
        entries.map((e) => e.seq),
        entries.map((_, i) => i + 1),
      );
    } finally {
      clients.forEach(disconnect);
    }
  });
}
