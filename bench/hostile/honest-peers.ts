/**
 * Child process of bench:hostile (started by honest-process.ts): the honest bandmates in the
 * attacked room. Each is what a page holds: a stock y-websocket WebsocketProvider (disableBc) on
 * the document, with a presence state naming it, and a JamClient on the room's jam channel, both
 * connecting from 127.0.0.2. They make the app's note edits round-robin (bench/sync/jam.ts: each
 * edit is identified on arrival at every other peer, all on this process's clock), and count
 * every connection the server closed, and every time a peer's presence was changed by someone else.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { Jam } from '../sync/jam.ts';
import { summarize } from '../stats.ts';
import { testToken } from '../../tests/support/server-process.ts';
import { connectClient, type Client } from '../../tests/support/yjs-clients.ts';
import { openJam, type TestJamClient } from '../../tests/support/jam-clients.ts';
import type { JamSocketConstructor } from '../../core/jam/jam-client.ts';
import { ConnectionTally, HONEST_ADDRESS, socketClassFrom } from './honest-socket.ts';
import type { FromHonest, HonestReport, HonestSetup, PresenceSeen, ToHonest } from './honest-process.ts';

const send = (message: FromHonest) => process.send!(message);

interface Running {
  jam: Jam;
  clients: Client[];
  jamClients: TestJamClient[];
  names: string[];
  documentTally: ConnectionTally;
  jamTally: ConnectionTally;
  presence: PresenceSeen;
  loop: ReturnType<typeof monitorEventLoopDelay>;
  loopDelayP99Ms: number;
}

let running: Running | null = null;

process.on('message', (message: ToHonest) => {
  handle(message).catch((err: Error) => send({ type: 'error', message: err.stack ?? err.message }));
});

async function handle(message: ToHonest): Promise<void> {
  switch (message.type) {
    case 'start': {
      const started = performance.now();
      running = await start(message.setup);
      send({ type: 'ready', setupMs: Math.round(performance.now() - started) });
      return;
    }
    case 'mark':
      if (!running) return;
      if (message.what === 'window-start') running.loop.reset();
      else running.loopDelayP99Ms = running.loop.percentile(99) / 1e6;
      return;
    case 'report':
      send({ type: 'report', report: await report(running!, message.from, message.to, message.settleMs) });
      return;
    case 'stop':
      if (running) {
        running.documentTally.counting = false;
        running.jamTally.counting = false;
        running.loop.disable();
        running.jam.close();
        for (const j of running.jamClients) j.client.close();
      }
      // Presence keeps a timer of its own; nothing here needs flushing.
      process.exit(0);
  }
}

async function start(setup: HonestSetup): Promise<Running> {
  const documentTally = new ConnectionTally();
  const jamTally = new ConnectionTally();
  const DocumentSocket = socketClassFrom(HONEST_ADDRESS, documentTally);
  const JamSocket = socketClassFrom(HONEST_ADDRESS, jamTally);
  const names = Array.from({ length: setup.peers }, (_, i) => `honest${i + 1}`);
  const tokens = names.map((name) => testToken(setup.room, 'editor', name));
  const nameOfToken = new Map(tokens.map((t, i) => [t, names[i]!]));
  const clients: Client[] = [];
  // Each WebsocketProvider adds a process 'exit' listener; these are expected, not a leak.
  process.setMaxListeners(setup.peers * 2 + 10);
  const jam = await Jam.open(
    setup.wsUrl,
    setup.room,
    setup.peers,
    (i) => tokens[i]!,
    undefined,
    async (url, room, token, options) => {
      const client = await connectClient(url, room, token, { ...options, WebSocket: DocumentSocket });
      // Like the page: a presence state naming the bandmate (the label announcements join it).
      client.provider.awareness.setLocalStateField('user', { name: nameOfToken.get(token)! });
      clients.push(client);
      return client;
    },
  );
  const presence = watchPresence(clients);
  const jamClients = tokens.map((token) =>
    openJam(setup.wsUrl, setup.room, token, undefined, { WebSocket: JamSocket as unknown as JamSocketConstructor }),
  );
  const deadline = performance.now() + 30_000;
  while (!jamClients.every((j) => j.client.status === 'ready')) {
    if (performance.now() > deadline) throw new Error(`jam channels not ready: ${jamClients.map((j) => j.client.status).join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const period = 1000 / setup.editsPerSecond;
  jam.startEditing(setup.editsPerSecond / setup.peers, performance.now() + period, (i) => i / setup.peers);
  return { jam, clients, jamClients, names, documentTally, jamTally, presence, loop, loopDelayP99Ms: NaN };
}

/**
 * Counts presence changes no honest peer made: another honest peer's state (or one's own)
 * replaced by a state with a name its owner never set, or removed while its owner is connected.
 */
function watchPresence(clients: Client[]): PresenceSeen {
  const seen: PresenceSeen = { overwrites: 0, removals: 0, maxStates: 0 };
  const nameOf = new Map(
    clients.map((c) => [c.doc.clientID, (c.provider.awareness.getLocalState() as { user?: { name?: string } }).user?.name]),
  );
  const connected = (id: number) => clients.some((c) => c.doc.clientID === id && c.provider.wsconnected);
  for (const client of clients) {
    const awareness = client.provider.awareness;
    awareness.on('change', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      seen.maxStates = Math.max(seen.maxStates, awareness.getStates().size);
      for (const id of [...added, ...updated]) {
        if (!nameOf.has(id)) continue;
        const state = awareness.getStates().get(id) as { user?: { name?: string } } | undefined;
        if (state?.user?.name !== nameOf.get(id)) seen.overwrites++;
      }
      // A provider drops everyone else's presence itself when its own connection closes.
      if (!client.provider.wsconnected) return;
      for (const id of removed) if (nameOf.has(id) && connected(id)) seen.removals++;
    });
  }
  return seen;
}

async function report(r: Running, fromWall: number, toWall: number, settleMs: number): Promise<HonestReport> {
  const from = fromWall - performance.timeOrigin;
  const to = toWall - performance.timeOrigin;
  const missing = () => r.jam.collect(from, to, Number.MAX_VALUE, [], []).lostDeliveries;
  const deadline = to + settleMs;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  while (missing() > 0 && performance.now() < deadline) await pause();
  const delivery: number[] = [];
  const stats = r.jam.collect(from, to, Number.MAX_VALUE, delivery, []);
  // The last edits must reach everyone before the documents are compared: stop, then let them land.
  r.jam.stopEditing();
  const settled = Math.max(deadline, performance.now() + 5000);
  while (!r.jam.docsEqual() && performance.now() < settled) await pause();
  const all = [...delivery, ...Array<number>(stats.lostDeliveries).fill(Infinity)];
  const summary = summarize(all);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const vector = new Map<number, number>();
  for (const c of r.clients)
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(c.doc)))
      vector.set(client, Math.max(clock, vector.get(client) ?? 0));
  return {
    edits: stats.edits,
    deliveries: all.length,
    lost: stats.lostDeliveries,
    p50Ms: finite(summary.p50),
    p99Ms: finite(summary.p99),
    maxMs: finite(summary.max),
    document: r.documentTally.toJSON(),
    jam: r.jamTally.toJSON(),
    disconnects: r.documentTally.disconnects + r.jamTally.disconnects,
    presence: { ...r.presence },
    docsEqual: r.jam.docsEqual(),
    stateVector: [...vector],
    loopDelayP99Ms: Math.round(r.loopDelayP99Ms * 100) / 100,
    names: r.names,
  };
}
