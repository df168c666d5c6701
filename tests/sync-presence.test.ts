/**
 * Presence (awareness) against hostile peers, through a real server process: oversized states,
 * messages with thousands of client ids, one peer overwriting or removing another's presence, a
 * room filled with presence, a peer over its presence byte budget. Each hostile connection is
 * closed with a reason (or its foreign entries are dropped), stock y-websocket peers keep their
 * presence and keep converging, their edits keep their labels, and the log stays intact. Many
 * quick presence changes reach the other peers coalesced into far fewer messages.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { addTrack, initSong, setTempo } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import { CLOSE, MESSAGE_AWARENESS } from '../sync-server/contract.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { withTimeout } from './support/raw-sockets.ts';
import { startServerProcess, testToken } from './support/server-process.ts';
import { connectClient, disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getHistory } from './support/room-api.ts';

const server = await startServerProcess();
const rooms: string[] = [];
after(async () => {
  await server.kill();
  // Whatever the attackers sent, every room's log is complete and its chain intact.
  for (const room of rooms) {
    const log = new RoomLog(join(server.dataDir, 'rooms', `${room}.riffroom`), { readOnly: true });
    try {
      assert.equal(log.verify(), null, `${room}: hash chain intact`);
      assert.ok(log.lastSeq > 0, `${room}: edits were logged`);
    } finally {
      log.close();
    }
  }
});

/**
 * Bounds on "it arrives", not latency targets (bench:hostile measures those): generous, so that a
 * machine busy with other work (CI runs test files side by side, Chromium among them) does not
 * fail a test whose defence works.
 */
const ARRIVES_MS = 20_000;

interface Closed {
  code: number;
  reason: string;
}

interface PresenceEntry {
  clientId: number;
  clock: number;
  /** The state's JSON text, sent as is ('null' removes). */
  json: string;
}

/** An awareness message as a stock client frames it, with the states' JSON text given raw. */
function presenceMessage(entries: PresenceEntry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(update, e.clientId);
    encoding.writeVarUint(update, e.clock);
    encoding.writeVarString(update, e.json);
  }
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

/** A raw `ws` socket in a room that records the presence it is sent. */
interface RawPeer {
  ws: WebSocket;
  closed: Promise<Closed>;
  isOpen(): boolean;
  /** Latest state per client id as this socket was told (null: removed). */
  states: Map<number, { clock: number; state: unknown }>;
  /** Awareness messages received, and how many of them mentioned each client id. */
  awarenessMessages: number;
  mentions: Map<number, number>;
  send(entries: PresenceEntry[]): void;
}

/** `localAddress`: the loopback address it connects from (another address, other connection caps). */
async function openRaw(room: string, token: string, localAddress?: string): Promise<RawPeer> {
  const ws = new WebSocket(`${server.wsUrl}/${room}?token=${encodeURIComponent(token)}`, { localAddress });
  let open = true;
  const closed = new Promise<Closed>((resolve) =>
    ws.on('close', (code, reason) => {
      open = false;
      resolve({ code, reason: reason.toString() });
    }),
  );
  ws.on('error', () => {}); // a socket closed under us reports errors; the close is what we check
  const peer: RawPeer = {
    ws,
    closed,
    isOpen: () => open,
    states: new Map(),
    awarenessMessages: 0,
    mentions: new Map(),
    send: (entries) => ws.send(presenceMessage(entries)),
  };
  ws.on('message', (data: Buffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(data));
    if (decoding.readVarUint(decoder) !== MESSAGE_AWARENESS) return;
    peer.awarenessMessages++;
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    const count = decoding.readVarUint(update);
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(update);
      const clock = decoding.readVarUint(update);
      const state = JSON.parse(decoding.readVarString(update));
      peer.states.set(clientId, { clock, state });
      peer.mentions.set(clientId, (peer.mentions.get(clientId) ?? 0) + 1);
    }
  });
  // Open once the server speaks; a refused upgrade, a socket error or a close before that rejects
  // (never hangs), saying which.
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', (error) => reject(new Error(`socket error before the first message: ${error.message}`)));
    void closed.then(({ code, reason }) => reject(new Error(`closed before the first message: ${code} ${reason}`)));
  });
  return peer;
}

function randomClientId(): number {
  return 1 + Math.floor(Math.random() * 2 ** 31);
}

/** Two stock peers with names in their presence, each seeing the other's. */
/** What each stock peer's provider went through (closes with code and reason, reconnects): said when a wait times out. */
const providerEvents = new WeakMap<Client, string[]>();

