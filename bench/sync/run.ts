/**
 * npm run bench:sync — the sync server's figures, written to bench/results/sync.json:
 *   latency  propagation p50/p99 with 16 peers at 20 edits/s each, ours vs stock @y/websocket-server
 *   log      bytes on disk and append time per edit
 *   rebuild  time to rebuild the state at any point of a 100,000-edit log
 *   open     what checking a 100,000-edit log costs when its room loads (with and without the hash chain)
 *   transfer exporting / importing a 100,000-edit room: SQLite file to file, and into / out of PostgreSQL
 *   load     200 rooms x 4 peers: edits/s sustained with nothing lost
 *   cluster  one node vs three on PostgreSQL: propagation, and failover over 10 owner kills (cluster.ts)
 *   cluster-rooms  200 rooms x 4 peers, one node vs three on PostgreSQL: edits/s, per CPU-second (cluster-rooms.ts)
 *   jam-failover   the jam transport across owner kills: downbeat error after failover (jam-failover.ts)
 * `npm run bench:sync -- latency log` runs only the named parts (results merge into the file; a part
 * that measured only some of its sections, e.g. CLUSTER_PARTS=failover, keeps the others' last figures).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const parts: Record<string, () => Promise<unknown>> = {
  latency: async () => (await import('./latency.ts')).benchLatency(),
  log: async () => (await import('./log.ts')).benchLog(),
  open: async () => (await import('./log-open.ts')).benchLogOpen(),
  transfer: async () => (await import('./log-transfer.ts')).benchLogTransfer(),
  load: async () => (await import('./load.ts')).benchLoad(),
  cluster: async () => (await import('./cluster.ts')).benchCluster(),
  'cluster-rooms': async () => (await import('./cluster-rooms.ts')).benchClusterRooms(),
  'jam-failover': async () => (await import('./jam-failover.ts')).benchJamFailover(),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(parts);
const out = fileURLToPath(new URL('../results/sync.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
const results: Record<string, unknown> = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
for (const name of wanted) {
  const run = parts[name];
  if (!run) throw new Error(`unknown part ${name}; parts: ${Object.keys(parts).join(', ')}`);
  console.error(`bench:sync ${name} ...`);
  const previous = typeof results[name] === 'object' && results[name] ? (results[name] as object) : {};
  results[name] = { ...previous, ...((await run()) as object), measuredAt: new Date().toISOString() };
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify({ [name]: results[name] }, null, 2));
}
console.error(`bench:sync: results in ${out}`);
