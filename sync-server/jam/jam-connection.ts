/**
 * One jam websocket (ws://host:port/<room>/jam?token=...): the frame-level limits, as
 * connection.ts has them for the document path (the bounded send, close, heartbeat and token
 * lifetime both share: peer-socket.ts). Binary frames, text that is not JSON and JSON that is not
 * a jam message (an object with v: 1 and a string type) close the connection with CLOSE.malformed;
 * frames over JAM_LIMITS.maxMessageBytes with CLOSE.tooLarge; too many messages with
 * CLOSE.rateLimited. What passes goes to the JamRoom, which answers bad values with 'refused'.
 */
import type { WebSocket } from 'ws';
import { CLOSE, type TokenClaims } from '../contract.ts';
import { JAM_LIMITS, type JamServerMessage } from '../../core/jam/contract.ts';
import { TokenBucket, type ConnectionLimits } from '../connection.ts';
import { RenewalRefused, type ConnectionLifetime } from '../auth/connection-lifetime.ts';
import type { ServerMetrics } from '../metrics.ts';
import { PeerSocket } from '../peer-socket.ts';
import { newClientId, serverClock, type JamMember, type JamRoom } from './jam-room.ts';

export class JamConnection implements JamMember {
  readonly identity: TokenClaims;
  readonly clientId = newClientId();
  private readonly jam: JamRoom;
  private readonly metrics: ServerMetrics | undefined;
  private readonly bucket: TokenBucket;
  /** In-band renewals (absent: the token never ends here). */
  private readonly lifetime: ConnectionLifetime | undefined;
  private readonly peer: PeerSocket;

  constructor(
    socket: WebSocket,
    jam: JamRoom,
    identity: TokenClaims,
    limits: ConnectionLimits,
    metrics?: ServerMetrics,
    lifetime?: ConnectionLifetime,
  ) {
    this.jam = jam;
    this.identity = identity;
    this.metrics = metrics;
    this.lifetime = lifetime;
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.peer = new PeerSocket(socket, {
      maxBufferedBytes: limits.maxBufferedBytes,
      metrics,
      lifetime,
      onMessage: (data, isBinary) => this.onMessage(data, isBinary),
      onLeave: () => jam.leave(this),
    });
    jam.join(this);
    this.peer.startLifetime();
  }

  send(message: JamServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  sendText(json: string): void {
    this.peer.send(json);
  }

  close(code: number, reason: string): void {
    this.peer.close(code, reason);
  }

  heartbeat(): void {
    this.peer.heartbeat();
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    const receivedAt = serverClock();
    this.metrics?.messagesReceived.inc();
    if (this.peer.expired()) return this.close(CLOSE.tokenExpired, 'token expired');
    if (isBinary) return this.close(CLOSE.malformed, 'binary messages are not part of the jam protocol');
    const bytes = Array.isArray(data)
      ? data.reduce((n: number, b: Buffer) => n + b.byteLength, 0)
      : (data as Buffer | ArrayBuffer).byteLength;
    if (bytes > JAM_LIMITS.maxMessageBytes)
      return this.close(CLOSE.tooLarge, `jam messages are limited to ${JAM_LIMITS.maxMessageBytes} bytes`);
    if (!this.bucket.take()) return this.close(CLOSE.rateLimited, 'too many messages; slow down');
    let message: unknown;
    try {
      message = JSON.parse(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8'));
    } catch {
      return this.close(CLOSE.malformed, 'not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return this.close(CLOSE.malformed, 'a jam message is a JSON object');
    const m = message as Record<string, unknown>;
    if (m.v !== 1 || typeof m.type !== 'string') return this.close(CLOSE.malformed, 'a jam message has v: 1 and a type');
    if (m.type === 'token' && this.lifetime) return this.renewToken(m.token);
    try {
      this.jam.receive(this, m as Record<string, unknown> & { type: string }, receivedAt);
    } catch (err) {
      console.error(`jam: error handling a message from ${this.identity.name}:`, err);
      this.close(CLOSE.internalError, 'internal error');
    }
  }

  /** In-band renewal (core/jam/contract.ts): answered 'token' with the new exp, or 'refused' (the connection stays until its exp). */
  private renewToken(token: unknown): void {
    try {
      this.send({ v: 1, type: 'token', exp: this.lifetime!.renew(token) });
    } catch (err) {
      if (!(err instanceof RenewalRefused)) throw err;
      this.metrics?.jamRefused.inc({ type: 'token' });
      this.send({ v: 1, type: 'refused', reason: err.message, request: 'token' });
    }
  }
}
