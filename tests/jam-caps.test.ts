/**
 * Jam peers and connection caps against a real server process (issue 13, item 4: 500 viewer jam
 * connections from one address made the old server send 3.36 GB). Attackers are raw `ws` sockets
 * from 127.0.0.1; honest members connect from other loopback addresses (127.0.0.2, ...), so they
 * count as other addresses, with the real JamClient and stock y-websocket providers.
 *
 * - 2,000 jam connection attempts from one address with viewer tokens: at most the caps get in
 *   (the upgrade allowance and the per-address cap), the rest are answered 429 with a reason;
 *   meanwhile the band's transport changes, live notes and edits keep flowing, nobody honest is
 *   disconnected, the peers converge and the log verifies.
 * - The bytes each joiner receives grow linearly with the number of joiners (100 vs 200), not
 *   quadratically as with a full peer list on every join.
 * - The per-identity cap (documents and jam channels together) and the jam members per room cap.
 * - After joins, leaves and clock reports, every member's peers() is the server's member list.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import WebSocket from 'ws';
import { addClip, addTrack, initSong } from '../core/song/edits.ts';
import { readSong } from '../core/song/schema.ts';
import type { JamPeer, JamServerMessage, LiveNote } from '../core/jam/contract.ts';
import { LIMITS } from '../sync-server/limits.ts';
import { RoomLog } from '../sync-server/store/room-log.ts';
import { startServerProcess, testToken, type ServerProcess } from './support/server-process.ts';
import { disconnect, waitFor, type Client } from './support/yjs-clients.ts';
import { getSong, healthz } from './support/room-api.ts';
import { jamUrl, openJam, waitReady, type TestJamClient } from './support/jam-clients.ts';
import { connectClientFrom, jamSocketFrom } from './support/from-address.ts';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function server(args: string[] = []): Promise<ServerProcess> {
  const s = await startServerProcess({ args });
  cleanups.push(() => s.kill());
  return s;
}

/** One upgrade attempt by a raw socket: its HTTP answer, and what it received once in. */
interface Attempt {
  /** 101 when it got in, else the HTTP status of the refusal. */
  status: number;
  /** The refusal's JSON `error`. */
  reason: string;
  ws: WebSocket;
  /** Payload bytes of every message received. */
  bytes: number;
  welcome: Extract<JamServerMessage, { type: 'welcome' }> | null;
  /** How many members this socket knows of (from the welcome and whatever followed). */
  members: number;
  closed: boolean;
}

function attempt(url: string, localAddress = '127.0.0.1'): Promise<Attempt> {
  const ws = new WebSocket(url, { localAddress });
  const a: Attempt = { status: 0, reason: '', ws, bytes: 0, welcome: null, members: 0, closed: false };
  ws.on('message', (data: Buffer, isBinary) => {
    a.bytes += data.length;
    if (isBinary) return;
    const m = JSON.parse(data.toString('utf8')) as JamServerMessage | { type: 'peers'; peers: JamPeer[] };
    if (m.type === 'welcome') {
      a.welcome = m;
      a.members = m.peers.length;
    } else if (m.type === 'peers')
      a.members = m.peers.length; // the old protocol's full list
    else if (m.type === 'peer-joined') a.members++;
    else if (m.type === 'peer-left') a.members--;
  });
  ws.on('close', () => (a.closed = true));
  return new Promise((resolve) => {
    ws.once('open', () => {
      a.status = 101;
      resolve(a);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        a.status = res.statusCode ?? 0;
        try {
          a.reason = String((JSON.parse(body) as { error: unknown }).error);
        } catch {
          a.reason = `not JSON: ${body.slice(0, 80)}`;
        }
        ws.terminate();
        resolve(a);
      });
    });
    ws.on('error', (err) => {
      if (a.status) return; // the terminate() after a refusal
      a.status = -1;
      a.reason = err.message;
      resolve(a);
    });
  });
}

const note = (pitch: number): LiveNote => ({ kind: 'on', pitch, velocity: 90, trackId: null, at: 0 });
const docUrl = (s: ServerProcess, room: string, token: string) => `${s.wsUrl}/${room}?token=${encodeURIComponent(token)}`;

