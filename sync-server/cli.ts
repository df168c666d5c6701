/**
 * riffroom-server: run the sync server, or print a signed room token.
 *
 *   riffroom-server --port <p> --data <dir> [--host <addr>] [--allowed-host <name>]... [--web <dir>|none] [--model <dir>]
 *       [--tls-cert <pem> --tls-key <pem>] [--refuse-query-token] [connection caps]
 *   riffroom-server token --data <dir> --room <r> --role owner|editor|viewer [--ttl <dur>] [--name <who>] [--id <id>] [--invite]
 *   riffroom-server init --data <dir> --public-url <url>   (commands/init.ts)
 *   riffroom-server token --data <dir> --server-role admin|creator --name <who>   (commands/server-token.ts)
 *   riffroom-server export|import ...   a room's history to or from a project file (commands/transfer.ts)
 *   riffroom-server verify <file>... [--json]   the provenance a MIDI, WAV, Opus or MusicXML export carries (commands/verify.ts)
 *
 * The signing secret comes from RIFFROOM_SECRET, or is generated once and kept in <dir>/secret.
 * --allowed-host: a name the server answers to besides IP literals and localhost (its public name
 * behind a proxy); other Host headers get 421. --trusted-proxy <ip>: a reverse proxy whose
 * X-Forwarded-For names the client for the per-address limits (http/client-address.ts). RIFFROOM_METRICS_TOKEN: /metrics then needs
 * `Authorization: Bearer <it>` (without it, only this machine may read them).
 * token: every token gets a fresh identity id unless --id gives one; --invite makes an invite
 * (good only for POST /api/rooms/<room>/join, which gives each person who joins their own token).
 * --web serves a built web client at / (default: renderer/dist when it has been built: `npm run
 * build:renderer`); --model serves a model folder at /models/<its folder name>/ (default: the
 * newest folder under models/, the shipped model, which the web client's inference worker loads).
 * --tls-cert/--tls-key: serve https and wss with this certificate chain and key (tls.ts checks
 * them before listening; SIGHUP reloads them). --refuse-query-token: a websocket with ?token= in
 * its URL is refused (the token goes in the subprotocols; see http/upgrade-token.ts). SIGTERM
 * drains: peers are told the server is restarting (1012) and reconnect by themselves; the logs
 * are closed; exit 0.
 * --store postgres://user[:password]@host:port/db (or RIFFROOM_STORE): keep every room in that
 * shared PostgreSQL database instead of SQLite files under <data>/rooms/ (store/cluster-store.ts);
 * this node serves a room while it holds the room's lease. --node-id <id> (RIFFROOM_NODE_ID) names
 * this node there; by default a stable random id kept in <data>/node-id (cluster/node-id.ts).
 * --lease-ms <n> (RIFFROOM_LEASE_MS): how long a lease lasts unrenewed (default LIMITS.store.leaseMs).
 * --node-url <url> (RIFFROOM_NODE_URL), with --store: where the other nodes reach this one
 * (http://10.0.0.5:4455); the node announces it in the database (cluster/node-directory.ts) and
 * relays a room another node owns to that node (cluster/cluster-placer.ts). Without it a room
 * owned elsewhere is refused with 503 naming its node.
 * The store's password is never printed.
 * The connection caps (connection-caps.ts; defaults in limits.ts) can be changed for a server
 * that many honest connections reach from one address (a load benchmark, a proxy in front):
 * --max-connections-per-address, --max-connections-per-identity, --max-jam-members,
 * --upgrades-per-second, --upgrade-burst, each a positive whole number.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import process from 'node:process';
import { ROOM_NAME } from './contract.ts';
import { isRole, loadSecret, parseDuration, signToken, TokenError } from './auth/tokens.ts';
import { allowedHostSet } from './http/host-check.ts';
import { clientAddressResolver } from './http/client-address.ts';
import { startServer, type HttpLimits } from './server.ts';
import { ClusterStore, redactStoreUrl } from './store/cluster-store.ts';
import { checkNodeId, stableNodeId } from './cluster/node-id.ts';
import type { ConnectionCapsOptions } from './connection-caps.ts';
import { DEFAULT_WEB_DIR, hasIndex } from './static.ts';
import { certificateWarnings, reloadTlsOnHangup, TlsConfigError, tlsFromFlags, type TlsCredentials } from './tls.ts';
import { farewellFor } from './shutdown.ts';
import { runInit } from './commands/init.ts';
import { asksForServerToken, runServerToken } from './commands/server-token.ts';
import { configuredPublicUrl } from './server-config.ts';
import { runTransferCommand, TRANSFER_USAGE } from './commands/transfer.ts';
import { runVerify, VERIFY_USAGE } from './commands/verify.ts';
import { parseRoute, staticPlacer, type RoomPlacer } from './cluster/room-router.ts';
import { startClusterPlacer, type ClusterPlacer } from './cluster/cluster-placer.ts';
import type pg from 'pg';

/**
 * The model folder served when --model is not given: the newest one under the project's models/
 * (a folder holding a model.json). Found by looking, so the sync server imports nothing from
 * inference/ (it may import core/ only).
 */
