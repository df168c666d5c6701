/**
 * The Riffroom sync server: y-websocket protocol on ws://host:port/<room>, the room's jam
 * channel (core/jam/contract.ts) on ws://host:port/<room>/jam (the token in the subprotocols or
 * ?token=, see contract.ts), the room HTTP API (http-api.ts), /healthz and /metrics, and (when
 * given) the web client at / and model folders at /models/<id>/ (static.ts). Every accepted
 * update is in the room's log before anyone else receives it.
 *
 * In front of everything: the Host check (http/host-check.ts, 421), per-address rate limits on
 * the API (http/rate-limits.ts, 429), and `Referrer-Policy: no-referrer` on every response.
 * With `tls` (tls.ts) the same is served over https and wss.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ROOM_NAME, type TokenClaims } from './contract.ts';
import { assertSecret, TokenError, verifyToken } from './auth/tokens.ts';
import { LIMITS } from './limits.ts';
import { Connection, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection.ts';
import { handleApi } from './http-api.ts';
import { createTransferRoutes } from './http/transfer-routes.ts';
import { ConnectionLifetime } from './auth/connection-lifetime.ts';
import { allowedHostSet, hostProblem } from './http/host-check.ts';
import { metricsAccess } from './http/metrics-access.ts';
import { AddressRateLimiter, BytePacer, HeavyRequestGate } from './http/rate-limits.ts';
import { COMMON_HEADERS, sendJson, statusText } from './http/responses.ts';
import { selectProtocol, upgradeToken } from './http/upgrade-token.ts';
import { ServerMetrics } from './metrics.ts';
import { Readiness, roomsFolderCheck } from './http/readiness.ts';
import { RoomLimitError, RoomRegistry } from './room/registry.ts';
import { RoomLogError } from './store/room-log.ts';
import type { Room, SnapshotPolicy } from './room/room.ts';
import { RoomOwnedElsewhereError } from './cluster/owned-elsewhere.ts';
import type { ClusterStore } from './store/cluster-store.ts';
import { createStaticHandler, type StaticOptions } from './static.ts';
import { JamConnection } from './jam/jam-connection.ts';
import { ConnectionCaps, type ConnectionCapsOptions } from './connection-caps.ts';
import { clientAddressResolver } from './http/client-address.ts';
import { roomRouting, type RoomPlacer } from './cluster/room-router.ts';
import { createWebsocketRelay } from './cluster/relay.ts';

export interface ServerOptions {
  dataDir: string;
  secret: string;
  port?: number;
  host?: string;
  /** Largest websocket message accepted (bytes); bigger ones close the connection with 1009. */
  maxMessageBytes?: number;
  maxRooms?: number;
  idleUnloadMs?: number;
  connectionLimits?: Partial<ConnectionLimits>;
  /**
   * Caps checked at the upgrade (connection-caps.ts): connections per address and per identity,
   * jam members per room, upgrades per second per address. Defaults: LIMITS.
   */
  connectionCaps?: Partial<ConnectionCapsOptions>;
  snapshotPolicy?: Partial<SnapshotPolicy>;
  heartbeatMs?: number;
  /** The web client and model folders to serve; none by default. */
  web?: StaticOptions;
  /** Rooms whose log lives in a given file (a desktop project) rather than under dataDir/rooms/. */
  roomFiles?: ReadonlyMap<string, string>;
  /**
   * Host names this server answers to besides IP literals and localhost (its public name behind
   * a reverse proxy); any other Host header is refused with 421 (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /** /metrics then needs `Authorization: Bearer <it>`; without one only loopback, unproxied, may read them. */
  metricsToken?: string | null;
  /**
   * Reverse proxies (IP addresses) whose X-Forwarded-For is believed for the per-address limits
   * (http/client-address.ts); none by default: every limit counts the TCP peer.
   */
  trustedProxies?: readonly string[];
  /** API rate limits per address (tests tighten them); LIMITS.http by default. */
  httpLimits?: Partial<HttpLimits>;
  /** false: a websocket upgrade with ?token= is refused (http/upgrade-token.ts); accepted by default. */
  queryTokens?: boolean;
  /** Serve https and wss with this certificate chain and key (PEM; tls.ts loadTlsCredentials checks them). */
  tls?: { cert: string; key: string };
  /** Where people reach this server (https://jam.example.org): the start of the links POST /api/rooms hands out. */
  publicUrl?: string | null;
  /**
   * Which node serves each room (cluster/room-router.ts): a room served by another node is relayed
   * there (cluster/relay.ts) before anything here opens it. None: every room is served here.
   */
  roomPlacer?: RoomPlacer;
  /**
   * Keep every room in this shared PostgreSQL store (store/cluster-store.ts) instead of SQLite files
   * under dataDir/rooms/. The server closes it when it closes.
   */
  cluster?: ClusterStore;
}