async function metric(s: ServerProcess, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

/** Waits until the server counts `n` open connections (a closed socket's place is free again). */
async function openConnections(s: ServerProcess, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await healthz(s)).connections !== n) {
    if (Date.now() > deadline) throw new Error(`timed out: the server does not count ${n} open connections`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('2,000 jam connection attempts from one address: at most the caps get in, the rest get 429 and a reason; the band plays on', async () => {
  const s = await server();
  const room = 'jam-flood';
  // The band, on other addresses: two stock document peers and their jam channels.
  const docs: Client[] = [
    await connectClientFrom('127.0.0.2', s.wsUrl, room, testToken(room, 'owner', 'teacher')),
    await connectClientFrom('127.0.0.3', s.wsUrl, room, testToken(room, 'editor', 'ben')),
  ];
  const [teacherDoc, benDoc] = docs as [Client, Client];
  cleanups.push(() => docs.forEach(disconnect));
  const docCloses: unknown[] = [];
  for (const d of docs) d.provider.on('connection-close', (event) => docCloses.push(event?.code));
  initSong(teacherDoc.doc, { title: 'Under a flood' });
  const trackId = addTrack(teacherDoc.doc, { role: 'keys' });
  await waitFor(() => benDoc.doc.getMap('tracks').has(trackId), 5000, 'ben has the track');
  const teacher = openJam(s.wsUrl, room, testToken(room, 'owner', 'teacher'), undefined, { WebSocket: jamSocketFrom('127.0.0.2') });
  const ben = openJam(s.wsUrl, room, testToken(room, 'editor', 'ben'), undefined, { WebSocket: jamSocketFrom('127.0.0.3') });
  const band: TestJamClient[] = [teacher, ben];
  cleanups.push(() => band.forEach((c) => c.client.close()));
  await waitReady(band);
  const bandStatus: string[] = [];
  for (const c of band) c.client.onChange((kind) => kind === 'status' && bandStatus.push(`${c.client.me?.name}: ${c.client.status}`));
  const heard: number[] = [];
  teacher.client.onLive((m) => heard.push(...m.notes.map((n) => n.pitch)));

  const accepted: Attempt[] = [];
  const refused: Attempt[] = [];
  cleanups.push(() => accepted.forEach((a) => a.ws.terminate()));
  const started = performance.now();
  for (let batch = 0; batch < 20; batch++) {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => attempt(jamUrl(s.wsUrl, room, testToken(room, 'viewer', 'mallory')))),
    );
    for (const r of results) (r.status === 101 ? accepted : refused).push(r);
    // Stops at once on a server without caps (each join there costs the whole room).
    assert.ok(accepted.length <= LIMITS.websocket.maxConnectionsPerAddress, `${accepted.length} connections from one address got in`);
    // Meanwhile the band plays: a tempo change, a live note and an edit each get through.
    const bpm = 100 + batch;
    assert.ok(teacher.client.request({ action: 'tempo', bpm }));
    await waitFor(() => ben.client.transport()?.bpm === bpm, 5000, `ben hears tempo ${bpm}`);
    assert.ok(ben.client.sendLive([note(40 + batch)]));
    await waitFor(() => heard.includes(40 + batch), 5000, `the teacher hears ben's note ${40 + batch}`);
    const clip = addClip(benDoc.doc, { trackId, startBar: batch * 2, lengthBars: 1 });
    await waitFor(() => readSong(teacherDoc.doc).clips.some((c) => c.id === clip), 5000, `ben's clip ${batch} reaches the teacher`);
  }
  const seconds = (performance.now() - started) / 1000;

  const { upgradeBurst, upgradesPerSecond, maxConnectionsPerAddress } = LIMITS.websocket;
  console.log(`2,000 attempts in ${seconds.toFixed(1)} s: ${accepted.length} accepted, ${refused.length} refused`);
  assert.equal(accepted.length + refused.length, 2000);
  assert.ok(accepted.length >= 1);
  assert.ok(
    accepted.length <= Math.min(maxConnectionsPerAddress, upgradeBurst + upgradesPerSecond * seconds + 1),
    'the upgrade allowance holds',
  );
  for (const r of refused) {
    assert.equal(r.status, 429, r.reason);
    assert.match(r.reason, /too many (new|open) connections from 127\.0\.0\.1/);
  }
  assert.equal(await metric(s, /riffroom_rejected_upgrades_total\{status="429"\} (\d+)/), refused.length, 'every refusal is counted');
  // The attackers that got in are members like any other: welcomed and kept.
  await waitFor(
    () => accepted.every((a) => a.welcome !== null && a.members === accepted.length + band.length),
    10_000,
    'every accepted socket knows the room',
  );
  assert.ok(accepted.every((a) => !a.closed));

  // Nobody honest was disconnected, and everyone converged on what the server logged.
  assert.deepEqual(bandStatus, [], 'the band never left "ready"');
  assert.deepEqual(
    band.map((c) => c.client.connections),
    [1, 1],
  );
  assert.deepEqual(docCloses, []);
  assert.equal(ben.client.peers().length, accepted.length + band.length);
  const song = JSON.stringify(readSong(teacherDoc.doc));
  assert.equal(JSON.stringify(readSong(benDoc.doc)), song);
  assert.equal(JSON.stringify(await getSong(s, room, testToken(room, 'viewer'))), song);
  assert.equal(readSong(teacherDoc.doc).clips.length, 20);

  for (const a of accepted) a.ws.terminate();
  for (const c of band) c.client.close();
  docs.forEach(disconnect);
  assert.equal(await s.kill('SIGTERM'), 0);
  const log = new RoomLog(join(s.dataDir, 'rooms', `${room}.riffroom`), { readOnly: true });
  try {
    assert.equal(log.verify(), null, 'the log is complete and its chain intact');
    assert.ok(log.lastSeq >= 22);
  } finally {
    log.close();
  }
});

