/**
 * Raw `ws` sockets for tests that play an attacker or check exactly what the server says: every
 * message kept, the close code and reason, and the HTTP answer of a refused upgrade.
 */
import WebSocket from 'ws';
import type { IncomingHttpHeaders } from 'node:http';
import * as encoding from 'lib0/encoding';
import { MESSAGE_SYNC } from '../../sync-server/contract.ts';
import { waitFor } from './yjs-clients.ts';

/** A y-websocket sync message (type 0, step 2) carrying `update`, as a stock client frames it. */
export function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** `promise`, or an error naming `what` once `ms` have passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Closed {
  code: number;
  reason: string;
}

export interface RawSocket {
  ws: WebSocket;
  /** Every message received, in order (binary as Uint8Array, text as parsed JSON). */
  messages: unknown[];
  closed: Promise<Closed>;
  /** The close, once it came; null while open. */
  closedWith(): Closed | null;
  /** Waits for a received message that `match` accepts (messages already received count). */
  next<T = unknown>(match: (m: unknown) => boolean, what: string, timeoutMs?: number): Promise<T>;
  sendJson(message: unknown): void;
}

export interface SocketOptions {
  protocols?: string[];
  headers?: Record<string, string>;
}

/** Opens a socket to `url` and resolves once it is open; rejects with the status when the upgrade is refused. */
export function openRawSocket(url: string, options: SocketOptions = {}): Promise<RawSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
  const messages: unknown[] = [];
  let closedWith: Closed | null = null;
  const closed = new Promise<Closed>((resolve) =>
    ws.on('close', (code, reason) => {
      closedWith = { code, reason: reason.toString() };
      resolve(closedWith);
    }),
  );
  ws.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    messages.push(isBinary ? new Uint8Array(bytes) : JSON.parse(bytes.toString('utf8')));
  });
  ws.on('error', () => {}); // a socket closed under us reports errors; the close is what tests check
  const socket: RawSocket = {
    ws,
    messages,
    closed,
    closedWith: () => closedWith,
    async next<T>(match: (m: unknown) => boolean, what: string, timeoutMs = 5000): Promise<T> {
      await waitFor(() => messages.some(match) || closedWith !== null, timeoutMs, what);
      const found = messages.find(match);
      if (found === undefined) throw new Error(`${what}: the socket closed first (${closedWith!.code} ${closedWith!.reason})`);
      return found as T;
    },
    sendJson: (message) => ws.send(JSON.stringify(message)),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

export interface RefusedUpgrade {
  status: number;
  error: string;
  headers: IncomingHttpHeaders;
}

/** Tries an upgrade that should be refused; resolves with the HTTP status, JSON error and headers. */
export function refusedUpgrade(url: string, options: SocketOptions = {}): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    ws.on('open', () => {
      ws.close();
      reject(new Error(`the upgrade to ${url} was accepted`));
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, error: (JSON.parse(body) as { error: string }).error, headers: res.headers });
        ws.terminate();
      });
    });
  });
}
