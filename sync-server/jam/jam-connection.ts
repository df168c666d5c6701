/**
 * One jam websocket (ws://host:port/<room>/jam?token=...): the frame-level limits, mirroring
 * connection.ts for the document path. Binary frames, text that is not JSON and JSON that is not
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
import { newClientId, serverClock, type JamMember, type JamRoom } from './jam-room.ts';

export class JamConnection implements JamMember {
  readonly identity: TokenClaims;
  readonly clientId = newClientId();
  private readonly socket: WebSocket;
  private readonly jam: JamRoom;
  private readonly limits: ConnectionLimits;
  private readonly metrics: ServerMetrics | undefined;
  private readonly bucket: TokenBucket;
  /** Ends the connection at its token's exp and takes in-band renewals (absent: the token never ends here). */
  private readonly lifetime: ConnectionLifetime | undefined;
  private alive = true;
  private closed = false;

  constructor(socket: WebSocket, jam: JamRoom, identity: TokenClaims, limits: ConnectionLimits, metrics?: ServerMetrics, lifetime?: ConnectionLifetime) {
    this.socket = socket;
    this.jam = jam;
    this.identity = identity;
    this.limits = limits;
    this.metrics = metrics;
    this.lifetime = lifetime;
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
    socket.on('pong', () => {
      this.alive = true;
    });
    jam.join(this);
    lifetime?.start(() => this.close(CLOSE.tokenExpired, 'token expired'));
  }

  send(message: JamServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  sendText(json: string): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CLOSE.goingAway, 'too slow to keep up; reconnect');
      return;
    }
    this.socket.send(json);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    if (code !== CLOSE.goingAway && code !== CLOSE.serviceRestart) this.metrics?.closedForCause.inc({ code: String(code) });
    this.onClose();
    this.socket.close(code, reason.slice(0, 120));
  }

  heartbeat(): void {
    if (!this.alive) {
      this.onClose();
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    const receivedAt = serverClock();
    if (this.closed) return;
    this.metrics?.messagesReceived.inc();
    // A timer can fire late: a message that arrives after exp is never acted on.
    if (this.lifetime?.expired()) return this.close(CLOSE.tokenExpired, 'token expired');
    if (isBinary) return this.close(CLOSE.malformed, 'binary messages are not part of the jam protocol');
    const bytes = Array.isArray(data) ? data.reduce((n: number, b: Buffer) => n + b.byteLength, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (bytes > JAM_LIMITS.maxMessageBytes) return this.close(CLOSE.tooLarge, `jam messages are limited to ${JAM_LIMITS.maxMessageBytes} bytes`);
    if (!this.bucket.take()) return this.close(CLOSE.rateLimited, 'too many messages; slow down');
    let message: unknown;
    try {
      message = JSON.parse(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8'));
    } catch {
      return this.close(CLOSE.malformed, 'not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return this.close(CLOSE.malformed, 'a jam message is a JSON object');
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

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.lifetime?.stop();
    this.jam.leave(this);
  }
}
