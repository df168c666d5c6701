/**
 * When an open connection's token runs out. Tokens are checked at connect; this ends the
 * connection at the token's exp too (one unref'd timer per connection), and answers "expired?"
 * for every message, because a timer can fire late: a message that arrives after exp must not be
 * applied even when the timer has not run yet. A renewal (a newer token for the same identity)
 * moves the end.
 */

/**
 * setTimeout fires at once for delays over 2^31 - 1 ms (24.8 days): longer waits are made of
 * shorter ones (an owner token lasts 30 days).
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TokenExpiryOptions {
  /** Seconds since the epoch; default Date.now() / 1000. */
  nowSeconds?: () => number;
}

export class TokenExpiry {
  private expSeconds: number;
  private readonly onExpired: () => void;
  private readonly nowSeconds: () => number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  /** Calls `onExpired` once, at `expSeconds` (from a timer), unless stopped or renewed past it first. */
  constructor(expSeconds: number, onExpired: () => void, options: TokenExpiryOptions = {}) {
    this.expSeconds = expSeconds;
    this.onExpired = onExpired;
    this.nowSeconds = options.nowSeconds ?? (() => Date.now() / 1000);
    this.arm();
  }

  /** The current end (seconds since the epoch). */
  get exp(): number {
    return this.expSeconds;
  }

  /** Whether the token has run out (as verifyToken sees it: exp <= now). */
  expired(): boolean {
    return this.expSeconds <= this.nowSeconds();
  }

  /** Moves the end to `expSeconds` (a renewed token's exp). */
  renew(expSeconds: number): void {
    if (this.stopped) return;
    this.expSeconds = expSeconds;
    this.arm();
  }

  /** The connection closed: no more timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Always through a timer, never at once: the owner may still be in its constructor. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const leftMs = Math.ceil((this.expSeconds - this.nowSeconds()) * 1000);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.stopped) return;
        if (!this.expired()) return this.arm(); // a long wait made of shorter ones, or a clock that lagged
        this.stop();
        this.onExpired();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, leftMs)),
    );
    // A timer per connection must not keep a stopping server alive.
    this.timer.unref();
  }
}
