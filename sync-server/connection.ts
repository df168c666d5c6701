/**
 * One websocket peer: enforces the per-connection limits and turns protocol violations into a
 * close with a reason. The room never sees a message that broke a limit.
 */
import type { WebSocket } from 'ws';
import { CLOSE, MESSAGE_AUTH, MESSAGE_AWARENESS, type TokenClaims } from './contract.ts';
import { readRenewalToken, renewedMessage } from './auth/auth-message.ts';
import { RenewalRefused, type ConnectionLifetime } from './auth/connection-lifetime.ts';
import { LIMITS } from './limits.ts';
import type { ServerMetrics } from './metrics.ts';
import { PeerError, type Peer, type Room } from './room/room.ts';
import { TokenBucket } from './token-bucket.ts';

// The jam connection and others import it from here.
export { TokenBucket };

export interface ConnectionLimits {
  /** Sustained messages per second, and the burst allowed above it. */
  messagesPerSecond: number;
  messageBurst: number;
  /**
   * Awareness messages get their own, larger allowance: the stock y-websocket client echoes
   * every presence change it receives back to the server, so a peer's awareness traffic grows
   * with the room's size (each edit's label announcement comes back from every peer).
   */
  awarenessPerSecond: number;
  awarenessBurst: number;
  /** A peer that cannot keep up (this many bytes queued to it) is disconnected. */
  maxBufferedBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  messagesPerSecond: LIMITS.websocket.messagesPerSecond,
  messageBurst: LIMITS.websocket.messageBurst,
  awarenessPerSecond: LIMITS.websocket.awarenessPerSecond,
  awarenessBurst: LIMITS.websocket.awarenessBurst,
  maxBufferedBytes: LIMITS.websocket.maxBufferedBytes,
};

export class Connection implements Peer {
  readonly identity: TokenClaims;
  private readonly socket: WebSocket;
  private readonly room: Room;
  private readonly limits: ConnectionLimits;
  private readonly metrics: ServerMetrics | undefined;
  private readonly syncBucket: TokenBucket;
  private readonly awarenessBucket: TokenBucket;
  /** Ends the connection at its token's exp and takes in-band renewals (absent: the token never ends here). */
  private readonly lifetime: ConnectionLifetime | undefined;
  private alive = true;
  private closed = false;

  constructor(socket: WebSocket, room: Room, identity: TokenClaims, limits: ConnectionLimits, metrics?: ServerMetrics, lifetime?: ConnectionLifetime) {
    this.socket = socket;
    this.room = room;
    this.identity = identity;
    this.limits = limits;
    this.metrics = metrics;
    this.lifetime = lifetime;
    this.syncBucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.awarenessBucket = new TokenBucket(limits.awarenessPerSecond, limits.awarenessBurst);
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
    socket.on('pong', () => {
      this.alive = true;
    });
    room.addPeer(this);
    lifetime?.start(() => this.close(CLOSE.tokenExpired, 'token expired'));
  }

  send(message: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CLOSE.goingAway, 'too slow to keep up; reconnect');
      return;
    }
    this.socket.send(message);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    if (code !== CLOSE.goingAway && code !== CLOSE.serviceRestart) this.metrics?.closedForCause.inc({ code: String(code) });
    this.onClose();
    this.socket.close(code, reason.slice(0, 120));
  }

  /** Called by the server's heartbeat: a peer that missed the last ping is dropped. */
  heartbeat(): void {
    if (!this.alive) {
      this.onClose();
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.metrics?.messagesReceived.inc();
    // A timer can fire late: a message that arrives after exp is never applied.
    if (this.lifetime?.expired()) return this.close(CLOSE.tokenExpired, 'token expired');
    if (!isBinary) return this.close(CLOSE.malformed, 'text messages are not part of the protocol');
    const bucket = data[0] === MESSAGE_AWARENESS ? this.awarenessBucket : this.syncBucket;
    if (!bucket.take()) return this.close(CLOSE.rateLimited, 'too many messages; slow down');
    if (data[0] === MESSAGE_AUTH && this.lifetime) return this.renewToken(data);
    try {
      this.room.receive(this, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      if (err instanceof PeerError) return this.close(err.code, err.message);
      console.error(`room ${this.room.name}: error handling a message from ${this.identity.name}:`, err);
      this.close(CLOSE.internalError, 'internal error');
    }
  }

  /** In-band renewal (contract.ts, AUTH_TOKEN_RENEWED): a refused one closes the connection, saying why. */
  private renewToken(data: Buffer): void {
    const token = readRenewalToken(data);
    if (token === null) return this.close(CLOSE.malformed, 'an auth message carries a token (varstring)');
    try {
      this.send(renewedMessage(this.lifetime!.renew(token)));
    } catch (err) {
      if (err instanceof RenewalRefused) return this.close(CLOSE.tokenExpired, err.message);
      throw err;
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.lifetime?.stop();
    this.room.removePeer(this);
  }
}
