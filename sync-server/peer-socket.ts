/**
 * What every peer's websocket needs whatever it carries (the document path's binary y-protocol
 * messages, connection.ts; the jam channel's JSON, jam/jam-connection.ts): a bounded send (a peer
 * that cannot keep up is disconnected rather than buffered without end), one close that counts
 * its cause and tells the owner once, the heartbeat that drops a peer which missed the last ping,
 * and the token's lifetime (the connection ends at its exp). The owner reads the messages.
 */
import type { WebSocket } from 'ws';
import { CLOSE } from './contract.ts';
import type { ConnectionLifetime } from './auth/connection-lifetime.ts';
import type { ServerMetrics } from './metrics.ts';

export interface PeerSocketOptions {
  /** A peer with more than this many bytes queued to it is disconnected. */
  maxBufferedBytes: number;
  metrics?: ServerMetrics;
  /** Ends the connection at its token's exp (absent: the token never ends here). */
  lifetime?: ConnectionLifetime;
  onMessage(data: unknown, isBinary: boolean): void;
  /** Once, when the connection ends for any reason (closed, dropped, errored). */
  onLeave(): void;
}

export class PeerSocket {
  private readonly socket: WebSocket;
  private readonly options: PeerSocketOptions;
  private alive = true;
  private ended = false;

  constructor(socket: WebSocket, options: PeerSocketOptions) {
    this.socket = socket;
    this.options = options;
    socket.on('message', (data, isBinary) => {
      if (!this.ended) options.onMessage(data, isBinary);
    });
    socket.on('close', () => this.end());
    socket.on('error', () => this.end());
    socket.on('pong', () => {
      this.alive = true;
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Starts the token's clock (after the owner has joined its room, so the close finds it there). */
  startLifetime(): void {
    this.options.lifetime?.start(() => this.close(CLOSE.tokenExpired, 'token expired'));
  }

  /** Whether the token ran out (a timer can fire late: a message after exp is never acted on). */
  expired(): boolean {
    return this.options.lifetime?.expired() ?? false;
  }

  send(data: Uint8Array | string): void {
    if (this.ended || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.close(CLOSE.goingAway, 'too slow to keep up; reconnect');
      return;
    }
    this.socket.send(data);
  }

  close(code: number, reason: string): void {
    if (this.ended) return;
    if (code !== CLOSE.goingAway && code !== CLOSE.serviceRestart) this.options.metrics?.closedForCause.inc({ code: String(code) });
    this.end();
    this.socket.close(code, reason.slice(0, 120));
  }

  /** Called by the server's heartbeat: a peer that missed the last ping is dropped. */
  heartbeat(): void {
    if (!this.alive) {
      this.end();
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.options.lifetime?.stop();
    this.options.onLeave();
  }
}