function defaultModelDir(): string | null {
  const root = fileURLToPath(new URL('../models/', import.meta.url));
  if (!existsSync(root)) return null;
  const folders = readdirSync(root).filter((name) => existsSync(join(root, name, 'model.json')));
  folders.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return folders.length ? join(root, folders.at(-1)!) : null;
}

/** The limits the command line changes (defaults: sync-server/limits.ts): flag → option. */
const CAP_FLAGS: Record<string, keyof ConnectionCapsOptions> = {
  'max-connections-per-address': 'maxConnectionsPerAddress',
  'max-connections-per-identity': 'maxConnectionsPerIdentity',
  'max-jam-members': 'maxJamMembersPerRoom',
  'upgrades-per-second': 'upgradesPerSecond',
  'upgrade-burst': 'upgradeBurst',
};
const HTTP_FLAGS: Record<string, keyof HttpLimits> = {
  'replay-bytes-per-second': 'replayBytesPerSecondPerAddress',
  'replay-bytes-per-second-total': 'replayBytesPerSecondTotal',
  'max-import-bytes': 'maxImportBytes',
};

const USAGE = `usage:
  riffroom-server --port <p> --data <dir> [--host <addr>] [--allowed-host <name>]... [--trusted-proxy <ip>]... [--web <dir>|none] [--model <dir>]
      [--tls-cert <pem> --tls-key <pem>] [--refuse-query-token] [--route <room>=<node URL>]...
      [--store postgres://user@host:port/db] [--node-id <id>] [--lease-ms <n>] [--node-url <url>]
      [--max-connections-per-address <n>] [--max-connections-per-identity <n>] [--max-jam-members <n>]
      [--upgrades-per-second <n>] [--upgrade-burst <n>] [--replay-bytes-per-second <n>] [--replay-bytes-per-second-total <n>] [--max-import-bytes <n>]
  riffroom-server token --data <dir> --room <room> --role owner|editor|viewer [--ttl 12h] [--name <who>] [--id <id>] [--invite]
  riffroom-server init --data <dir> --public-url https://jam.example.org [--ttl 365d] [--name <who>]
  riffroom-server token --data <dir> --server-role admin|creator --name <who> [--ttl 90d]
${TRANSFER_USAGE}
${VERIFY_USAGE}`;

