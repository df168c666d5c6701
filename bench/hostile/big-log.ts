/**
 * A room with a long history, written straight into a server's data dir with RoomLog.append:
 * one bandmate regenerating a keys riff with the AI bandmate 100,000 times, each entry a real Yjs
 * update of the song (the clip's provenance: model, seed and the riff's tokens, ~1.7 KB), 160 MiB
 * of updates in all. Each new provenance replaces the last, so the live document stays small and
 * the room loads fast: at the end the log gets the full state and a compact snapshot, as the
 * server itself would have written them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as Y from 'yjs';
import * as edits from '../../core/song/edits.ts';
import { clipsMap } from '../../core/song/schema.ts';
import { RoomLog } from '../../sync-server/store/room-log.ts';
import { encodeCompactState } from '../../sync-server/room/compact-state.ts';
import type { LogBase } from './attack.ts';

export interface BigLog extends LogBase {
  entries: number;
  updateBytes: number;
  fileBytes: number;
  buildSeconds: number;
}

const LABEL = 'generated keys riff';
/** Wall time between two entries as written (ms): the history spans several days of sessions. */
const ENTRY_SPACING_MS = 4000;

export function writeBigLog(file: string, options: { entries: number; updateBytes: number }): BigLog {
  const started = performance.now();
  mkdirSync(dirname(file), { recursive: true });
  const log = new RoomLog(file);
  try {
    const doc = new Y.Doc();
    let update: Uint8Array | null = null;
    doc.on('update', (u: Uint8Array) => {
      update = u;
    });
    const t0 = Date.now() - options.entries * ENTRY_SPACING_MS;
    let updateBytes = 0;
    const append = (label: string, at: number) => {
      log.append({ time: t0 + at * ENTRY_SPACING_MS, author: 'bandmate', label, update: update! });
      updateBytes += update!.byteLength;
    };
    edits.initSong(doc, { title: 'A long session' });
    append('created song', 0);
    const trackId = edits.addTrack(doc, { role: 'keys', name: 'Keys' });
    append('added track Keys', 0);
    const clipId = edits.addClip(doc, {
      trackId,
      startBar: 0,
      lengthBars: 8,
      notes: [{ pitch: 60, tick: 0, duration: 480, velocity: 90 }],
    });
    append('added clip', 0);
    const clip = clipsMap(doc).get(clipId)!;
    // The riff's tokens as base64: sized so that one entry's update is ~updateBytes.
    const tokenBytes = Math.max(16, Math.round(((options.updateBytes - 160) * 3) / 4));
    for (let k = 3; k < options.entries; k++) {
      const detail = {
        model: 'riffroom-bandmate-v2',
        task: 'generate',
        role: 'keys',
        seed: k,
        temperature: 0.9,
        tokens: randomBytes(tokenBytes).toString('base64'),
      };
      edits.labelledEdit(doc, LABEL, () => clip.set('provenance', { source: 'model', detail }));
      append(LABEL, k);
    }
    const state = Y.encodeStateAsUpdate(doc);
    log.saveRoomState(log.lastSeq, state);
    log.saveSnapshot(log.lastSeq, encodeCompactState(doc));
    const seq = log.lastSeq;
    doc.destroy();
    log.close();
    return {
      entries: seq,
      updateBytes,
      fileBytes: statSync(file).size,
      buildSeconds: Math.round((performance.now() - started) / 100) / 10,
      seq,
      state,
    };
  } catch (err) {
    log.close();
    throw err;
  }
}
