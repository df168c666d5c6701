/**
 * The page's token over a room's life: renewed before it expires (POST /renew), for as long as
 * its renewUntil allows, and handed to whatever uses it (the document and jam sockets send it in
 * place, their reconnects and the history API take the newest). Every open socket is closed by
 * the server at its token's exp (4401), so a token that can no longer be renewed ends the
 * session: `endedProblem()` says why, in words.
 *
 * When: at RENEWAL.share of the token's life or RENEWAL.leadMs before its exp, whichever is
 * sooner, but never before RENEWAL.minShare of its life (a renewal right after issue changes
 * nothing: the server keeps the exp, and a short-lived token would be renewed in a loop). The
 * wait is taken in steps of at most RENEWAL.stepMs against the wall clock, so a computer that
 * slept past the time renews as soon as it wakes. A failure that may pass (no network, 429, 5xx)
 * is tried again after RENEWAL.retryMs until exp; a refusal (the server says no) stops renewal.
 *
 * The clock is injected (tests use a fake one); nothing here touches the DOM.
 */
import type { TokenClaims } from '../../sync-server/contract.ts';
import { clockTime } from '../../sync-server/client/room-link.ts';
import type { TokenAnswer } from './token-api.ts';

export const RENEWAL = {
  share: 0.8,
  leadMs: 60_000,
  minShare: 0.5,
  retryMs: 10_000,
  stepMs: 60_000,
  /** A token with less life left than this (ms) is not used to connect: renewed first, if it can be. */
  connectMarginMs: 2_000,
} as const;

