/**
 * bench:sync cluster-rooms — many rooms on the hosted topology: 200 rooms x 4 stock y-websocket
 * peers, one node vs three nodes on one PostgreSQL database (a throwaway cluster on this machine,
 * fsync on), side by side in one run, stepping the offered edit rate up (steps up to 1,600/s
 * always; beyond that until a step fails).
 *
 *   pg-1  one node, --store postgres; every peer dials it.
 *   pg-3  three nodes on the same database. Room r's first peer dials node r % 3 and syncs before
 *         the others dial, so that node opens the room and holds its lease (rooms' owners spread
 *         evenly, as when a room's first bandmate arrives first); the other three peers dial the
 *         two other nodes ((r+1) % 3 twice, (r+2) % 3 once), which relay them to the owner: 3 of
 *         every 4 peers are relayed. Where the owners really ended up is read from room_leases.
 *
 * The clients run in BENCH_LOAD_WORKERS (default 2) worker processes (cluster-rooms-worker.ts,
 * as load.ts), each holding whole rooms so that send and arrival share a clock. Each step edits
 * for STEP_MS at a fixed per-peer rate (the workload of jam.ts: each edit a note drag or note
 * edit), lets everything settle, and reports:
 *   - offered, made and delivered edits/s (delivered: made in the window and seen by all three
 *     other peers of the room within the grace period)
 *   - delivery latency p50/p99 of every (edit, receiver) pair across all rooms
 *   - lost: edits some other peer of the room did not see within LOST_AFTER_MS, plus updates a
 *     room's peers made that its log lacks (lastSeq through node 0, relayed to the owner), plus
 *     rooms whose four documents differ. Must be 0.
 *   - CPU seconds of each node (/proc), of PostgreSQL (postmaster, its live backends and the
 *     children it reaped), of the client workers, and of the whole machine; edits per server
 *     CPU-second = delivered edits / node CPU seconds (and with PostgreSQL's added)
 *   - os.loadavg() before and after
 * A step passes with nothing lost, delivery p99 under P99_LIMIT_MS and at least 95% of the
 * offered rate made. The sustained figure of a setup is its highest passing step below which
 * every step passed too. A short unrecorded warm-up step runs first.
 *
 * Every node, PostgreSQL and the client workers share this machine's cores (2 here): the three
 * nodes do not add cores, they add relaying work. The per-CPU-second figure is what to compare.
 * CLUSTER_ROOMS_STEPS=a,b,c overrides the offered rates, CLUSTER_ROOMS_STEP_MS the step length,
 * CLUSTER_ROOMS_SETUPS=pg-3 the setups run.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from '../../tests/support/postgres-cluster.ts';
import { startServerProcess, tempDataDir, testToken, type ServerProcess } from '../../tests/support/server-process.ts';
import { freePorts } from '../../tests/support/deploy-files.ts';
import { getLastSeq } from '../../tests/support/room-api.ts';
import type { RoomPlan, ClusterOpenCommand } from './cluster-rooms-worker.ts';
import { ROOM_STEPS, RoomsWorker, type StepReport } from './rooms-worker.ts';
import {
  concatSamples,
  distribution,
  machineBusySeconds,
  ownCpuSeconds,
  processCpuSeconds,
  round2,
  Semaphore,
  sleep,
  sumCodes,
} from './support.ts';

const ROOMS = 200;
const PEERS_PER_ROOM = 4;
const STEPS = process.env.CLUSTER_ROOMS_STEPS
  ? process.env.CLUSTER_ROOMS_STEPS.split(',').map(Number)
  : [400, 800, 1200, 1600, 2400, 3200, 4800];
/** Steps up to this rate run even after a failing one (the fixed points: 800 and one higher). */
const ALWAYS_UP_TO = 1600;
/** An unrecorded step first: right after 800 peers connect the nodes and PostgreSQL are still busy. */
const WARMUP = { offered: 400, ms: 4_000 };
const STEP_MS = Number(process.env.CLUSTER_ROOMS_STEP_MS ?? 10_000);
const SETTLE_MS = 15_000;
/** An edit not seen by every other peer of its room this long after it was made is lost. */
const LOST_AFTER_MS = 10_000;
const P99_LIMIT_MS = 100;

type Setup = 'pg-1' | 'pg-3';

type Worker = RoomsWorker<ClusterOpenCommand>;
const newWorker = (): Worker => new RoomsWorker(new URL('./cluster-rooms-worker.ts', import.meta.url));