test('the bytes each joiner receives grow linearly with the joiners, not quadratically', async () => {
  // Caps opened wide: this measures the protocol, not the caps.
  const wide = [
    '--max-connections-per-address',
    '100000',
    '--max-connections-per-identity',
    '100000',
    '--max-jam-members',
    '100000',
    '--upgrades-per-second',
    '100000',
    '--upgrade-burst',
    '100000',
  ];
  const s = await server(wide);
  const flood = async (room: string, n: number) => {
    const sockets: Attempt[] = [];
    cleanups.push(() => sockets.forEach((a) => a.ws.terminate()));
    for (let i = 0; i < n; i++) {
      const a = await attempt(jamUrl(s.wsUrl, room, testToken(room, 'viewer', `v${i}`)));
      assert.equal(a.status, 101, a.reason);
      sockets.push(a);
      await waitFor(() => a.welcome !== null, 5000, `joiner ${i} welcomed`);
    }
    await waitFor(() => sockets.every((a) => a.members === n), 30_000, `all ${n} joiners know all ${n}`);
    const total = sockets.reduce((sum, a) => sum + a.bytes, 0);
    for (const a of sockets) a.ws.terminate();
    return { total, perJoiner: total / n };
  };
  const small = await flood('jam-bytes-100', 100);
  const large = await flood('jam-bytes-200', 200);
  const ratio = large.perJoiner / small.perJoiner;
  console.log(
    `bytes received by the joiners: 100 joiners ${small.total} (${Math.round(small.perJoiner)} each), 200 joiners ${large.total} (${Math.round(large.perJoiner)} each); ` +
      `per joiner ×${ratio.toFixed(2)}, in all ×${(large.total / small.total).toFixed(2)}`,
  );
  // Linear per joiner: twice the joiners, about twice the bytes each (a full list on every join: four times).
  assert.ok(ratio < 2.5, `each joiner received ×${ratio.toFixed(2)} the bytes with twice the joiners`);
  assert.ok(
    small.perJoiner < 100 * 200,
    `a joiner of 100 received ${Math.round(small.perJoiner)} bytes: about one small message per member`,
  );
});

test('the per-identity cap counts documents and jam channels together; a closed one frees its place', async () => {
  const s = await server();
  const room = 'jam-identity';
  const token = testToken(room, 'viewer', 'vic');
  const from = '127.0.0.4';
  const { maxConnectionsPerIdentity } = LIMITS.websocket;
  const open: Attempt[] = [];
  cleanups.push(() => open.forEach((a) => a.ws.terminate()));
  for (let i = 0; i < maxConnectionsPerIdentity; i++) {
    const url = i % 2 ? docUrl(s, room, token) : jamUrl(s.wsUrl, room, token);
    const a = await attempt(url, from);
    assert.equal(a.status, 101, `connection ${i + 1}: ${a.reason}`);
    open.push(a);
  }
  for (const url of [jamUrl(s.wsUrl, room, token), docUrl(s, room, token)]) {
    const over = await attempt(url, from);
    assert.equal(over.status, 429);
    assert.match(over.reason, new RegExp(`too many open connections for one person \\(at most ${maxConnectionsPerIdentity}\\)`));
  }
  // Another person at the same address is not held back by vic.
  const other = await attempt(jamUrl(s.wsUrl, room, testToken(room, 'viewer', 'val')), from);
  assert.equal(other.status, 101, other.reason);
  other.ws.close();
  open.shift()!.ws.close();
  await openConnections(s, maxConnectionsPerIdentity - 1);
  const again = await attempt(jamUrl(s.wsUrl, room, token), from);
  assert.equal(again.status, 101, again.reason);
  open.push(again);
});