export interface RenewalClock {
  /** Wall clock, ms since the epoch. */
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: RenewalClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Whether POST /renew can give `claims` a later exp at `nowMs`: a personal token, not expired,
 * with an issue time (the server renews by the token's own lifetime) and a renewUntil past its
 * exp.
 */
export function renewable(claims: TokenClaims, nowMs: number): boolean {
  return (
    !claims.invite &&
    claims.iat !== undefined &&
    claims.renewUntil !== undefined &&
    claims.exp > claims.iat &&
    claims.renewUntil > claims.exp &&
    claims.exp * 1000 > nowMs
  );
}

/** When to renew `claims` (ms since the epoch), or null when it cannot be renewed. */
export function renewalDue(claims: TokenClaims, nowMs: number): number | null {
  if (!renewable(claims, nowMs)) return null;
  const iat = claims.iat! * 1000;
  const exp = claims.exp * 1000;
  const life = exp - iat;
  return Math.max(Math.min(iat + RENEWAL.share * life, exp - RENEWAL.leadMs), iat + RENEWAL.minShare * life);
}

export type TokenEvent =
  | { type: 'renewed'; token: string; claims: TokenClaims }
  /** The server will not renew this token: it ends at its exp. */
  | { type: 'refused'; reason: string };

export type Renew = (token: string) => Promise<TokenAnswer>;

/** What a socket or the history API needs of the page's token. */
export interface LiveToken {
  readonly token: string;
  readonly claims: TokenClaims;
  subscribe(listener: (event: TokenEvent) => void): () => void;
  /** A token fit to (re)connect with now: the current one while it lasts, else a renewal; null when there is none. */
  fresh(): Promise<string | null>;
  /** Why the room can no longer be used with this token, for the user (once it has run out or been refused). */
  endedProblem(): string;
}

export interface TokenRenewalOptions {
  token: string;
  claims: TokenClaims;
  renew: Renew;
  clock?: RenewalClock;
}

export class TokenRenewal implements LiveToken {
  private current: { token: string; claims: TokenClaims };
  private readonly renew: Renew;
  private readonly clock: RenewalClock;
  private readonly listeners = new Set<(event: TokenEvent) => void>();
  private timer: unknown = null;
  /** When to try next (ms since the epoch); null: nothing scheduled. */
  private dueAt: number | null = null;
  private inFlight: Promise<boolean> | null = null;
  private refusalReason: string | null = null;
  private lastFailure: string | null = null;
  private disposed = false;
  /** Renewals that gave a later exp (for tests and the dev console). */
  renewals = 0;

  constructor(options: TokenRenewalOptions) {
    this.current = { token: options.token, claims: options.claims };
    this.renew = options.renew;
    this.clock = options.clock ?? realClock;
    this.schedule(renewalDue(options.claims, this.clock.now()));
  }

  get token(): string {
    return this.current.token;
  }

  get claims(): TokenClaims {
    return this.current.claims;
  }

  /** The server's reason for not renewing, once it has refused. */
  get refusal(): string | null {
    return this.refusalReason;
  }

  /** When the next renewal is due (ms since the epoch), or null when none will be tried. */
  get nextRenewalAt(): number | null {
    return this.dueAt;
  }

  subscribe(listener: (event: TokenEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Renews now (one request at a time); true when a token with a later exp is in hand. */
  renewNow(): Promise<boolean> {
    if (this.disposed || this.refusalReason !== null || !renewable(this.current.claims, this.clock.now())) return Promise.resolve(false);
    this.inFlight ??= this.attempt().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  async fresh(): Promise<string | null> {
    if (this.current.claims.exp * 1000 - this.clock.now() > RENEWAL.connectMarginMs) return this.current.token;
    return (await this.renewNow()) ? this.current.token : null;
  }

  endedProblem(): string {
    const now = this.clock.now() / 1000;
    const { claims } = this.current;
    const at = clockTime(claims.exp, now);
    if (this.refusalReason !== null) {
      return `Your access to this room ended at ${at}: the server would not renew it (${this.refusalReason}). Ask the host for a new link.`;
    }
    if (claims.renewUntil === undefined) return `Your link expired at ${at}. Ask the host for a new link.`;
    if (claims.renewUntil <= claims.exp) return `Your invite expired at ${at}. Ask the host for a new link.`;
    return `Your access expired at ${at}: it could not be renewed in time${this.lastFailure ? ` (${this.lastFailure})` : ''}. Reload the page to join again, or ask the host for a new link.`;
  }

  dispose(): void {
    this.disposed = true;
    this.schedule(null);
    this.listeners.clear();
  }

  // -------------------------------------------------------------------------------------------

  private async attempt(): Promise<boolean> {
    const before = this.current;
    const answer = await this.renew(before.token);
    if (this.disposed) return false;
    if (answer.ok) {
      this.lastFailure = null;
      if (answer.claims.id !== before.claims.id || answer.claims.exp <= before.claims.exp) {
        // Nothing later to be had (the server keeps exp at renewUntil): stop asking.
        this.schedule(null);
        return false;
      }
      this.current = { token: answer.token, claims: answer.claims };
      this.renewals++;
      this.emit({ type: 'renewed', token: answer.token, claims: answer.claims });
      this.schedule(renewalDue(answer.claims, this.clock.now()));
      return true;
    }
    if (answer.refused) {
      this.refusalReason = answer.error;
      this.schedule(null);
      this.emit({ type: 'refused', reason: answer.error });
      return false;
    }
    // It may pass: try again soon, while the token lasts.
    this.lastFailure = answer.status === null ? `the server could not be reached: ${answer.error}` : answer.error;
    const retryAt = this.clock.now() + Math.max(RENEWAL.retryMs, (answer.retryAfterS ?? 0) * 1000);
    this.schedule(retryAt < before.claims.exp * 1000 ? retryAt : null);
    return false;
  }

  private schedule(at: number | null): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.dueAt = this.disposed ? null : at;
    if (this.dueAt === null) return;
    const wait = Math.max(0, Math.min(this.dueAt - this.clock.now(), RENEWAL.stepMs));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.dueAt === null || this.disposed) return;
      if (this.clock.now() < this.dueAt) return this.schedule(this.dueAt);
      this.dueAt = null;
      void this.renewNow();
    }, wait);
  }

  private emit(event: TokenEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('riffroom: a token listener threw:', error);
      }
    }
  }
}

/** A token that is never renewed (a link without renewUntil, or tests). */
export function fixedToken(token: string, claims: TokenClaims): LiveToken {
  return {
    token,
    claims,
    subscribe: () => () => {},
    fresh: async () => (claims.exp * 1000 - Date.now() > RENEWAL.connectMarginMs ? token : null),
    endedProblem: () =>
      claims.renewUntil === undefined || claims.renewUntil <= claims.exp
        ? `Your ${claims.renewUntil === undefined ? 'link' : 'invite'} expired at ${clockTime(claims.exp)}. Ask the host for a new link.`
        : `Your access expired at ${clockTime(claims.exp)}. Reload the page to join again, or ask the host for a new link.`,
  };
}
