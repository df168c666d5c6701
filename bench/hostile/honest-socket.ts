/**
 * The honest peers' socket class: the `ws` package's WebSocket, bound to another loopback address
 * (so per-address caps aimed at the attacker on 127.0.0.1 never count them), recording every
 * connection the server closed or refused. It is handed to the stock y-websocket provider as its
 * WebSocketPolyfill and to the JamClient as its WebSocket, which use it unchanged.
 */
import WebSocket from 'ws';

/** Where the honest peers connect from; the attacker uses 127.0.0.1. */
export const HONEST_ADDRESS = '127.0.0.2';

/** Connections of one kind (document or jam) and how they ended. */
export class ConnectionTally {
  /** Off once the bench closes the peers itself: those closes are not disconnects. */
  counting = true;
  opened = 0;
  /** Open connections that closed, by close code; 1006 is a connection that dropped. */
  readonly closes: Record<string, number> = {};
  /** The first reason the server gave for each close code. */
  readonly reasons: Record<string, string> = {};
  /** Reconnection attempts the server refused at the upgrade, by HTTP status. */
  readonly refused: Record<string, number> = {};
  /** Other connection errors, by message. */
  readonly errors: Record<string, number> = {};

  get disconnects(): number {
    return Object.values(this.closes).reduce((a, b) => a + b, 0);
  }

  closed(code: number, reason: string): void {
    if (!this.counting) return;
    this.closes[code] = (this.closes[code] ?? 0) + 1;
    this.reasons[code] ??= reason;
  }

  failed(message: string): void {
    if (!this.counting) return;
    const status = /Unexpected server response: (\d+)/.exec(message)?.[1];
    if (status) this.refused[status] = (this.refused[status] ?? 0) + 1;
    else this.errors[message.slice(0, 80)] = (this.errors[message.slice(0, 80)] ?? 0) + 1;
  }

  toJSON(): object {
    return {
      opened: this.opened,
      disconnects: this.disconnects,
      closes: this.closes,
      reasons: this.reasons,
      refused: this.refused,
      errors: this.errors,
    };
  }
}

/** A WebSocket class that connects from `address` and reports to `tally`. */
export function socketClassFrom(address: string, tally: ConnectionTally): typeof WebSocket {
  class BoundWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[] | WebSocket.ClientOptions, options?: WebSocket.ClientOptions) {
      // y-websocket calls new WS(url, protocols) and the JamClient new WS(url): either way the
      // local address is added to whatever options were given.
      const given = protocols !== undefined && typeof protocols === 'object' && !Array.isArray(protocols) ? protocols : options;
      const list = typeof protocols === 'string' || Array.isArray(protocols) ? protocols : [];
      super(url, list, { ...given, localAddress: address });
      let opened = false;
      this.on('open', () => {
        opened = true;
        tally.opened++;
      });
      this.on('close', (code, reason) => {
        if (opened) tally.closed(code, reason.toString());
      });
      this.on('error', (err) => tally.failed(err.message));
    }
  }
  // Its constructor takes the forms the clients use (not ws's `new WebSocket(null)` for servers).
  return BoundWebSocket as unknown as typeof WebSocket;
}
