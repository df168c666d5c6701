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
import { PeerSocket } from './peer-socket.ts';
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
  private readonly room: Room;
  private readonly metrics: ServerMetrics | undefined;
  private readonly syncBucket: TokenBucket;
  private readonly awarenessBucket: TokenBucket;
  /** In-band renewals (absent: the token never ends here). */
  private readonly lifetime: ConnectionLifetime | undefined;
  private readonly peer: PeerSocket;

  constructor(
    socket: WebSocket,
    room: Room,
    identity: TokenClaims,
    limits: ConnectionLimits,
    metrics?: ServerMetrics,
    lifetime?: ConnectionLifetime,
  ) {
    this.room = room;
    this.identity = identity;
    this.metrics = metrics;
    this.lifetime = lifetime;
    this.syncBucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.awarenessBucket = new TokenBucket(limits.awarenessPerSecond, limits.awarenessBurst);
    socket.binaryType = 'nodebuffer';
    this.peer = new PeerSocket(socket, {
      maxBufferedBytes: limits.maxBufferedBytes,
      metrics,
      lifetime,
      onMessage: (data, isBinary) => this.onMessage(data as Buffer, isBinary),
      onLeave: () => room.removePeer(this),
    });
    room.addPeer(this);
    this.peer.startLifetime();
  }

  send(message: Uint8Array): void {
    this.peer.send(message);
  }

  close(code: number, reason: string): void {
    this.peer.close(code, reason);
  }

  /** Called by the server's heartbeat: a peer that missed the last ping is dropped. */
  heartbeat(): void {
    this.peer.heartbeat();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.metrics?.messagesReceived.inc();
    if (this.peer.expired()) return this.close(CLOSE.tokenExpired, 'token expired');
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
}
