/**
 * Relaying a peer to the node that owns its room (DESIGN.md "Hosted topology"): a node that does
 * not own a room passes the websocket (the y-websocket document connection or the jam channel) and
 * the room's HTTP requests to the owner, unchanged, so stock y-websocket clients never know.
 *
 * Websocket: the owner is dialled first with the client's path, query and offered subprotocols
 * (a token may travel as one: http/upgrade-token.ts), and only its answer decides the client's:
 * a refusal (401, 403, 429…) reaches the client as the same HTTP status and body; an accept is
 * answered with the subprotocol the owner selected. Then every frame passes both ways as it came
 * (binary stays binary, text stays text; pings and pongs too: this side answers none itself, so
 * the owner's heartbeat measures the real client), close codes and reasons pass both ways, and a
 * side whose peer's send buffer is full stops being read until it drains (backpressure).
 * An owner that cannot be reached (refused, unreachable, reset, timed out) is told to the caller's
 * `unreachable` when it gives one, with the client's socket still untouched, so the caller can
 * place the room afresh (room-router.ts: the owner is then suspect, and a survivor takes the room
 * once its lease runs out) rather than send the client away; without one the client is closed with
 * 1013 (try again later). An owner that vanishes mid-connection (no close frame) closes the client
 * with 1012 (service restart): stock clients reconnect, and the next attempt is routed afresh.
 *
 * The client's address travels in X-Forwarded-For (appended, as any proxy does), so the owner's
 * per-address limits count the real client, provided the owner lists the other nodes as trusted
 * proxies (--trusted-proxy, http/client-address.ts); otherwise it counts the relaying node.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CLOSE } from '../contract.ts';
import { normalizeAddress } from '../http/client-address.ts';
import { COMMON_HEADERS, sendJson, statusText } from '../http/responses.ts';
import { selectProtocol } from '../http/upgrade-token.ts';

/** Stop reading a side while the other side has this much unsent (bytes); read again under LOW. */
const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 18;

export const RELAY_CLOSE = {
  unreachable: { code: 1013, reason: "the room's node cannot be reached: try again" },
  ownerGone: { code: CLOSE.serviceRestart, reason: "the room's node went away: reconnect" },
};

/** Hop-by-hop headers (RFC 9110 7.6.1) and Host: they describe one connection, never the next one. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** X-Forwarded-For with the TCP peer appended: what the owner's client-address.ts walks. */
export function forwardedFor(req: Pick<IncomingMessage, 'headers' | 'socket'>): string {
  const header = req.headers['x-forwarded-for'];
  const before = (Array.isArray(header) ? header.join(', ') : (header ?? '')).trim();
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  return before ? `${before}, ${peer}` : peer;
}

export interface WebsocketRelayOptions {
  /** Largest message a client may send (the owner's limit: the same 1009 as there). */
  maxMessageBytes: number;
  /** How long the owner may take to answer the upgrade (default 5 s). */
  connectTimeoutMs?: number;
  /** Told of each relayed connection when it ends (metrics, tests). */
  onClosed?: (info: { clientCode: number; ownerCode: number }) => void;
}

export interface RelayAttempt {
  /**
   * The owner could not be reached before it answered (refused, unreachable, reset, timed out):
   * the client's socket is left as it was, for the caller to place again. Without this, the
   * client is closed with 1013.
   */
  unreachable?: (error: Error) => void;
}