function recordProviderEvents(client: Client, name: string): void {
  const events: string[] = [];
  providerEvents.set(client, events);
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(2)} s`;
  client.provider.on('connection-close', (event: { code?: number; reason?: string } | null) =>
    events.push(`${name} closed ${event?.code ?? '?'} ${event?.reason ?? ''} at ${at()}`),
  );
  client.provider.on('status', ({ status }: { status: string }) => events.push(`${name} ${status} at ${at()}`));
}

/** `waitFor`, whose timeout also says what the stock peers' connections did. */
async function waitForPeers(peers: Client[], condition: () => boolean, message: string): Promise<void> {
  try {
    await waitFor(condition, ARRIVES_MS, message);
  } catch (error) {
    const state = peers.map((c) => `wsconnected ${c.provider.wsconnected}, synced ${c.provider.synced}`).join('; ');
    const events = peers.flatMap((c) => providerEvents.get(c) ?? []).join('; ');
    throw new Error(`${(error as Error).message} (peers: ${state}; events: ${events || 'none'})`);
  }
}

async function honestPair(room: string): Promise<[Client, Client]> {
  rooms.push(room);
  const a = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'alice'));
  const b = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'bob'));
  recordProviderEvents(a, 'alice');
  recordProviderEvents(b, 'bob');
  a.provider.awareness.setLocalStateField('user', { name: 'alice', color: '#ff6b9a' });
  b.provider.awareness.setLocalStateField('user', { name: 'bob', color: '#4fd1c5' });
  await waitFor(() => nameSeen(b, a) === 'alice' && nameSeen(a, b) === 'bob', ARRIVES_MS, 'each peer sees the other');
  initSong(a.doc, { title: 'Presence' });
  addTrack(a.doc, { role: 'keys' });
  await waitFor(() => JSON.stringify(readSong(a.doc)) === JSON.stringify(readSong(b.doc)), ARRIVES_MS, 'song reached both');
  return [a, b];
}

/** The name `seen` shows for `seer`'s view of `seen`'s client. */
function nameSeen(seer: Client, seen: Client): string | undefined {
  return (seer.provider.awareness.getStates().get(seen.doc.clientID) as { user?: { name?: string } } | undefined)?.user?.name;
}

/**
 * Stock peers are still connected, still show each other's names, and an edit by each reaches
 * the other and is logged with its own label.
 */
async function assertHonestPeersFine(room: string, [a, b]: [Client, Client], what: string): Promise<void> {
  assert.ok(a.provider.wsconnected && b.provider.wsconnected, `${what}: stock peers stayed connected`);
  assert.equal(nameSeen(b, a), 'alice', `${what}: bob still sees alice's own name`);
  assert.equal(nameSeen(a, b), 'bob', `${what}: alice still sees bob's own name`);
  const bpm = 60 + Math.floor(Math.random() * 100);
  setTempo(a.doc, bpm);
  await waitForPeers([a, b], () => readSong(b.doc).meta.bpm === bpm, `${what}: alice's edit reached bob`);
  setTempo(b.doc, bpm + 1);
  await waitForPeers([a, b], () => readSong(a.doc).meta.bpm === bpm + 1, `${what}: bob's edit reached alice`);
  const viewer = testToken(room, 'viewer');
  let entries = (await getHistory(server, room, viewer)).entries;
  const deadline = Date.now() + ARRIVES_MS;
  while (entries.at(-1)?.label !== `set tempo to ${bpm + 1} BPM`) {
    if (Date.now() > deadline) assert.fail(`${what}: bob's edit was not logged`);
    await new Promise((r) => setTimeout(r, 10));
    entries = (await getHistory(server, room, viewer)).entries;
  }
  // Labels still pair with their updates: each edit logged under its author with its own label.
  assert.deepEqual(
    entries.slice(-2).map((e) => [e.author, e.label]),
    [
      ['alice', `set tempo to ${bpm} BPM`],
      ['bob', `set tempo to ${bpm + 1} BPM`],
    ],
    `${what}: labels`,
  );
}

