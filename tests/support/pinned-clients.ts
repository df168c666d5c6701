/**
 * HTTP(S) and websocket clients that reach `https://jam.example.org:<port>` on 127.0.0.1, as a
 * browser would reach a deployed server: the real name in the Host header and in TLS (SNI and
 * certificate check against the test's own CA), only the DNS answer pinned to this machine.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import WebSocket from 'ws';

/** A DNS lookup that answers every name with `address` (IPv4). */
export function pinnedLookup(address = '127.0.0.1'): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family: 4 }]);
    else callback(null, address, 4);
  }) as unknown as LookupFunction;
}

export interface Reply {
  status: number;
  /** Header names and values as they came on the wire, repeats included. */
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
  body: string;
}

/** How many times a header came (case-insensitive), and its values. */
export function headerValues(reply: Reply, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < reply.rawHeaders.length; i += 2)
    if (reply.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) values.push(reply.rawHeaders[i + 1]!);
  return values;
}

export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; ca?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        lookup: pinnedLookup(),
        timeout: options.timeoutMs ?? 15_000,
        agent: false,
        // TLS names the URL's host, whatever Host header the request carries.
        servername: target.hostname,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A WebSocket class for the y-websocket provider (its WebSocketPolyfill option), which calls
 * `new WebSocket(url, protocols)`: every socket trusts `ca` and resolves names to 127.0.0.1.
 */
export function pinnedWebSocket(ca: string): typeof WebSocket {
  return class PinnedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { ca, lookup: pinnedLookup() });
    }
  } as unknown as typeof WebSocket;
}

/** What opening a websocket got: 101 with the response headers, or the refusal and its body. */
export interface Opened {
  status: number;
  reason: string;
  headers: IncomingHttpHeaders;
  socket: WebSocket;
}

/**
 * Opens `url` (wss://jam.example.org:<port>/…) as a client at `localAddress` (127.0.0.2, …: the
 * proxy sees a different visitor), with extra request headers (a forged X-Forwarded-For).
 * The socket is left open on 101: the caller closes it (terminate()).
 */
export function openWebSocket(
  url: string,
  options: { ca: string; protocols?: string[]; localAddress?: string; headers?: Record<string, string> },
): Promise<Opened> {
  const socket = new WebSocket(url, options.protocols, {
    ca: options.ca,
    lookup: pinnedLookup(),
    localAddress: options.localAddress,
    headers: options.headers,
  });
  return new Promise((resolve, reject) => {
    socket.once('upgrade', (res) => socket.once('open', () => resolve({ status: 101, reason: '', headers: res.headers, socket })));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: body, headers: res.headers, socket }));
    });
    socket.once('error', reject);
  });
}