/**
 * CPU seconds PostgreSQL has used so far: the postmaster (with the children it has reaped:
 * cutime/cstime) and its live children (backends, walwriter, checkpointer, ...).
 */
export function postgresCpuSeconds(db: PostgresCluster): number {
  let total = 0;
  const postmaster = postmasterPid(db);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fields: string[];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      continue;
    }
    // From the state (field 3): ppid is fields[1], utime [11], stime [12], cutime [13], cstime [14].
    const pid = Number(entry);
    if (pid === postmaster) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
    else if (Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

function postmasterPid(db: PostgresCluster): number {
  try {
    return Number(readFileSync(join(db.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds used so far by everything this benchmark runs: the nodes, the client workers,
 * PostgreSQL (its backends come and go: postgresCpuSeconds counts the reaped ones) and this process.
 */
function oursCpuSeconds(pids: number[], db: PostgresCluster): number {
  return pids.reduce((s, pid) => s + (processCpuSeconds(pid) || 0), 0) + postgresCpuSeconds(db) + ownCpuSeconds();
}

/** Cores the rest of the machine used over `ms`. */
async function othersCoresOver(pids: number[], db: PostgresCluster, ms: number): Promise<number> {
  const busy0 = machineBusySeconds();
  const ours0 = oursCpuSeconds(pids, db);
  const t0 = performance.now();
  await sleep(ms);
  return Math.max(0, machineBusySeconds() - busy0 - (oursCpuSeconds(pids, db) - ours0)) / ((performance.now() - t0) / 1000);
}

/** Waits (up to maxMs) for the rest of the machine to use under `maxCores`; returns the last sample. */
async function waitForOthersQuiet(pids: number[], db: PostgresCluster, maxCores = 0.15, maxMs = 30_000): Promise<number> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const others = await othersCoresOver(pids, db, 1000);
    if (others < maxCores || performance.now() > deadline) return round2(others);
  }
}

const loads = () => loadavg().map(round2);

async function startNodes(url: string, count: number): Promise<ServerProcess[]> {
  const ports = await freePorts(count);
  const peers = ROOMS * PEERS_PER_ROOM;
  // All 800 peers come from 127.0.0.1 (relayed ones too: the owner trusts the relaying node's
  // X-Forwarded-For), so the per-address caps, sized for real addresses, are opened as load.ts does.
  return Promise.all(
    ports.map((port, i) =>
      startServerProcess({
        port,
        dataDir: tempDataDir(),
        args: [
          '--store',
          url,
          '--node-id',
          `node-${i}`,
          '--node-url',
          `http://127.0.0.1:${port}`,
          '--trusted-proxy',
          '127.0.0.1',
          '--max-connections-per-address',
          String(peers * 2),
          '--upgrades-per-second',
          '1000',
          '--upgrade-burst',
          String(peers * 2),
        ],
      }),
    ),
  );
}

async function stopNodes(nodes: ServerProcess[]): Promise<void> {
  for (const node of nodes) {
    await node.kill('SIGTERM');
    rmSync(node.dataDir, { recursive: true, force: true });
  }
}

async function loggedUpdates(node: ServerProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  let logged = 0;
  for (const m of text.matchAll(/^riffroom_updates_logged_total(?:\{[^}]*\})? (\S+)$/gm)) logged += Number(m[1]);
  return logged;
}

/** Rooms per lease holder, from room_leases (live leases only). */
async function owners(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ node: string; rooms: string }>(
      'SELECT node, count(*) AS rooms FROM room_leases WHERE expires_at > now() GROUP BY node ORDER BY node',
    );
    return Object.fromEntries(rows.map((r) => [r.node, Number(r.rooms)]));
  } finally {
    await client.end();
  }
}

function plan(setup: Setup, nodes: ServerProcess[]): RoomPlan[] {
  return Array.from({ length: ROOMS }, (_, index) => {
    const name = `rooms-${setup}-${index + 1}`;
    const n = nodes.length;
    // pg-3: the first peer on node index % 3 (the owner), the others on the two other nodes.
    const layout = n === 1 ? [0, 0, 0, 0] : [0, 1, 2, 1].map((k) => (index + k) % n);
    return { name, index, peerUrls: layout.map((k) => nodes[k]!.wsUrl) };
  });
}

async function runSetup(setup: Setup, db: PostgresCluster) {
  const url = await db.createDatabase(`rooms_${setup.replace('-', '')}`);
  const nodes = await startNodes(url, setup === 'pg-3' ? 3 : 1);
  const workers = Array.from({ length: ROOM_STEPS.workers }, () => newWorker());
  const steps: StepResult[] = [];
  let stoppedBecause = 'every step passed';
  const discarded: { offeredEditsPerSecond: number; otherProcessesCores: number; latencyP99Ms: number | null; passed: boolean }[] = [];
  try {
    const rooms = plan(setup, nodes);
    const opened = performance.now();
    await Promise.all(
      workers.map((worker, w) =>
        worker.request({
          type: 'open',
          rooms: rooms.filter((r) => r.index % ROOM_STEPS.workers === w),
          totalPeers: ROOMS * PEERS_PER_ROOM,
          concurrency: Math.max(1, Math.floor(ROOM_STEPS.connectConcurrency / ROOM_STEPS.workers)),
        }),
      ),
    );
    const connectMs = Math.round(performance.now() - opened);
    const ownersAfterConnect = await owners(url);
    console.error(
      `  ${setup}: ${ROOMS * PEERS_PER_ROOM} peers in ${ROOMS} rooms connected in ${connectMs} ms; owners ${JSON.stringify(ownersAfterConnect)}`,
    );
    await sleep(1000);
    const warmup = await runStep(nodes, workers, db, WARMUP.offered, WARMUP.ms);
    console.error(
      `  ${setup} warm-up ${WARMUP.offered}/s (not kept): p50 ${warmup.latencyMs.p50} ms, p99 ${warmup.latencyMs.p99} ms, lost ${warmup.lost}`,
    );
    for (const offered of STEPS) {
      if (steps.some((s) => !s.passed) && offered > ALWAYS_UP_TO) {
        stoppedBecause = `the ${steps.find((s) => !s.passed)!.offeredEditsPerSecond}/s step failed`;
        break;
      }
      let result = await runStep(nodes, workers, db, offered, STEP_MS);
      // Others share this machine: a step during which they used a noticeable share of it says
      // more about them than about the nodes. Run it again (twice at most), keeping a record.
      for (let retry = 0; retry < ROOM_STEPS.maxRetries && result.cores.others > ROOM_STEPS.maxOtherCores; retry++) {
        discarded.push({
          offeredEditsPerSecond: offered,
          otherProcessesCores: result.cores.others,
          latencyP99Ms: result.latencyMs.p99,
          passed: result.passed,
        });
        console.error(
          `  ${setup} ${offered}/s: other processes used ${result.cores.others} cores during the step (p99 ${result.latencyMs.p99} ms); running it again`,
        );
        result = await runStep(nodes, workers, db, offered, STEP_MS);
      }
      steps.push(result);
      const { latencyMs: l } = result;
      console.error(
        `  ${setup} ${offered}/s: made ${result.madeEditsPerSecond}/s, delivered ${result.deliveredEditsPerSecond}/s, p50 ${l.p50} ms, p99 ${l.p99} ms, lost ${result.lost}, ` +
          `cores nodes ${result.cores.nodes.join('+')} pg ${result.cores.postgres} workers ${result.cores.workers.join('+')}, ` +
          `${result.editsPerServerCpuSecond}/node-CPU-s, load ${result.loadavg.after[0]}${result.passed ? '' : ' FAILED'}`,
      );
    }
    const failed = steps.find((s) => !s.passed);
    if (failed && stoppedBecause === 'every step passed')
      stoppedBecause = `the ${failed.offeredEditsPerSecond}/s step failed (steps up to ${ALWAYS_UP_TO}/s run regardless)`;
    // Sustained: the highest step with every step below it passing too.
    const best = steps.filter((s, i) => s.passed && steps.slice(0, i).every((x) => x.passed)).at(-1);
    return {
      setup,
      nodes: nodes.length,
      connectMs,
      owners: ownersAfterConnect,
      ownersAtEnd: await owners(url),
      sustained: best
        ? {
            offeredEditsPerSecond: best.offeredEditsPerSecond,
            deliveredEditsPerSecond: best.deliveredEditsPerSecond,
            latencyP50Ms: best.latencyMs.p50,
            latencyP99Ms: best.latencyMs.p99,
            editsPerServerCpuSecond: best.editsPerServerCpuSecond,
            editsPerServerAndPostgresCpuSecond: best.editsPerServerAndPostgresCpuSecond,
          }
        : null,
      stoppedBecause,
      /** Steps run again because other processes loaded the machine during them. */
      discardedSteps: discarded,
      steps,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await stopNodes(nodes);
  }
}

type StepResult = Awaited<ReturnType<typeof runStep>>;

async function runStep(nodes: ServerProcess[], workers: Worker[], db: PostgresCluster, offered: number, stepMs: number) {
  const ratePerPeer = offered / (ROOMS * PEERS_PER_ROOM);
  const nodePids = nodes.map((n) => n.child.pid!);
  const workerPids = workers.map((w) => w.child.pid!);
  // PostgreSQL counts as ours: "others" is the rest of the machine.
  const othersBefore = await waitForOthersQuiet([...nodePids, ...workerPids], db);
  const loadBefore = loads();
  const startAtEpochMs = Date.now() + 300;
  const reports = Promise.all(
    workers.map((worker) =>
      worker.request<StepReport>({
        type: 'step',
        ratePerPeer,
        startAtEpochMs,
        durationMs: stepMs,
        settleMs: SETTLE_MS,
        lostAfterMs: LOST_AFTER_MS,
      }),
    ),
  );
  await sleep(startAtEpochMs - Date.now());
  const logged0 = await Promise.all(nodes.map(loggedUpdates));
  const cpu0 = nodePids.map(processCpuSeconds);
  const pg0 = postgresCpuSeconds(db);
  const busy0 = machineBusySeconds();
  const own0 = ownCpuSeconds();
  const t0 = performance.now();
  await sleep(startAtEpochMs + stepMs - Date.now());
  const cpu1 = nodePids.map(processCpuSeconds);
  const pg1 = postgresCpuSeconds(db);
  const busy1 = machineBusySeconds();
  const own1 = ownCpuSeconds();
  const windowS = (performance.now() - t0) / 1000;
  const logged1 = await Promise.all(nodes.map(loggedUpdates));
  const done = await reports;
  const loadAfter = loads();

  // Each room's log against what its peers made (setup included), read through node 0.
  const http = new Semaphore(16);
  const allRooms = done.flatMap((r) => r.rooms);
  let notLogged = 0;
  await Promise.all(
    allRooms.map((room) =>
      http.run(async () => {
        const seq = await getLastSeq(nodes[0]!, room.name, testToken(room.name, 'viewer', 'bench'));
        notLogged += Math.max(0, room.localUpdates - seq);
      }),
    ),
  );
  const edits = done.reduce((s, r) => s + r.edits, 0);
  const unseen = done.reduce((s, r) => s + r.lost, 0);
  const diverged = allRooms.filter((r) => !r.docsEqual).length;
  const latency = distribution(concatSamples(done.map((r) => r.delivery)));
  const seconds = stepMs / 1000;
  const made = edits / seconds;
  const delivered = (edits - unseen) / seconds;
  const nodeCpuSeconds = nodePids.map((_, i) => round2(cpu1[i]! - cpu0[i]!));
  const serverCpu = nodeCpuSeconds.reduce((s, c) => s + c, 0);
  const pgCpu = pg1 - pg0;
  const lost = unseen + notLogged + diverged;
  const workersCpu = done.reduce((s, r) => s + r.cpuSeconds, 0);
  const others = Math.max(0, busy1 - busy0 - serverCpu - pgCpu - workersCpu - (own1 - own0)) / windowS;
  return {
    offeredEditsPerSecond: offered,
    perPeerEditsPerSecond: round2(ratePerPeer),
    madeEditsPerSecond: round2(made),
    deliveredEditsPerSecond: round2(delivered),
    /** (edit, receiver) pairs delivered per second: 3 per edit. */
    deliveriesPerSecond: round2(latency.count / seconds),
    loggedEditsPerSecond: round2((logged1.reduce((a, b) => a + b, 0) - logged0.reduce((a, b) => a + b, 0)) / windowS),
    edits,
    latencyMs: latency,
    lost,
    unseenByPeers: unseen,
    notLogged,
    roomsDiverged: diverged,
    settleMs: Math.max(...done.map((r) => r.settleMs)),
    clientDisconnects: sumCodes(done.map((r) => r.disconnects)),
    /** CPU seconds over the editing window (windowS long). */
    windowS: round2(windowS),
    cpuSeconds: {
      nodes: nodeCpuSeconds,
      postgres: round2(pgCpu),
      workers: done.map((r) => round2(r.cpuSeconds)),
      machine: round2(busy1 - busy0),
    },
    /** The same in cores (CPU seconds per second of the window). */
    cores: {
      nodes: nodeCpuSeconds.map((c) => round2(c / windowS)),
      postgres: round2(pgCpu / windowS),
      workers: done.map((r) => round2(r.cpuSeconds / r.seconds)),
      machine: round2((busy1 - busy0) / windowS),
      /** This process (the driver). */
      driver: round2((own1 - own0) / windowS),
      /** Everything on the machine but the nodes, the workers, this process and PostgreSQL. */
      others: round2(others),
    },
    editsPerServerCpuSecond: serverCpu > 0 ? Math.round((edits - unseen) / serverCpu) : null,
    editsPerServerAndPostgresCpuSecond: serverCpu + pgCpu > 0 ? Math.round((edits - unseen) / (serverCpu + pgCpu)) : null,
    workerRunqueueWait: done.map((r) => round2(r.runqueueWaitSeconds / r.seconds)),
    workerLoopDelayP99Ms: done.map((r) => round2(r.loopDelayP99Ms)),
    otherProcessesCoresBefore: othersBefore,
    loadavg: { before: loadBefore, after: loadAfter },
    passed: lost === 0 && latency.p99 !== null && latency.p99 < P99_LIMIT_MS && made >= ROOM_STEPS.minOfferedShare * offered,
  };
}

export async function benchClusterRooms() {
  const started = performance.now();
  const loadAtStart = loads();
  const db = await startPostgresCluster({ durable: true });
  try {
    const setups: Awaited<ReturnType<typeof runSetup>>[] = [];
    const wanted = (process.env.CLUSTER_ROOMS_SETUPS ?? 'pg-1,pg-3').split(',') as Setup[];
    for (const setup of wanted) setups.push(await runSetup(setup, db));
    const one = setups.find((s) => s.setup === 'pg-1');
    const three = setups.find((s) => s.setup === 'pg-3');
    return {
      setup: {
        rooms: ROOMS,
        peersPerRoom: PEERS_PER_ROOM,
        clients: `stock y-websocket WebsocketProvider, ${ROOMS * PEERS_PER_ROOM} in ${ROOM_STEPS.workers} worker processes holding whole rooms`,
        layout: {
          'pg-1': 'every peer on the one node',
          'pg-3':
            'room r: first peer on node r%3 (it opens the room: the owner), then peers on (r+1)%3, (r+2)%3, (r+1)%3, relayed to the owner (3 of 4 peers relayed)',
        },
        edits: 'moveNotes (+1 tick) and updateNotes (tick, velocity) alternately, each peer on its own note, on a steady timer',
        stepS: STEP_MS / 1000,
        warmup: `${WARMUP.offered}/s for ${WARMUP.ms / 1000} s after connecting, not kept`,
        stepping: `up the list; steps up to ${ALWAYS_UP_TO}/s run whatever happened before, later ones stop at the first failure`,
        lostAfterMs: LOST_AFTER_MS,
        postgres: 'throwaway cluster on this machine, fsync on (durable: true)',
        leaseMs: 'the default (LIMITS.store.leaseMs)',
        retryIf: `other processes used > ${ROOM_STEPS.maxOtherCores} cores during the step (at most ${ROOM_STEPS.maxRetries} retries; each step first waits up to 30 s for them to use < 0.15)`,
        passIf: `nothing lost (unseen by a peer within ${LOST_AFTER_MS / 1000} s, missing from the room's log, or a diverged room), delivery p99 < ${P99_LIMIT_MS} ms, made >= ${ROOM_STEPS.minOfferedShare * 100}% of offered`,
        editsPerServerCpuSecond:
          'delivered edits / CPU seconds of the node processes over the window (PostgreSQL added in editsPerServerAndPostgresCpuSecond)',
        machine: "every node, PostgreSQL and the client workers share this machine's cores: the three nodes add relaying work, not cores",
      },
      setups,
      sideBySide: STEPS.map((offered) => ({
        offeredEditsPerSecond: offered,
        ...Object.fromEntries(
          setups.map((s) => {
            const step = s.steps.find((x) => x.offeredEditsPerSecond === offered);
            return [
              s.setup,
              step
                ? {
                    delivered: step.deliveredEditsPerSecond,
                    p50: step.latencyMs.p50,
                    p99: step.latencyMs.p99,
                    lost: step.lost,
                    nodeCores: step.cores.nodes,
                    postgresCores: step.cores.postgres,
                    editsPerServerCpuSecond: step.editsPerServerCpuSecond,
                    editsPerServerAndPostgresCpuSecond: step.editsPerServerAndPostgresCpuSecond,
                    passed: step.passed,
                  }
                : null,
            ];
          }),
        ),
      })),
      sustained: { 'pg-1': one?.sustained ?? null, 'pg-3': three?.sustained ?? null },
      loadavg: { start: loadAtStart, end: loads() },
      durationS: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await db.stop();
  }
}
