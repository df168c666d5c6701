/**
 * The room the bench plays: the audio bench's dense song (8 tracks × 64 bars, 7,680 notes, one
 * 4-bar clip per track every 4 bars) written into a real room through core's typed edits, by a
 * stock y-websocket client, as one labelled edit. Bandmates' pages then load it from the server.
 */
import * as Y from 'yjs';
import { addClip, addTrack, initSong, labelledEdit } from '../../core/song/edits.ts';
import { clipNotes, clipsMap } from '../../core/song/schema.ts';
import { denseSong } from '../../renderer/audio/fixtures.ts';
import { testToken } from '../../tests/support/server-process.ts';
import { connectClient, disconnect, waitFor } from '../../tests/support/yjs-clients.ts';

export interface SeededRoom {
  room: string;
  tracks: number;
  bars: number;
  clips: number;
  notes: number;
  /** Size of the room's document as one update, bytes. */
  docBytes: number;
}

export async function seedDenseRoom(wsUrl: string, room: string, tracks = 8, bars = 64): Promise<SeededRoom> {
  const song = denseSong(tracks, bars, { title: `Bench ${tracks}×${bars}` });
  const client = await connectClient(wsUrl, room, testToken(room, 'owner', 'seeder'));
  try {
    const { doc, provider } = client;
    labelledEdit(doc, `seeded ${tracks} tracks × ${bars} bars`, () => {
      initSong(doc, song.meta);
      const ids = new Map<string, string>();
      for (const t of song.tracks)
        ids.set(t.id, addTrack(doc, { role: t.role, name: t.name, instrument: t.instrument, volumeDb: t.volumeDb, pan: t.pan }));
      for (const c of song.clips) {
        addClip(doc, {
          trackId: ids.get(c.trackId)!,
          startBar: c.startBar,
          lengthBars: c.lengthBars,
          notes: c.notes.map(({ pitch, tick, duration, velocity }) => ({ pitch, tick, duration, velocity })),
        });
      }
    });
    // The server has it once our websocket has nothing left to send and a fresh peer would read it.
    const docBytes = Y.encodeStateAsUpdate(doc).length;
    const ws = (provider as unknown as { ws: { bufferedAmount: number } | null }).ws;
    await waitFor(() => !ws || ws.bufferedAmount === 0, 10_000, 'seed update not sent');
    const check = await connectClient(wsUrl, room, testToken(room, 'viewer', 'checker'));
    try {
      const notes = () => [...clipsMap(check.doc).values()].reduce((n, c) => n + clipNotes(c).size, 0);
      await waitFor(() => notes() === song.clips.reduce((n, c) => n + c.notes.length, 0), 10_000, 'seeded song not on the server');
    } finally {
      disconnect(check);
    }
    return { room, tracks, bars, clips: song.clips.length, notes: song.clips.reduce((n, c) => n + c.notes.length, 0), docBytes };
  } finally {
    disconnect(client);
  }
}
