/**
 * One part of bench:hostile: a fresh server process (the CLI, its own data dir) under one attack
 * (or none: 'quiet'), with the honest peers editing in the attacked room throughout.
 *
 *   peers join ─ warm-up 3 s ─ baseline 5 s ─ attack (30 s, or until the memory guard) ─ after 5 s
 *
 * RSS: before = the median over the baseline (honest peers connected and editing); peak = the
 * highest from the attack's start to the end of the after window (sampled every 20 ms, and the
 * kernel's high-water mark reset at the attack's start); after = the median over the last second
 * of the after window, i.e. 4-5 s after the attack stopped. CPU: the server's user + system
 * seconds during the attack. Honest: propagation of the edits made during the attack, each
 * (edit, receiver) a sample, deliveries still missing 15 s after the attack counted as infinitely
 * late; disconnects = document and jam connections the server closed under the honest peers.
 * Then the server is stopped and its log checked (hash chain, and every honest edit in it).
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess, tempDataDir, type ServerProcess } from '../../tests/support/server-process.ts';
import { ROOM_FILE_EXTENSION } from '../../sync-server/room/registry.ts';
import { markCpu, othersCores, ownCpuSeconds, processCpuSeconds, round2, sleep, waitForQuiet } from '../sync/support.ts';
import { HonestPeers, type HonestReport } from './honest-process.ts';
import { checkLog, type LogCheck } from './log-check.ts';
import { median, ServerSampler, wallNow, within } from './server-sampler.ts';
import type { Attack } from './attack.ts';

export const SETUP = {
  honestPeers: 4,
  honestEditsPerSecond: 20,
  honestAddress: '127.0.0.2',
  attackerAddress: '127.0.0.1',
  warmupS: 3,
  baselineS: 5,
  afterS: 5,
  settleS: 15,
  quietS: 20,
  sampleEveryMs: 20,
  /** Over this RSS the attack is stopped early; over the hard limit the server is killed (the machine is shared). */
  guardSoftMb: 3072,
  guardHardMb: 6144,
};

export const TARGETS = { rssPeakRatio: 2, honestP99Ms: 50, honestDisconnects: 0 };

export interface PartResult {
  summary: string;
  attackSeconds: number;
  rss: { beforeMb: number; peakMb: number; afterMb: number; sampledPeakMb: number; kernelPeakMb: number | null };
  cpuSeconds: number;
  cpuSecondsAfter: number;
  honest: {
    p50Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
    samples: number;
    lost: number;
    edits: number;
    disconnects: number;
  } & Omit<HonestReport, 'p50Ms' | 'p99Ms' | 'maxMs' | 'deliveries' | 'lost' | 'edits' | 'disconnects' | 'stateVector'> & {
      cpuSeconds: number;
    };
  attack: Record<string, unknown> | null;
  log: Omit<LogCheck, 'missing'> & { missing: LogCheck['missing'] };
  server: { stoppedEarly: string | null; killedByGuard: boolean; stoppedWith: string; roomFileMiB: number };
  /** Cores other processes on this shared machine used before and during the attack. */
  otherProcessesCores: { before: number; during: number };
  targets: Record<keyof typeof TARGETS, { value: number | null; limit: number; met: boolean }>;
  /** Targets met, nothing lost, documents equal, log intact and complete, server not killed. */
  pass: boolean;
}