export interface WebsocketRelay {
  /** Relays this upgrade to `target` (http(s)://host:port of the owner node). */
  relay(req: IncomingMessage, socket: Duplex, head: Buffer, target: string, attempt?: RelayAttempt): void;
  /** Accepts the upgrade only to close it at once with `code` (1013: try again) and `reason`. */
  refuse(req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void;
  /** Relayed connections open now. */
  readonly open: number;
  /** Closes every relayed connection (the client gets `code`, the owner 1001). */
  closeAll(code?: number, reason?: string): void;
}

export function createWebsocketRelay(options: WebsocketRelayOptions): WebsocketRelay {
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    autoPong: false,
    perMessageDeflate: false,
    clientTracking: true,
    // The client gets exactly the subprotocol the owner selected (never a token: the owner never
    // echoes one). A connection accepted only to be closed (1013) selects as the owner would: a
    // client that offered subprotocols and got none fails before it could read the close code.
    handleProtocols: (offered, req) => {
      const owners = chosen.get(req);
      return owners === undefined ? selectProtocol(offered) : owners || false;
    },
  });

  const guarded = new WeakSet<Duplex>();
  const relay = (req: IncomingMessage, socket: Duplex, head: Buffer, target: string, attempt: RelayAttempt = {}): void => {
    const upstreamUrl = new URL(req.url ?? '/', target);
    upstreamUrl.protocol = upstreamUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const headers: Record<string, string> = { 'x-forwarded-for': forwardedFor(req) };
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    for (const name of ['origin', 'user-agent'] as const) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = new WebSocket(upstreamUrl, offered, {
      headers,
      autoPong: false,
      perMessageDeflate: false,
      // What the owner sends was checked there (a full replay of a big room is one message).
      maxPayload: 0,
      handshakeTimeout: options.connectTimeoutMs ?? 5000,
    });
    let settled = false;
    // The client gave up while the owner was being dialled.
    const clientLeft = () => {
      if (!settled) {
        settled = true;
        upstream.terminate();
      }
    };
    socket.once('close', clientLeft);
    if (!guarded.has(socket)) {
      guarded.add(socket);
      socket.on('error', () => socket.destroy());
    }

    upstream.once('unexpected-response', (_request, response) => {
      if (settled) return void response.destroy();
      settled = true;
      socket.off('close', clientLeft);
      // The owner refused the upgrade: the client gets the same answer.
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = response.statusCode ?? 502;
        const keep = ['content-type', 'retry-after']
          .flatMap((name) => (response.headers[name] ? [`${name}: ${response.headers[name]}\r\n`] : []))
          .join('');
        const extra = Object.entries(COMMON_HEADERS)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
        socket.end(
          Buffer.concat([
            Buffer.from(
              `HTTP/1.1 ${status} ${statusText(status)}\r\n${keep}Content-Length: ${body.length}\r\n${extra}Connection: close\r\n\r\n`,
            ),
            body,
          ]),
        );
      });
      response.on('error', () => socket.destroy());
    });
    upstream.once('error', (error) => {
      if (settled) return;
      settled = true;
      socket.off('close', clientLeft);
      if (socket.destroyed) return;
      if (attempt.unreachable) return attempt.unreachable(error);
      // Unreachable (refused, timed out, reset): accept, then close with "try again".
      wss.handleUpgrade(req, socket, head, (client) => {
        client.close(RELAY_CLOSE.unreachable.code, RELAY_CLOSE.unreachable.reason);
      });
    });
    upstream.once('open', () => {
      if (settled) return void upstream.terminate();
      settled = true;
      socket.off('close', clientLeft);
      if (socket.destroyed) return void upstream.terminate();
      chosen.set(req, upstream.protocol);
      wss.handleUpgrade(req, socket, head, (client) => join(client, upstream, options.onClosed));
    });
  };

  return {
    relay,
    refuse(req, socket, head, code, reason) {
      wss.handleUpgrade(req, socket, head, (client) => client.close(code, reason));
    },
    get open() {
      return wss.clients.size;
    },
    closeAll(code = 1001, reason = 'server shutting down') {
      for (const client of wss.clients) client.close(code, reason);
    },
  };
}

/** Pipes two open websockets into each other until either closes. */
function join(client: WebSocket, owner: WebSocket, onClosed?: WebsocketRelayOptions['onClosed']): void {
  let clientCode = 0;
  let ownerCode = 0;
  let reported = false;
  const report = () => {
    if (!reported && client.readyState === WebSocket.CLOSED && owner.readyState === WebSocket.CLOSED) {
      reported = true;
      onClosed?.({ clientCode, ownerCode });
    }
  };
  pipe(client, owner, (code) => {
    clientCode = code;
    report();
  });
  pipe(
    owner,
    client,
    (code) => {
      ownerCode = code;
      report();
    },
    RELAY_CLOSE.ownerGone,
  );
}

/** `from`'s frames to `to`; `from`'s close closes `to` with the same code and reason. */
function pipe(from: WebSocket, to: WebSocket, closed: (code: number) => void, vanished = { code: 1001, reason: '' }): void {
  from.on('error', () => undefined); // 'close' follows, with 1006.
  from.on('message', (data: RawData, isBinary: boolean) => {
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data as Buffer, { binary: isBinary }, () => {
      if (from.isPaused && to.bufferedAmount < LOW_WATER) from.resume();
    });
    if (to.bufferedAmount > HIGH_WATER && !from.isPaused) from.pause();
  });
  from.on('ping', (data) => {
    if (to.readyState === WebSocket.OPEN) to.ping(data);
  });
  from.on('pong', (data) => {
    if (to.readyState === WebSocket.OPEN) to.pong(data);
  });
  from.on('close', (code, reason) => {
    closed(code);
    if (to.readyState === WebSocket.CLOSED || to.readyState === WebSocket.CLOSING) return;
    if (code === 1005) return void to.close(); // closed without a code: so is the other side
    if (code === 1006) return void to.close(vanished.code, vanished.reason); // no close frame: the side died
    try {
      to.close(code, reason);
    } catch {
      // A code that may not be sent on (1015, out of range): say "unexpected condition" instead.
      to.close(1011, reason.length <= 123 ? reason : '');
    }
  });
}

/**
 * Relays one HTTP request to `target` (http(s)://host:port of the owner): method, path and query,
 * headers (Authorization included; hop-by-hop ones dropped, X-Forwarded-For appended), the body
 * streamed up and the answer (status, headers, body) streamed back. An owner that cannot be
 * reached answers 503 with Retry-After: 1.
 */
export function relayRequest(req: IncomingMessage, res: ServerResponse, target: string, options: { timeoutMs?: number } = {}): void {
  const url = new URL(req.url ?? '/', target);
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  headers['x-forwarded-for'] = forwardedFor(req);
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(url, { method: req.method, headers, timeout: options.timeoutMs ?? 30_000 });
  upstream.on('timeout', () => upstream.destroy(new Error("the room's node did not answer in time")));
  upstream.on('response', (answer) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', (err) => {
    if (!res.headersSent)
      return void sendJson(res, 503, { error: `the room's node cannot be reached: ${err.message}` }, { 'retry-after': '1' });
    res.destroy();
  });
  // The client went away: so does the request to the owner.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
