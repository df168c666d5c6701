/**
 * The attacker's websocket: a raw `ws` connection from 127.0.0.1 that, like an attacker, comes
 * back whenever the server closes or refuses it, and a tally of how the server answered (close
 * codes with their reasons, HTTP statuses of refused upgrades). Whatever the server sends is read
 * and dropped (no UTF-8 check, no parsing) unless the attack asks to see it: the attacker's own
 * work stays light, and the server's bytes never pile up in the kernel's socket buffers (which
 * would slow every process on the machine, not only the server).
 */
import WebSocket from 'ws';

export const ATTACKER_ADDRESS = '127.0.0.1';

/** How the server answered an attack's connections. */
export class AttackTally {
  attempts = 0;
  opened = 0;
  /** Connections open at once: now, and the most at any time. */
  open = 0;
  maxOpen = 0;
  messagesSent = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /** Open connections the server closed, by close code, with the first reason given for each. */
  readonly closes: Record<string, number> = {};
  readonly reasons: Record<string, string> = {};
  /** Upgrades refused, by HTTP status, with the first body (the server's JSON error). */
  readonly refused: Record<string, number> = {};
  readonly refusedBodies: Record<string, string> = {};
  readonly errors: Record<string, number> = {};

  sent(bytes: number): void {
    this.messagesSent++;
    this.bytesSent += bytes;
  }

  toJSON(): object {
    return {
      attempts: this.attempts,
      opened: this.opened,
      openAtEnd: this.open,
      maxOpen: this.maxOpen,
      messagesSent: this.messagesSent,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      closedByServer: this.closes,
      closeReasons: this.reasons,
      upgradesRefused: this.refused,
      refusalBodies: this.refusedBodies,
      errors: this.errors,
    };
  }
}

export interface AttackSocketOptions {
  url: string;
  tally: AttackTally;
  /** Called on every (re)connection, once open. */
  onOpen?: (socket: AttackSocket) => void;
  /** Sees what the server sends (default: only counted). */
  onMessage?: (data: Buffer) => void;
  /** Runs each connection attempt; resolves when it opened or failed (a gate on attempts in flight). */
  gate?: (attempt: () => Promise<void>) => Promise<void>;
}

/** Back off after failures: 100 ms doubling to 2 s; reset once a connection opened. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

export class AttackSocket {
  private readonly options: AttackSocketOptions;
  private ws: WebSocket | null = null;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(options: AttackSocketOptions) {
    this.options = options;
    this.connect();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Bytes queued to the server and not yet written. */
  get buffered(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  /** Sends when open; false when not (the message is dropped, as a flooding attacker would). */
  send(data: Uint8Array | string): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    this.options.tally.sent(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.removeAllListeners('close');
      ws.removeAllListeners('error');
      ws.on('error', () => {}); // terminating a connection still opening reports one
      if (ws.readyState === WebSocket.OPEN) this.options.tally.open--;
      ws.terminate();
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const attempt = () =>
      new Promise<void>((settled) => {
        if (this.stopped) return settled();
        const { tally } = this.options;
        tally.attempts++;
        const ws = new WebSocket(this.options.url, { localAddress: ATTACKER_ADDRESS, skipUTF8Validation: true, perMessageDeflate: false });
        this.ws = ws;
        let opened = false;
        let refused = false;
        ws.on('open', () => {
          opened = true;
          tally.opened++;
          tally.open++;
          tally.maxOpen = Math.max(tally.maxOpen, tally.open);
          this.retryMs = RETRY_MIN_MS;
          settled();
          this.options.onOpen?.(this);
        });
        ws.on('message', (data: Buffer) => {
          tally.bytesReceived += data.byteLength;
          this.options.onMessage?.(data);
        });
        ws.on('unexpected-response', (_req, res) => {
          refused = true;
          const status = String(res.statusCode);
          tally.refused[status] = (tally.refused[status] ?? 0) + 1;
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString().slice(0, 200)));
          res.on('end', () => (tally.refusedBodies[status] ??= body.slice(0, 200)));
          res.on('error', () => {});
          // Closing the refused request ends this attempt with an 'error' and a 'close'.
          ws.terminate();
        });
        ws.on('error', (err) => {
          if (!refused) tally.errors[err.message.slice(0, 80)] = (tally.errors[err.message.slice(0, 80)] ?? 0) + 1;
        });
        ws.on('close', (code, reason) => {
          if (this.ws === ws) this.ws = null;
          if (opened) {
            tally.open--;
            tally.closes[code] = (tally.closes[code] ?? 0) + 1;
            tally.reasons[code] ??= reason.toString();
          } else {
            settled();
          }
          this.scheduleReconnect(opened);
        });
      });
    if (this.options.gate) void this.options.gate(attempt);
    else void attempt();
  }

  private scheduleReconnect(wasOpen: boolean): void {
    if (this.stopped) return;
    const wait = wasOpen ? RETRY_MIN_MS : this.retryMs;
    if (!wasOpen) this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.connect();
      },
      wait * (0.75 + Math.random() * 0.5),
    );
  }
}