/** `seconds`: how long the attack (or the quiet window) lasts, when not the attack's own. */
export async function runPart(name: string, attack: Attack | null, seconds?: number): Promise<PartResult> {
  const dataDir = tempDataDir('riffroom-bench-hostile-');
  const room = `hostile-${name}`;
  const roomFile = join(dataDir, 'rooms', room + ROOM_FILE_EXTENSION);
  try {
    const attackSeconds = seconds ?? attack?.seconds ?? SETUP.quietS;
    const prepared = attack?.prepare ? await attack.prepare(dataDir, room, attackSeconds) : null;
    const server = await startServerProcess({ dataDir });
    const pid = server.child.pid!;
    const sampler = new ServerSampler(pid, {
      intervalMs: SETUP.sampleEveryMs,
      softLimitMb: SETUP.guardSoftMb,
      hardLimitMb: SETUP.guardHardMb,
    });
    let honest: HonestPeers | null = null;
    let measured!: Awaited<ReturnType<typeof measure>>;
    let stoppedWith = '';
    try {
      const beforePeers = attack?.beforePeers ? await attack.beforePeers({ server, room }) : {};
      const started = await HonestPeers.start({
        wsUrl: server.wsUrl,
        room,
        peers: SETUP.honestPeers,
        editsPerSecond: SETUP.honestEditsPerSecond,
      });
      honest = started.peers;
      measured = await measure(server, sampler, honest, room, attack, attackSeconds);
      measured.attackRecord = attack
        ? { ...(prepared?.record ?? {}), ...beforePeers, honestSetupMs: started.setupMs, ...measured.attackRecord }
        : null;
    } finally {
      await honest?.stop();
      stoppedWith = await stopServer(server);
      await sampler.stop();
    }
    const log = checkLog(roomFile, measured.report.stateVector, prepared?.logBase);
    return assemble(attack, measured, log, sampler, stoppedWith, statSync(roomFile).size);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(
  server: ServerProcess,
  sampler: ServerSampler,
  honest: HonestPeers,
  room: string,
  attack: Attack | null,
  seconds: number,
) {
  const pid = server.child.pid!;
  await sleep(SETUP.warmupS * 1000);
  // Others share this machine: wait (30 s at most) for them to go quiet, and record their load.
  const othersBefore = await waitForQuiet([pid, honest.pid], 0.25, 30_000);
  const baselineFrom = wallNow();
  await sleep(SETUP.baselineS * 1000);

  const attackStart = wallNow();
  honest.mark('window-start');
  const peakReset = sampler.resetPeak();
  const cpu0 = { server: processCpuSeconds(pid), honest: processCpuSeconds(honest.pid), bench: ownCpuSeconds() };
  const machine0 = markCpu([pid, honest.pid]);
  const running = attack ? await attack.start({ server, room }) : null;
  let stoppedEarly: string | null = null;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    sampler.onOverLimit((rssMb) => {
      stoppedEarly = `server RSS reached ${Math.round(rssMb)} MB (guard: stop the attack at ${SETUP.guardSoftMb} MB, kill the server at ${SETUP.guardHardMb} MB)`;
      clearTimeout(timer);
      resolve();
    });
  });
  const attackRecord: Record<string, unknown> | null = running ? await running.stop() : null;
  const attackStop = wallNow();
  honest.mark('window-end');
  const cpu1 = { server: processCpuSeconds(pid), honest: processCpuSeconds(honest.pid), bench: ownCpuSeconds() };
  const othersDuring = othersCores(machine0, [pid, honest.pid]);

  await sleep(SETUP.afterS * 1000);
  const afterAt = wallNow();
  const samples = await sampler.all();
  const kernelPeakMb = peakReset ? sampler.kernelPeakMb() : null;
  const report = await honest.report(attackStart, attackStop, SETUP.settleS * 1000);
  if (attackRecord) attackRecord.attackerCpuSeconds = round2(cpu1.bench - cpu0.bench);

  const baseline = within(samples, baselineFrom, attackStart);
  const during = within(samples, attackStart, afterAt + 1);
  const after = within(samples, afterAt - 1000, afterAt + 1);
  const lastCpu = samples.at(-1)?.cpuSeconds ?? cpu1.server;
  return {
    attackSeconds: round2((attackStop - attackStart) / 1000),
    stoppedEarly: stoppedEarly as string | null,
    rss: {
      beforeMb: median(baseline.map((s) => s.rssMb)),
      sampledPeakMb: Math.max(...during.map((s) => s.rssMb)),
      kernelPeakMb,
      afterMb: median(after.map((s) => s.rssMb)),
    },
    cpuSeconds: cpu1.server - cpu0.server,
    cpuSecondsAfter: Math.max(0, lastCpu - cpu1.server),
    honestCpuSeconds: cpu1.honest - cpu0.honest,
    report,
    attackRecord,
    others: { before: othersBefore, during: round2(othersDuring) },
  };
}

/** SIGTERM, and SIGKILL when the server has not exited 10 s later (a server still busy with the attack). */
async function stopServer(server: ServerProcess): Promise<string> {
  if (server.child.exitCode !== null || server.child.signalCode !== null)
    return `had exited (${server.child.exitCode ?? server.child.signalCode})`;
  let how = 'SIGTERM';
  const timer = setTimeout(() => {
    how = 'SIGKILL (no exit 10 s after SIGTERM)';
    server.child.kill('SIGKILL');
  }, 10_000);
  await server.kill('SIGTERM');
  clearTimeout(timer);
  return how;
}

function assemble(
  attack: Attack | null,
  m: Awaited<ReturnType<typeof measure>>,
  log: LogCheck,
  sampler: ServerSampler,
  stoppedWith: string,
  roomFileBytes: number,
): PartResult {
  const mb = (x: number) => Math.round(x * 10) / 10;
  const peakMb = Math.max(m.rss.sampledPeakMb, m.rss.kernelPeakMb ?? 0);
  const { p50Ms, p99Ms, maxMs, deliveries, lost, edits, disconnects, stateVector: _vector, ...rest } = m.report;
  const ratio = m.rss.beforeMb > 0 ? round2(peakMb / m.rss.beforeMb) : null;
  const targets = {
    rssPeakRatio: { value: ratio, limit: TARGETS.rssPeakRatio, met: ratio !== null && ratio <= TARGETS.rssPeakRatio },
    honestP99Ms: { value: p99Ms, limit: TARGETS.honestP99Ms, met: p99Ms !== null && p99Ms <= TARGETS.honestP99Ms },
    honestDisconnects: { value: disconnects, limit: TARGETS.honestDisconnects, met: disconnects <= TARGETS.honestDisconnects },
  };
  const killed = sampler.killedAtMb !== null;
  return {
    summary: attack?.summary ?? 'no attack: the honest peers alone (the reference figures)',
    attackSeconds: m.attackSeconds,
    rss: {
      beforeMb: mb(m.rss.beforeMb),
      peakMb: mb(peakMb),
      afterMb: mb(m.rss.afterMb),
      sampledPeakMb: mb(m.rss.sampledPeakMb),
      kernelPeakMb: m.rss.kernelPeakMb === null ? null : mb(m.rss.kernelPeakMb),
    },
    cpuSeconds: round2(m.cpuSeconds),
    cpuSecondsAfter: round2(m.cpuSecondsAfter),
    honest: { p50Ms, p99Ms, maxMs, samples: deliveries, lost, edits, disconnects, ...rest, cpuSeconds: round2(m.honestCpuSeconds) },
    attack: m.attackRecord,
    log,
    server: { stoppedEarly: m.stoppedEarly, killedByGuard: killed, stoppedWith, roomFileMiB: mb(roomFileBytes / 2 ** 20) },
    otherProcessesCores: m.others,
    targets,
    pass: Object.values(targets).every((t) => t.met) && lost === 0 && rest.docsEqual && log.intact && log.honestComplete && !killed,
  };
}