test("the jam members per room cap: a full room's jam answers 503, its document and other rooms still open", async () => {
  const s = await server(['--max-jam-members', '5']);
  const room = 'jam-full';
  const members: Attempt[] = [];
  cleanups.push(() => members.forEach((a) => a.ws.terminate()));
  for (let i = 0; i < 5; i++) {
    const a = await attempt(jamUrl(s.wsUrl, room, testToken(room, 'editor', `p${i}`)), `127.0.0.${5 + i}`);
    assert.equal(a.status, 101, a.reason);
    members.push(a);
  }
  const full = await attempt(jamUrl(s.wsUrl, room, testToken(room, 'owner', 'late')));
  assert.equal(full.status, 503);
  assert.match(full.reason, /the room's jam channel is full \(5 members\)/);
  assert.equal(await metric(s, /riffroom_rejected_upgrades_total\{status="503"\} (\d+)/), 1);
  for (const url of [
    docUrl(s, room, testToken(room, 'owner', 'late')),
    jamUrl(s.wsUrl, 'jam-elsewhere', testToken('jam-elsewhere', 'editor')),
  ]) {
    const a = await attempt(url);
    assert.equal(a.status, 101, a.reason);
    members.push(a);
  }
  members.shift()!.ws.close();
  await openConnections(s, 6);
  const late = await attempt(jamUrl(s.wsUrl, room, testToken(room, 'owner', 'late')));
  assert.equal(late.status, 101, late.reason);
  members.push(late);
  await waitFor(() => late.welcome !== null, 5000, 'welcome');
  assert.equal(late.welcome!.peers.length, 5);
});

test("after joins, leaves and clock reports, every member's peers() is the server's member list", async () => {
  const s = await server();
  const room = 'jam-deltas';
  const clients: TestJamClient[] = [];
  cleanups.push(() => clients.forEach((c) => c.client.close()));
  const join = (name: string, role: 'owner' | 'editor' | 'viewer', address: string) => {
    const c = openJam(s.wsUrl, room, testToken(room, role, name), undefined, {
      WebSocket: jamSocketFrom(address),
      pingIntervalMs: 200,
      reportIntervalMs: 300,
    });
    clients.push(c);
    return c;
  };
  const roles = ['owner', 'editor', 'editor', 'viewer', 'viewer', 'editor'] as const;
  const first = roles.map((role, i) => join(`m${i}`, role, `127.0.0.${20 + i}`));
  await waitReady(first);
  // Two leave, two more join.
  first[1]!.client.close();
  first[4]!.client.close();
  const later = [join('m6', 'viewer', '127.0.0.30'), join('m7', 'editor', '127.0.0.31')];
  await waitReady(later);
  const members = clients.filter((c) => c.client.status !== 'closed');
  assert.equal(members.length, 6);
  // Everyone has everyone's clock figures.
  await waitFor(
    () => members.every((c) => c.client.peers().length === 6 && c.client.peers().every((p) => p.offsetMs !== null)),
    10_000,
    'clock figures everywhere',
  );

  // Each member's list, every time it changes.
  const snapshots = new Map<TestJamClient, JamPeer[][]>(members.map((c) => [c, []]));
  for (const c of members) c.client.onChange((kind) => kind === 'peers' && snapshots.get(c)!.push(c.client.peers()));
  // A new member's welcome is the server's list at that moment; the others learn of the newcomer
  // right after it, so their list just before that must be the welcome's.
  const observer = await attempt(jamUrl(s.wsUrl, room, testToken(room, 'viewer', 'observer')), '127.0.0.40');
  assert.equal(observer.status, 101, observer.reason);
  cleanups.push(() => observer.ws.terminate());
  await waitFor(() => observer.welcome !== null, 5000, 'the observer is welcomed');
  const byClient = (peers: JamPeer[]) => [...peers].sort((a, b) => a.clientId.localeCompare(b.clientId));
  const serverList = byClient(observer.welcome!.peers.filter((p) => p.clientId !== observer.welcome!.clientId));
  assert.deepEqual(
    serverList.map((p) => p.clientId).sort(),
    members.map((c) => c.client.me!.clientId).sort(),
    'the server lists exactly the members still connected',
  );
  assert.ok(serverList.every((p) => p.offsetMs !== null && p.rttMs !== null));
  await waitFor(() => members.every((c) => c.client.peers().some((p) => p.name === 'observer')), 5000, 'everyone learns of the observer');
  for (const c of members) {
    const seen = snapshots.get(c)!;
    const at = seen.findIndex((list) => list.some((p) => p.name === 'observer'));
    const withObserver = seen[at]!;
    assert.deepEqual(
      byClient(withObserver.filter((p) => p.name !== 'observer')),
      serverList,
      `${c.client.me!.name}'s list when the observer arrived`,
    );
    assert.deepEqual(
      withObserver.find((p) => p.name === 'observer'),
      observer.welcome!.peers.find((p) => p.name === 'observer'),
    );
  }
  // And a leave: gone from every list.
  observer.ws.close();
  await waitFor(
    () => members.every((c) => !c.client.peers().some((p) => p.name === 'observer') && c.client.peers().length === 6),
    5000,
    'the observer is gone everywhere',
  );
});
