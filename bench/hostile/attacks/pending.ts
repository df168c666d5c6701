/**
 * Edits whose dependencies never arrive (issue 13, item 5): an editor makes a track and a clip
 * (an edit it never sends), then has the AI bandmate regenerate that clip again and again (its
 * notes replaced, its provenance set: ~18 KB per edit), and sends only those later updates: every
 * one builds on structs the server has never seen, so none can be applied. 20 messages a second,
 * continuously; when the server closes the connection the attacker reconnects and goes on with
 * the next update. A message is skipped while 256 KiB are still unsent, so the attacker goes no
 * faster than the server reads. The updates are made before the attack starts: as many as it can
 * send in its time.
 */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as edits from '../../../core/song/edits.ts';
import type { NoteInput } from '../../../core/song/types.ts';
import { MESSAGE_SYNC } from '../../../sync-server/contract.ts';
import { testToken } from '../../../tests/support/server-process.ts';
import { AttackSocket, AttackTally } from '../attack-socket.ts';
import type { Attack, AttackTarget, RunningAttack } from '../attack.ts';

const MESSAGES_PER_SECOND = 20;
const NOTES_PER_UPDATE = 32;
/** Bytes of generation detail (the riff's tokens) in each update's provenance. */
const DETAIL_BYTES = 12 * 1024;
const MAX_UNSENT_BYTES = 256 * 1024;

export const pendingAttack: Attack = {
  name: 'pending',
  summary: `editor token: updates regenerating a clip whose creation is never sent (~18 KB each), ${MESSAGES_PER_SECOND} msg/s, reconnecting when closed`,
  seconds: 30,
  async prepare(_dataDir: string, _room: string, seconds: number) {
    const started = performance.now();
    prepared = pendingUpdates(Math.ceil(seconds * MESSAGES_PER_SECOND));
    return { record: { updatesMade: prepared.length, makingThemSeconds: Math.round(performance.now() - started) / 1000 } };
  },
  async start(target: AttackTarget): Promise<RunningAttack> {
    return startPendingFlood(target, prepared);
  },
};

let prepared: Uint8Array[] = [];

/** `count` sync messages, each an update that builds on an edit never sent. */
export function pendingUpdates(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const trackId = edits.addTrack(doc, { role: 'lead' });
  const clipId = edits.addClip(doc, { trackId, startBar: 0, lengthBars: 4, notes: [] });
  const messages: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    messages.push(encoding.toUint8Array(encoder));
  });
  for (let k = 0; k < count; k++) {
    const notes: NoteInput[] = Array.from({ length: NOTES_PER_UPDATE }, (_, i) => ({
      pitch: 48 + ((k * 7 + i * 5) % 36),
      tick: i * 240,
      duration: 240,
      velocity: 40 + ((k + i) % 80),
    }));
    const provenance = {
      source: 'model' as const,
      detail: { model: 'riffroom-bandmate-v2', seed: k, tokens: randomBytes(DETAIL_BYTES).toString('base64') },
    };
    edits.replaceClipNotes(doc, clipId, notes, provenance, 'generated lead riff');
  }
  doc.destroy();
  return messages;
}

function startPendingFlood({ server, room }: AttackTarget, messages: Uint8Array[]): RunningAttack {
  const tally = new AttackTally();
  const socket = new AttackSocket({
    url: `${server.wsUrl}/${room}?token=${encodeURIComponent(testToken(room, 'editor', 'mallory'))}`,
    tally,
  });
  let next = 0;
  let skipped = 0;
  const timer = setInterval(() => {
    if (next >= messages.length) return;
    if (!socket.isOpen || socket.buffered > MAX_UNSENT_BYTES) return void skipped++;
    socket.send(messages[next++]!);
  }, 1000 / MESSAGES_PER_SECOND);
  return {
    async stop() {
      clearInterval(timer);
      socket.stop();
      const sent = messages.slice(0, next);
      return {
        messagesPerSecond: MESSAGES_PER_SECOND,
        notesPerUpdate: NOTES_PER_UPDATE,
        detailBytesPerUpdate: DETAIL_BYTES,
        updatesSent: next,
        updateBytesSent: sent.reduce((n, m) => n + m.byteLength, 0),
        meanMessageBytes: sent.length ? Math.round(sent.reduce((n, m) => n + m.byteLength, 0) / sent.length) : 0,
        skippedWhileClosedOrBuffered: skipped,
        connection: tally.toJSON(),
      };
    },
  };
}