/** The PostgreSQL store when one is asked for (null: SQLite files); exits with the reason when it cannot be used. */
async function connectStore(
  dataDir: string,
  url: string | undefined,
  nodeId: string | undefined,
  leaseMs: string | undefined,
): Promise<ClusterStore | null> {
  if (!url || url === 'sqlite') return null;
  if (!/^postgres(ql)?:\/\//.test(url))
    fail(`--store must be postgres://user@host:port/db (or sqlite, the default), not ${redactStoreUrl(url)}`);
  let node: string;
  try {
    node = nodeId ? checkNodeId(nodeId) : stableNodeId(dataDir);
  } catch (err) {
    fail(`--node-id: ${(err as Error).message}`);
  }
  const lease = leaseMs === undefined ? undefined : Number(leaseMs);
  if (lease !== undefined && (!Number.isSafeInteger(lease) || lease < 100))
    fail(`--lease-ms must be a whole number of at least 100, not ${leaseMs}`);
  try {
    return await ClusterStore.connect({ url, node, leaseMs: lease });
  } catch (err) {
    // pg's messages name the host and user, never the password; the URL is shown redacted.
    console.error(`riffroom-server: cannot use the store ${redactStoreUrl(url)}: ${(err as Error).message}`);
    process.exit(1);
  }
}

function fail(message: string): never {
  console.error(`riffroom-server: ${message}\n${USAGE}`);
  process.exit(2);
}

function readServeFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean' },
      web: { type: 'string' },
      model: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      'trusted-proxy': { type: 'string', multiple: true },
      route: { type: 'string', multiple: true },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'refuse-query-token': { type: 'boolean' },
      store: { type: 'string' },
      'node-id': { type: 'string' },
      'lease-ms': { type: 'string' },
      'node-url': { type: 'string' },
      ...Object.fromEntries([...Object.keys(CAP_FLAGS), ...Object.keys(HTTP_FLAGS)].map((flag) => [flag, { type: 'string' as const }])),
    },
  }).values;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'init') return void (process.exitCode = runInit(argv.slice(1)));
  if (argv[0] === 'token' && asksForServerToken(argv)) return void (process.exitCode = runServerToken(argv.slice(1)));
  if (argv[0] === 'token') return printToken(argv.slice(1));
  if (argv[0] === 'export' || argv[0] === 'import') return void (process.exitCode = await runTransferCommand(argv[0], argv.slice(1)));
  if (argv[0] === 'verify') return void (process.exitCode = runVerify(argv.slice(1)));
  if (argv[0] === 'serve') argv = argv.slice(1);
  let values: ReturnType<typeof readServeFlags>;
  try {
    values = readServeFlags(argv);
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) return void console.log(USAGE);
  if (!values.data) fail('--data <dir> is required');
  const port = Number(values.port ?? 4455);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`not a port: ${values.port}`);
  const webDir = values.web === 'none' ? null : (values.web ?? (hasIndex(DEFAULT_WEB_DIR) ? DEFAULT_WEB_DIR : null));
  if (webDir && !hasIndex(webDir)) fail(`--web ${webDir}: no index.html there (build it with: npm run build:renderer)`);
  const modelDir = (values.model ?? defaultModelDir())?.replace(/\/+$/, '');
  const models = modelDir && existsSync(modelDir) ? [{ id: basename(modelDir), dir: modelDir }] : [];
  const wholeNumber = (flag: string): number | undefined => {
    const text = (values as Record<string, string | boolean | string[] | undefined>)[flag];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (typeof text !== 'string' || !Number.isInteger(n) || n < 1) fail(`--${flag} must be a positive whole number, not ${text}`);
    return n;
  };
  const connectionCaps: Partial<ConnectionCapsOptions> = {};
  for (const [flag, cap] of Object.entries(CAP_FLAGS)) {
    const n = wholeNumber(flag);
    if (n !== undefined) connectionCaps[cap] = n;
  }
  const httpLimits: Partial<HttpLimits> = {};
  for (const [flag, limit] of Object.entries(HTTP_FLAGS)) {
    const n = wholeNumber(flag);
    if (n !== undefined) httpLimits[limit] = n;
  }
  // init's public URL (<data>/config.json): the links POST /api/rooms hands out, and a name to answer to.
  const publicUrl = configuredPublicUrl(values.data);
  const allowedHosts = [...(values['allowed-host'] ?? []), ...(publicUrl?.allowedHost ? [publicUrl.allowedHost] : [])];
  try {
    allowedHostSet(allowedHosts);
  } catch (err) {
    fail(`--allowed-host: ${(err as Error).message}`);
  }
  const trustedProxies = values['trusted-proxy'] ?? [];
  try {
    clientAddressResolver(trustedProxies);
  } catch (err) {
    fail(`--trusted-proxy: ${(err as Error).message}`);
  }
  // --route <room>=<node URL>: that room is relayed to that node (cluster/room-router.ts staticPlacer).
  let roomPlacer: RoomPlacer | undefined;
  try {
    if (values.route?.length) roomPlacer = staticPlacer(new Map(values.route.map(parseRoute)));
  } catch (err) {
    fail(`--route: ${(err as Error).message}`);
  }
  let tls: TlsCredentials | null;
  try {
    tls = tlsFromFlags(values['tls-cert'], values['tls-key']);
  } catch (err) {
    if (!(err instanceof TlsConfigError)) throw err;
    console.error(`riffroom-server: ${err.message}`);
    process.exit(1);
  }
  for (const warning of tls ? certificateWarnings(tls.leaf) : []) console.error(`riffroom-server: warning: ${warning}`);
  const cluster = await connectStore(
    values.data,
    values.store ?? process.env.RIFFROOM_STORE,
    values['node-id'] ?? process.env.RIFFROOM_NODE_ID,
    values['lease-ms'] ?? process.env.RIFFROOM_LEASE_MS,
  );
  const nodeUrl = values['node-url'] ?? process.env.RIFFROOM_NODE_URL;
  let placement: ClusterPlacer | null = null;
  if (nodeUrl) {
    if (!cluster) fail('--node-url needs --store postgres://… (the nodes find each other in the database)');
    if (roomPlacer) fail('--node-url and --route cannot be used together');
    let origin: string;
    try {
      origin = parseRoute(`x=${nodeUrl}`)[1];
    } catch {
      fail(`--node-url must look like http://10.0.0.5:4455, not "${nodeUrl}"`);
    }
    placement = await startClusterPlacer(cluster.logs.pool as pg.Pool, {
      node: cluster.node,
      url: origin,
      leaseMs: cluster.leases.leaseMs,
    });
    roomPlacer = placement.placer;
  }
  const server = await startServer({
    ...(cluster ? { cluster } : {}),
    dataDir: values.data,
    secret: loadSecret(values.data),
    port,
    host: values.host ?? '127.0.0.1',
    web: { webDir, models },
    allowedHosts,
    trustedProxies,
    metricsToken: process.env.RIFFROOM_METRICS_TOKEN || null,
    connectionCaps,
    httpLimits,
    publicUrl: publicUrl?.url ?? null,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    queryTokens: !values['refuse-query-token'],
    roomPlacer,
  });
  console.log(`riffroom-server listening on ${server.url} (data in ${values.data})`);
  if (cluster)
    console.log(`riffroom-server: rooms in ${redactStoreUrl(values.store ?? process.env.RIFFROOM_STORE!)} as node ${cluster.node}`);
  console.log(
    webDir ? `riffroom-server: web client from ${webDir}` : 'riffroom-server: no web client (npm run build:renderer, or --web <dir>)',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`riffroom-server: ${signal}, closing rooms`);
    // Leave the node directory first: other nodes stop relaying here at once.
    const left = placement
      ? placement.stop().catch((err) => console.error('riffroom-server: leaving the node directory:', (err as Error).message))
      : Promise.resolve();
    left
      .then(() => server.close(farewellFor(signal)))
      .then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  reloadTlsOnHangup(tls ? { cert: values['tls-cert']!, key: values['tls-key']! } : null, (renewed) => server.replaceTls(renewed));
}

function readTokenFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      room: { type: 'string' },
      role: { type: 'string' },
      ttl: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      invite: { type: 'boolean' },
    },
  }).values;
}

function printToken(argv: string[]): void {
  let values: ReturnType<typeof readTokenFlags>;
  try {
    values = readTokenFlags(argv);
  } catch (err) {
    fail((err as Error).message);
  }
  if (!values.data) fail('--data <dir> is required');
  if (!values.room || !ROOM_NAME.test(values.room)) fail('--room must be 1-64 letters, digits, - or _');
  if (!values.role || !isRole(values.role)) fail('--role must be owner, editor or viewer');
  let ttl: number;
  try {
    ttl = parseDuration(values.ttl ?? '12h');
  } catch (err) {
    fail((err as Error).message);
  }
  const claims = {
    room: values.room,
    role: values.role,
    // An invite's name is a placeholder: whoever joins with it gives their own.
    name: values.name ?? values.role,
    exp: Math.floor(Date.now() / 1000) + ttl,
    ...(values.id === undefined ? {} : { id: values.id }),
    ...(values.invite ? { invite: true as const } : {}),
  };
  let token: string;
  try {
    token = signToken(loadSecret(values.data), claims);
  } catch (err) {
    if (err instanceof TokenError) fail(err.message);
    throw err;
  }
  console.log(token);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`riffroom-server: ${(err as Error).message}`);
  process.exit(1);
});