export interface HttpLimits {
  requestsPerSecond: number;
  requestBurst: number;
  maxHeavyPerAddress: number;
  maxHeavyTotal: number;
  replayBytesPerSecondPerAddress: number;
  replayBytesPerSecondTotal: number;
  /** Largest project POST /import takes (bytes). */
  maxImportBytes: number;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  readonly url: string;
  readonly metrics: ServerMetrics;
  readonly rooms: RoomRegistry;
  /** What /readyz runs: a store adds its own checks here. */
  readonly readiness: Readiness;
  /**
   * Stops accepting, disconnects peers (1001 'server shutting down' unless told otherwise: a
   * restart says CLOSE.serviceRestart, so clients come back), and closes every room's log.
   */
  close(farewell?: { code: number; reason: string }): Promise<void>;
  /** A TLS server takes a renewed certificate and key for new connections (open ones keep theirs); throws on a plain one. */
  replaceTls(tls: { cert: string; key: string }): void;
}

/** Starts the server; throws SecretError (auth/tokens.ts) when the signing secret is empty or short. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  assertSecret(options.secret, "the server's signing secret");
  const metrics = new ServerMetrics();
  const rooms = new RoomRegistry({
    dataDir: options.dataDir,
    maxRooms: options.maxRooms ?? 1000,
    idleUnloadMs: options.idleUnloadMs ?? 60_000,
    snapshotPolicy: options.snapshotPolicy,
    metrics,
    roomFiles: options.roomFiles,
    cluster: options.cluster,
  });
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };
  const connections = new Set<Connection | JamConnection>();
  const caps = new ConnectionCaps(options.connectionCaps);
  metrics.gauge('riffroom_rooms_in_memory', 'Rooms loaded in memory', () => rooms.loadedCount);
  metrics.gauge('riffroom_open_connections', 'Open websocket connections', () => connections.size);

  const serveStatic = options.web ? createStaticHandler(options.web) : null;
  const allowedHosts = allowedHostSet(options.allowedHosts);
  const addressOf = clientAddressResolver(options.trustedProxies);
  const httpLimits: HttpLimits = { ...LIMITS.http, ...options.httpLimits };
  const apiRequests = new AddressRateLimiter({
    perSecond: httpLimits.requestsPerSecond,
    burst: httpLimits.requestBurst,
    maxAddresses: LIMITS.http.maxTrackedAddresses,
  });
  const heavy = new HeavyRequestGate(httpLimits.maxHeavyPerAddress, httpLimits.maxHeavyTotal);
  const replayPacer = new BytePacer({
    perAddressBytesPerSecond: httpLimits.replayBytesPerSecondPerAddress,
    totalBytesPerSecond: httpLimits.replayBytesPerSecondTotal,
    maxAddresses: LIMITS.http.maxTrackedAddresses,
  });
  const handleTransfer = createTransferRoutes({
    secret: options.secret,
    rooms,
    dataDir: options.dataDir,
    maxImportBytes: httpLimits.maxImportBytes,
    heavy,
    pacer: replayPacer,
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? LIMITS.websocket.maxMessageBytes,
    // A client carrying its token as a subprotocol offers 'riffroom' too: select it, never the token.
    handleProtocols: selectProtocol,
  });
  // Cluster: rooms served by another node are relayed there (cluster/room-router.ts).
  const routing = options.roomPlacer
    ? roomRouting(
        options.roomPlacer,
        createWebsocketRelay({ maxMessageBytes: options.maxMessageBytes ?? LIMITS.websocket.maxMessageBytes }),
        {
          wrongHost: (req) => hostProblem(req.headers.host, allowedHosts) !== null,
        },
      )
    : null;
  let closing: Promise<void> | null = null;
  const readiness = new Readiness([
    roomsFolderCheck(join(options.dataDir, 'rooms')),
    {
      name: 'accepting',
      run: () => {
        if (closing) throw new Error('the server is shutting down');
      },
    },
  ]);
  if (options.cluster) readiness.add(options.cluster.readinessCheck());
  const ownedElsewhere = routing ? routing.requestOwnedElsewhere : undefined;
  const handleRequest = (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    const wrongHost = hostProblem(req.headers.host, allowedHosts);
    if (wrongHost) return void sendJson(res, 421, { error: wrongHost });
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return void sendJson(res, 200, { ok: true, rooms: rooms.loadedCount, connections: connections.size });
    if (url.pathname === '/readyz') return void readiness.report().then((report) => sendJson(res, report.ready ? 200 : 503, report));
    if (url.pathname === '/metrics') {
      const access = metricsAccess(req.socket.remoteAddress, req.headers, options.metricsToken ?? null);
      if (!access.ok) return void sendJson(res, access.status, { error: access.error });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return void res.end(metrics.render());
    }
    if (url.pathname.startsWith('/api/')) {
      const allowed = apiRequests.take(addressOf(req));
      if (!allowed.ok) {
        return void sendJson(
          res,
          429,
          { error: `too many requests from your address: try again in ${allowed.retryAfterSeconds} s` },
          {
            'retry-after': String(allowed.retryAfterSeconds),
          },
        );
      }
    }
    handleTransfer(req, res, url)
      .then(
        (done) =>
          done ||
          handleApi(
            { secret: options.secret, rooms, heavy, replayPacer, addressOf, publicUrl: options.publicUrl, ownedElsewhere },
            req,
            res,
            url,
          ),
      )
      .then(
        (handled) => {
          if (!handled && !serveStatic?.(req, res, url)) sendJson(res, 404, { error: 'not found' });
        },
        (err) => {
          console.error('http:', err);
          if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        },
      );
  };
  const serveRequest = routing ? routing.requests(handleRequest) : handleRequest;
  const http: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, serveRequest)
    : createServer(serveRequest);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // /<room> is the document (y-websocket), /<room>/jam the room's jam channel.
    // Room names have no '/', so a second segment can only be the jam channel (a room may
    // itself be called "jam": /jam is that room's document).
    const segments = url.pathname.slice(1).split('/');
    const jam = segments.length === 2 && segments[1] === 'jam';
    let room: string;
    try {
      room = segments.length === 1 || jam ? decodeURIComponent(segments[0]!) : '';
    } catch {
      room = '';
    }
    const refuse = (status: number, reason: string, retryAfterSeconds?: number) => {
      metrics.rejectedUpgrades.inc({ status: String(status) });
      const body = JSON.stringify({ error: reason });
      const retryAfter = retryAfterSeconds ? `Retry-After: ${retryAfterSeconds}\r\n` : '';
      const extra = Object.entries(COMMON_HEADERS)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}${extra}Connection: close\r\n\r\n${body}`,
      );
    };
    const wrongHost = hostProblem(req.headers.host, allowedHosts);
    if (wrongHost) return refuse(421, wrongHost);
    // The cheap caps come first: a flood of upgrades is refused before any token is verified.
    const address = addressOf(req);
    const tooFast = caps.takeUpgrade(address);
    if (tooFast) return refuse(tooFast.status, tooFast.reason, tooFast.retryAfterSeconds);
    if (!ROOM_NAME.test(room)) return refuse(400, 'invalid room name');
    const carried = upgradeToken(req, url, options.queryTokens ?? true);
    if (!carried.ok) return refuse(400, carried.error);
    const token = carried.token;
    if (!token) return refuse(401, 'a token is required');
    let claims: TokenClaims;
    try {
      claims = verifyToken(options.secret, token);
    } catch (err) {
      return refuse(401, err instanceof TokenError ? err.message : 'invalid token');
    }
    if (claims.room !== room) return refuse(403, 'the token is for another room');
    if (claims.invite) return refuse(403, `this is an invite: join with it first (POST /api/rooms/${room}/join with your name)`);
    const admission = caps.admit({ address, identity: claims.id, room, jam });
    if ('status' in admission) return refuse(admission.status, admission.reason);
    const accept = (target: Room) => {
      // Counted until the TCP connection is gone: the websocket's close, or an upgrade that failed.
      if (socket.destroyed) return admission.release();
      socket.once('close', () => admission.release());
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const lifetime = new ConnectionLifetime(options.secret, claims);
        const connection = jam
          ? new JamConnection(ws, target.jam, claims, limits, metrics, lifetime)
          : new Connection(ws, target, claims, limits, metrics, lifetime);
        connections.add(connection);
        metrics.connections.inc();
        ws.on('close', () => connections.delete(connection));
      });
    };
    // Loading may wait on the store (PostgreSQL, or a room still closing).
    rooms
      .get(room)
      .then(accept, (err) => {
        admission.release();
        // Another node won the room's lease as this one tried: relay the peer to it (room-router.ts).
        if (err instanceof RoomOwnedElsewhereError && routing?.upgradeOwnedElsewhere(err, req, socket, head)) return;
        const refusal = loadRefusal(room, err);
        refuse(refusal.status, refusal.reason, refusal.retryAfterSeconds);
      })
      .catch((err) => {
        // Not from a timer's stack, but an unhandled rejection would end the process all the same.
        console.error(`room ${room}: the upgrade failed:`, err);
        socket.destroy();
      });
  };
  const routedUpgrade = routing ? routing.upgrades(onUpgrade) : onUpgrade;
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own 'error' listener off a socket it hands to 'upgrade': without one, a peer
    // that resets the connection before it is a websocket (HAProxy does, right after reading a
    // refusal) is an unhandled 'error' event, which stops the whole process.
    socket.on('error', () => socket.destroy());
    routedUpgrade(req, socket, head);
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    host,
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    metrics,
    rooms,
    readiness,
    replaceTls(tls) {
      if (!options.tls) throw new Error('this server was started without TLS');
      (http as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
    },
    close(farewell) {
      closing ??= (async () => {
        readiness.forget();
        clearInterval(heartbeat);
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        // Peers get a close frame (1001, or the farewell's); the logs are checkpointed and closed right away.
        const roomsClosed = rooms.closeAll(farewell);
        routing?.close(farewell);
        await waitUntil(() => wss.clients.size === 0 && !routing?.relayed, 2000);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        await httpClosed;
        await roomsClosed;
        await options.cluster?.close();
      })();
      return closing;
    },
  };
}

/** Why a room could not be loaded for an upgrade, as the HTTP answer to it. */
function loadRefusal(room: string, err: unknown): { status: number; reason: string; retryAfterSeconds?: number } {
  if (err instanceof RoomLimitError) return { status: 503, reason: err.message };
  // Without a placer (no --node-url), or placed too often already: told which node serves the room.
  if (err instanceof RoomOwnedElsewhereError) return { status: 503, reason: err.message, retryAfterSeconds: 1 };
  console.error(`room ${room}: cannot load:`, err instanceof RoomLogError ? err.message : err);
  return {
    status: 500,
    reason: err instanceof RoomLogError ? `the room's log cannot be opened: ${err.reason}` : 'the room could not be loaded',
  };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
