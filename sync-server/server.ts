/**
 * The Riffroom sync server: y-websocket protocol on ws://host:port/<room>?token=<t>, the room's
 * jam channel (core/jam/contract.ts) on ws://host:port/<room>/jam?token=<t>, the history
 * HTTP API, /healthz and /metrics, and (when given) the web client at / and model folders at
 * /models/<id>/ (static.ts). Every accepted update is in the room's log before anyone else
 * receives it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ROOM_NAME, type TokenClaims } from './contract.ts';
import { assertSecret, TokenError, verifyToken } from './auth/tokens.ts';
import { LIMITS } from './limits.ts';
import { Connection, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection.ts';
import { handleApi, sendJson } from './http-api.ts';
import { ServerMetrics } from './metrics.ts';
import { RoomLimitError, RoomRegistry } from './room/registry.ts';
import type { SnapshotPolicy } from './room/room.ts';
import { createStaticHandler, type StaticOptions } from './static.ts';
import { JamConnection } from './jam/jam-connection.ts';
import { ConnectionCaps, remoteAddressOf, type ConnectionCapsOptions } from './connection-caps.ts';

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
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  readonly url: string;
  readonly metrics: ServerMetrics;
  readonly rooms: RoomRegistry;
  /** Stops accepting, disconnects peers (1001), and closes every room's log. */
  close(): Promise<void>;
}

/** Starts the server; throws SecretError (auth/tokens.ts) when the signing secret is empty or short. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  assertSecret(options.secret, 'the server\'s signing secret');
  const metrics = new ServerMetrics();
  const rooms = new RoomRegistry({
    dataDir: options.dataDir,
    maxRooms: options.maxRooms ?? 1000,
    idleUnloadMs: options.idleUnloadMs ?? 60_000,
    snapshotPolicy: options.snapshotPolicy,
    metrics,
    roomFiles: options.roomFiles,
  });
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };
  const connections = new Set<Connection | JamConnection>();
  const caps = new ConnectionCaps(options.connectionCaps);
  metrics.gauge('riffroom_rooms_in_memory', 'Rooms loaded in memory', () => rooms.loadedCount);
  metrics.gauge('riffroom_open_connections', 'Open websocket connections', () => connections.size);

  const serveStatic = options.web ? createStaticHandler(options.web) : null;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? LIMITS.websocket.maxMessageBytes });
  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return void sendJson(res, 200, { ok: true, rooms: rooms.loadedCount, connections: connections.size });
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return void res.end(metrics.render());
    }
    handleApi({ secret: options.secret, rooms }, req, res, url).then((handled) => {
      if (!handled && !serveStatic?.(req, res, url)) sendJson(res, 404, { error: 'not found' });
    }, (err) => {
      console.error('http:', err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
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
      socket.end(
        `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}Connection: close\r\n\r\n${body}`,
      );
    };
    // The cheap caps come first: a flood of upgrades is refused before any token is verified.
    const address = remoteAddressOf(req.socket);
    const tooFast = caps.takeUpgrade(address);
    if (tooFast) return refuse(tooFast.status, tooFast.reason, tooFast.retryAfterSeconds);
    if (!ROOM_NAME.test(room)) return refuse(400, 'invalid room name');
    const token = url.searchParams.get('token');
    if (!token) return refuse(401, 'a token is required');
    let claims: TokenClaims;
    try {
      claims = verifyToken(options.secret, token);
    } catch (err) {
      return refuse(401, err instanceof TokenError ? err.message : 'invalid token');
    }
    if (claims.room !== room) return refuse(403, 'the token is for another room');
    const admission = caps.admit({ address, identity: claims.id, room, jam });
    if ('status' in admission) return refuse(admission.status, admission.reason);
    let target;
    try {
      target = rooms.get(room);
    } catch (err) {
      admission.release();
      if (err instanceof RoomLimitError) return refuse(503, err.message);
      console.error(`room ${room}: cannot load:`, err);
      return refuse(500, 'the room could not be loaded');
    }
    // Counted until the TCP connection is gone: the websocket's close, or an upgrade that failed.
    if (socket.destroyed) return admission.release();
    socket.once('close', () => admission.release());
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const connection = jam ? new JamConnection(ws, target.jam, claims, limits, metrics) : new Connection(ws, target, claims, limits, metrics);
      connections.add(connection);
      metrics.connections.inc();
      ws.on('close', () => connections.delete(connection));
    });
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

  let closing: Promise<void> | null = null;
  return {
    port,
    host,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    metrics,
    rooms,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        // Peers get a 1001 close frame; the logs are checkpointed and closed right away.
        rooms.closeAll();
        await waitUntil(() => wss.clients.size === 0, 2000);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        await httpClosed;
      })();
      return closing;
    },
  };
}

function statusText(status: number): string {
  return { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