test('4 MiB presence states from a viewer close its connection with 4400; meanwhile honest peers keep presence and converge', async () => {
  const room = 'presence-big';
  const honest = await honestPair(room);
  try {
    const huge = JSON.stringify({ user: { name: 'mallory' }, junk: 'x'.repeat(4 * 1024 * 1024) });
    let attacking = true;
    const attacks: Closed[] = [];
    let refusedUpgrades = 0;
    let attackFailed: Error | undefined;
    // The attacker comes back again and again while the honest peers edit. On a loaded machine
    // its closed sockets can still count against its address's caps when it redials: the server
    // then refuses the upgrade (429), which is a defence too; it waits a moment and comes back.
    const attack = (async () => {
      while (attacking) {
        let attacker: RawPeer;
        try {
          attacker = await openRaw(room, testToken(room, 'viewer', 'mallory'));
        } catch (error) {
          if (!/upgrade refused: 429/.test((error as Error).message)) throw error;
          refusedUpgrades++;
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        attacker.send([{ clientId: randomClientId(), clock: 1, json: huge }]);
        attacks.push(await withTimeout(attacker.closed, ARRIVES_MS, 'the server closes the attacker'));
      }
    })().catch((error: Error) => {
      attackFailed = error;
    });
    try {
      for (let round = 0; round < 5 && !attackFailed; round++)
        await assertHonestPeersFine(room, honest, `during the attack, round ${round}`);
      await waitFor(() => attacks.length >= 3 || attackFailed !== undefined, ARRIVES_MS, 'the attacker was closed several times');
    } finally {
      attacking = false;
      await attack;
    }
    if (attackFailed) throw attackFailed;
    if (refusedUpgrades) console.log(`the attacker's upgrade was refused with 429 ${refusedUpgrades} times`);
    for (const closed of attacks) {
      assert.equal(closed.code, CLOSE.malformed, `close code (reason: ${closed.reason})`);
      assert.match(closed.reason, /presence state of \d+ bytes/);
    }
    assert.ok(
      !honest.some((c) => [...c.provider.awareness.getStates().values()].some((s) => JSON.stringify(s).length > 10_000)),
      'nobody received the state',
    );
    await assertHonestPeersFine(room, honest, 'after the attack');
  } finally {
    honest.forEach(disconnect);
  }
});

test('one message with 50,000 presence client ids closes its connection with 4400', async () => {
  const room = 'presence-many';
  const honest = await honestPair(room);
  try {
    const attacker = await openRaw(room, testToken(room, 'viewer', 'mallory'));
    const first = randomClientId();
    const entries = Array.from({ length: 50_000 }, (_, i) => ({ clientId: first + i, clock: 1, json: '{"user":{"name":"bot"}}' }));
    attacker.send(entries);
    const closed = await withTimeout(attacker.closed, ARRIVES_MS, 'the server closes the attacker');
    assert.equal(closed.code, CLOSE.malformed, `close code (reason: ${closed.reason})`);
    assert.match(closed.reason, /50000 presence entries in one message/);
    assert.ok(
      honest.every((c) => c.provider.awareness.getStates().size === 2),
      'no bot reached anyone',
    );
    await assertHonestPeersFine(room, honest, 'after 50,000 client ids');
  } finally {
    honest.forEach(disconnect);
  }
});

test("a peer cannot overwrite or remove another peer's presence; a third peer still sees the victim's own name", async () => {
  const room = 'presence-spoof';
  const honest = await honestPair(room);
  const [victim, third] = honest;
  try {
    const attacker = await openRaw(room, testToken(room, 'editor', 'mallory'));
    const victimId = victim.doc.clientID;
    await waitFor(() => attacker.states.has(victimId), ARRIVES_MS, 'the attacker knows the victim');
    const clock = attacker.states.get(victimId)!.clock;
    // Overwrite with a newer clock, then remove at that clock (both would be applied by y-protocols).
    attacker.send([
      { clientId: victimId, clock: clock + 10, json: JSON.stringify({ user: { name: 'mallory was here', color: '#000000' } }) },
    ]);
    attacker.send([{ clientId: victimId, clock: clock + 10, json: 'null' }]);
    attacker.send([{ clientId: victimId, clock: clock + 11, json: 'null' }]);
    // The attacker's own presence, sent after: once the third peer has it, anything the server
    // fanned out from the messages before has reached it too (one ordered connection each way).
    const own = randomClientId();
    attacker.send([{ clientId: own, clock: 1, json: JSON.stringify({ user: { name: 'marker' } }) }]);
    await waitFor(
      () => (third.provider.awareness.getStates().get(own) as { user?: { name?: string } } | undefined)?.user?.name === 'marker',
      ARRIVES_MS,
      "the third peer has the attacker's own presence",
    );
    await waitFor(() => attacker.states.has(own), ARRIVES_MS, 'the attacker has its own presence back');
    assert.equal(nameSeen(third, victim), 'alice', "the third peer still sees the victim's own name");
    assert.equal(attacker.states.get(victimId)?.clock, clock, "the server still has the victim's own state");
    // Echoing others' entries is what every stock client does: not a reason to close.
    assert.ok(attacker.isOpen(), 'foreign entries are dropped silently, the connection stays open');
    await assertHonestPeersFine(room, honest, 'after the spoofing');
    attacker.ws.close();
  } finally {
    honest.forEach(disconnect);
  }
});

test('a room whose presence others filled: a bandmate who joins then stays connected and edits, and shows once a place frees up', async () => {
  const room = 'presence-crowded';
  const honest = await honestPair(room);
  const attackers: RawPeer[] = [];
  try {
    // Small states (they pass the byte cap) from many identities and two other addresses (so the
    // per-address caps are not what is tested), as many ids as the room holds.
    const perConnection = LIMITS.presence.maxClientsPerConnection;
    const connections = Math.ceil(LIMITS.presence.maxClientsPerRoom / perConnection);
    for (let i = 0; i < connections; i++) {
      const attacker = await openRaw(room, testToken(room, 'viewer', `bot${i}`), i % 2 ? '127.0.0.3' : '127.0.0.4');
      attackers.push(attacker);
      const first = randomClientId();
      attacker.send(Array.from({ length: perConnection }, (_, k) => ({ clientId: first + k, clock: 1, json: `{"bot":${i}}` })));
    }
    const late = await connectClient(server.wsUrl, room, testToken(room, 'editor', 'late'));
    try {
      late.provider.awareness.setLocalStateField('user', { name: 'late' });
      await waitFor(
        () => JSON.stringify(readSong(late.doc)) === JSON.stringify(readSong(honest[0].doc)),
        ARRIVES_MS,
        'the late bandmate has the song',
      );
      // Every bot connection was admitted (none closed for a full room), and the room is full.
      await waitFor(
        () => honest[0].provider.awareness.getStates().size >= LIMITS.presence.maxClientsPerRoom,
        ARRIVES_MS,
        'the room holds its most',
      );
      assert.ok(
        attackers.every((a) => a.isOpen()),
        'nobody was closed for a full room',
      );
      assert.equal(nameSeen(honest[0], late), undefined, 'the late bandmate has no presence yet');
      setTempo(late.doc, 141);
      await waitFor(() => readSong(honest[0].doc).meta.bpm === 141, ARRIVES_MS, "the late bandmate's edit reached alice");
      assert.ok(late.provider.wsconnected, 'the late bandmate stayed connected');
      const { entries } = await getHistory(server, room, testToken(room, 'viewer'));
      assert.equal(entries.at(-1)?.author, 'late', 'and its edit is logged');
      // A place frees up: the late bandmate's next presence change gets in.
      attackers.pop()!.ws.close();
      await waitFor(() => honest[0].provider.awareness.getStates().size < LIMITS.presence.maxClientsPerRoom, ARRIVES_MS, 'a bot left');
      late.provider.awareness.setLocalStateField('user', { name: 'late', color: '#123456' });
      await waitFor(() => nameSeen(honest[0], late) === 'late', ARRIVES_MS, 'alice sees the late bandmate');
      await assertHonestPeersFine(room, honest, 'in a crowded room');
    } finally {
      disconnect(late);
    }
  } finally {
    for (const a of attackers) a.ws.close();
    honest.forEach(disconnect);
  }
});

test("a room's presence total is capped: the message that would pass it closes its sender with 4429", async () => {
  const room = 'presence-full';
  const honest = await honestPair(room);
  const attackers: RawPeer[] = [];
  try {
    // States just under the per-state limit, as many per connection as allowed, from several
    // identities (the per-identity connection cap is not what is tested here).
    const stateBytes = LIMITS.presence.maxStateBytes - 200;
    const perConnection = LIMITS.presence.maxClientsPerConnection;
    const json = (name: string) => {
      const prefix = `{"user":{"name":"${name}"},"pad":"`;
      return `${prefix}${'x'.repeat(stateBytes - prefix.length - 2)}"}`;
    };
    assert.equal(json('bot1').length, stateBytes);
    assert.doesNotThrow(() => JSON.parse(json('bot1')));
    let accepted = 0;
    let refused: Closed | null = null;
    const most = Math.ceil(LIMITS.presence.maxRoomBytes / stateBytes / perConnection) + 2;
    for (let i = 0; i < most && !refused; i++) {
      const attacker = await openRaw(room, testToken(room, 'viewer', `bot${i}`));
      attackers.push(attacker);
      const first = randomClientId();
      const ids = Array.from({ length: perConnection }, (_, k) => first + k);
      attacker.send(ids.map((clientId) => ({ clientId, clock: 1, json: json(`bot${i}`) })));
      // Accepted states come back to their sender too (the fan-out goes to everyone); a refused
      // message closes the connection instead.
      await waitFor(
        () => !attacker.isOpen() || ids.every((id) => attacker.states.get(id)?.clock === 1),
        ARRIVES_MS,
        `bot${i}: accepted or closed`,
      );
      if (attacker.isOpen()) accepted += perConnection;
      else refused = await attacker.closed;
    }
    assert.ok(refused, 'a sender was closed once the room was full');
    assert.equal(refused.code, CLOSE.rateLimited, `close code (reason: ${refused.reason})`);
    assert.match(refused.reason, /presence is full/);
    assert.ok(accepted * stateBytes <= LIMITS.presence.maxRoomBytes, 'the room holds at most its total');
    assert.ok((accepted + perConnection) * stateBytes > LIMITS.presence.maxRoomBytes, 'it was refused only at the limit');
    // Honest peers' small states keep changing (each edit's label) in the full room.
    await assertHonestPeersFine(room, honest, 'in a full room');
    // The attackers leave: their presence leaves with them, for everyone.
    for (const a of attackers) a.ws.close();
    await waitFor(() => honest.every((c) => c.provider.awareness.getStates().size === 2), ARRIVES_MS, "the bots' presence is gone");
  } finally {
    for (const a of attackers) a.ws.close();
    honest.forEach(disconnect);
  }
});

test('a peer announcing more client ids than allowed, or over its presence byte budget, is closed', async () => {
  const room = 'presence-budget';
  const honest = await honestPair(room);
  try {
    const greedy = await openRaw(room, testToken(room, 'viewer', 'greedy'));
    const first = randomClientId();
    const ids = LIMITS.presence.maxClientsPerConnection + 1;
    greedy.send(Array.from({ length: ids }, (_, k) => ({ clientId: first + k, clock: 1, json: '{"user":{"name":"g"}}' })));
    const closedGreedy = await withTimeout(greedy.closed, ARRIVES_MS, 'the server closes the greedy peer');
    assert.equal(closedGreedy.code, CLOSE.malformed, `close code (reason: ${closedGreedy.reason})`);
    assert.match(closedGreedy.reason, /presence client ids/);

    // Its own single state, rewritten as fast as the socket goes: 8 KB per message.
    const chatty = await openRaw(room, testToken(room, 'viewer', 'chatty'));
    const own = randomClientId();
    const state = JSON.stringify({ user: { name: 'chatty' }, pad: 'y'.repeat(LIMITS.presence.maxStateBytes - 100) });
    const messages = Math.ceil((LIMITS.presence.byteBurst * 4) / state.length);
    for (let clock = 1; clock <= messages; clock++) chatty.send([{ clientId: own, clock, json: state }]);
    const closedChatty = await withTimeout(chatty.closed, ARRIVES_MS, 'the server closes the chatty peer');
    assert.equal(closedChatty.code, CLOSE.rateLimited, `close code (reason: ${closedChatty.reason})`);
    assert.match(closedChatty.reason, /presence/);
    await assertHonestPeersFine(room, honest, 'after the budget');
  } finally {
    honest.forEach(disconnect);
  }
});

test('many quick presence changes from one peer reach another peer as far fewer messages, ending in the latest', async (t) => {
  const room = 'presence-coalesce';
  const honest = await honestPair(room);
  try {
    const sender = await openRaw(room, testToken(room, 'editor', 'fidget'));
    const watcher = await openRaw(room, testToken(room, 'viewer', 'watcher'));
    const own = randomClientId();
    const changes = 200;
    for (let clock = 1; clock <= changes; clock++)
      sender.send([{ clientId: own, clock, json: JSON.stringify({ user: { name: 'fidget' }, cursor: clock }) }]);
    await waitFor(() => watcher.states.get(own)?.clock === changes, ARRIVES_MS, 'the watcher has the latest state');
    assert.deepEqual(watcher.states.get(own)!.state, { user: { name: 'fidget' }, cursor: changes });
    const received = watcher.mentions.get(own)!;
    t.diagnostic(`${changes} presence changes reached a peer as ${received} messages`);
    assert.ok(received <= changes / 4, `${changes} changes arrived as ${received} messages`);
    // The stock peers got the latest too.
    await waitFor(
      () => honest.every((c) => (c.provider.awareness.getStates().get(own) as { cursor?: number } | undefined)?.cursor === changes),
      ARRIVES_MS,
      'stock peers have the latest',
    );
    assert.ok(sender.isOpen() && watcher.isOpen());
    await assertHonestPeersFine(room, honest, 'after the quick changes');
    sender.ws.close();
    watcher.ws.close();
  } finally {
    honest.forEach(disconnect);
  }
});
