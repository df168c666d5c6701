/**
 * npm run bench:hostile — the sync server under hostile peers (issue 13), written to
 * bench/results/hostile.json. Each part starts a fresh server process and 4 honest peers (stock
 * y-websocket providers and jam clients, in a child process, from 127.0.0.2) editing the attacked
 * room, then attacks it from this process (127.0.0.1):
 *   quiet            no attack: the honest peers' reference figures
 *   presence         4 MiB presence states at 10 msg/s, 50,000 client ids in one message, honest presence hijacked
 *   jam-connections  2,000 jam connections from one address, held and retried
 *   pending          updates whose dependencies never arrive, 20 msg/s
 *   downloads        4 parallel full-history downloads of a 160 MiB log, repeated
 * Per part: the server's RSS before/peak/after and CPU seconds, the honest peers' propagation
 * p50/p99 during the attack and their disconnects, what the attacker sent and how the server
 * answered (close codes, HTTP statuses), the log's integrity, and pass/fail against the targets
 * (RSS peak ≤ 2× before, honest p99 ≤ 50 ms, no honest disconnect; part.ts says exactly how each
 * is measured). `npm run bench:hostile -- presence pending` runs the named parts; results merge
 * into the file. `--seconds <n>` shortens every attack (a quick try), `--out <file>` writes elsewhere.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPart, SETUP, TARGETS, type PartResult } from './part.ts';
import type { Attack } from './attack.ts';
import { presenceAttack } from './attacks/presence.ts';
import { jamConnectionsAttack } from './attacks/jam-connections.ts';
import { pendingAttack } from './attacks/pending.ts';
import { downloadsAttack } from './attacks/downloads.ts';

const parts: Record<string, Attack | null> = {
  quiet: null,
  presence: presenceAttack,
  'jam-connections': jamConnectionsAttack,
  pending: pendingAttack,
  downloads: downloadsAttack,
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seconds: { type: 'string' }, out: { type: 'string' } } });
const wanted = positionals.length ? positionals : Object.keys(parts);
for (const name of wanted) if (!(name in parts)) throw new Error(`unknown part ${name}; parts: ${Object.keys(parts).join(', ')}`);
const seconds = values.seconds === undefined ? undefined : Number(values.seconds);

const out = values.out ?? fileURLToPath(new URL('../results/hostile.json', import.meta.url));
mkdirSync(dirname(out), { recursive: true });
const results: Record<string, unknown> = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
results.setup = {
  ...SETUP,
  honest:
    'each peer as a page: a stock y-websocket WebsocketProvider (disableBc) with a presence state, and a JamClient on the jam channel; note edits round-robin',
  note: "server, honest peers' process and attacker (this process) share the machine's cores: the attacker reads what it is sent without parsing it, and its CPU is reported per part",
};
results.targets = TARGETS;

for (const name of wanted) {
  console.error(`bench:hostile ${name} ...`);
  try {
    const result = await runPart(name, parts[name]!, seconds);
    results[name] = { ...result, measuredAt: new Date().toISOString() };
    console.error(`  ${line(name, result)}`);
  } catch (err) {
    // A part that could not be measured (e.g. the honest peers never got in) fails; the others still run.
    results[name] = { error: (err as Error).stack ?? String(err), pass: false, measuredAt: new Date().toISOString() };
    console.error(`  ${name}: could not be measured: ${(err as Error).message}`);
  }
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
}

console.log(table(results));
console.error(`bench:hostile: results in ${out}`);

function line(name: string, r: PartResult): string {
  return `${name}: RSS ${r.rss.beforeMb} → ${r.rss.peakMb} → ${r.rss.afterMb} MB, CPU ${r.cpuSeconds} s, honest p50 ${r.honest.p50Ms} / p99 ${r.honest.p99Ms} ms, ${r.honest.disconnects} disconnects, ${r.pass ? 'pass' : 'FAIL'}`;
}

function table(all: Record<string, unknown>): string {
  const header = ['part', 'RSS before', 'peak', 'after MB', 'peak/before', 'CPU s', 'honest p50', 'p99 ms', 'lost', 'disconn.', 'pass'];
  const rows = Object.keys(parts)
    .filter((name) => all[name])
    .map((name) => {
      const r = all[name] as PartResult | { error: string };
      if ('error' in r) return [name, ...header.slice(1, -1).map(() => '-'), 'FAIL'];
      const show = (x: number | null) => (x === null ? '∞' : String(x));
      return [
        name,
        r.rss.beforeMb,
        r.rss.peakMb,
        r.rss.afterMb,
        show(r.targets.rssPeakRatio.value),
        r.cpuSeconds,
        show(r.honest.p50Ms),
        show(r.honest.p99Ms),
        r.honest.lost,
        r.honest.disconnects,
        r.pass ? 'pass' : 'FAIL',
      ].map(String);
    });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
