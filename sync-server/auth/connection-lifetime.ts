/**
 * An open connection's token over the connection's life: the connection ends at the token's exp
 * (CLOSE.tokenExpired), nothing it sends after exp counts, and a newer token for the same room,
 * identity and role, sent in-band (contract.ts: MESSAGE_AUTH on the document socket, { type:
 * 'token' } on the jam socket), moves the end without reconnecting.
 */
import type { TokenClaims } from '../contract.ts';
import { TokenError, verifyToken } from './tokens.ts';
import { takeOverProblem } from './token-grants.ts';
import { TokenExpiry } from './token-expiry.ts';

export class RenewalRefused extends Error {
  override name = 'RenewalRefused';
}

export class ConnectionLifetime {
  private readonly secret: string;
  private readonly claims: TokenClaims;
  private expiry: TokenExpiry | null = null;

  /** `claims`: the verified token the connection opened with. */
  constructor(secret: string, claims: TokenClaims) {
    this.secret = secret;
    this.claims = claims;
  }

  /** Starts the clock: `onExpired` runs once, at exp (unless renewed first or stopped). */
  start(onExpired: () => void): void {
    this.expiry ??= new TokenExpiry(this.claims.exp, onExpired);
  }

  /** When the connection ends (seconds since the epoch). */
  get exp(): number {
    return this.expiry?.exp ?? this.claims.exp;
  }

  /** Whether the token has run out: a message now must not be applied. */
  expired(): boolean {
    return this.expiry ? this.expiry.expired() : this.claims.exp <= Date.now() / 1000;
  }

  /** Takes `token` as the connection's token from now on; returns its exp. Throws RenewalRefused saying why not. */
  renew(token: unknown): number {
    if (typeof token !== 'string' || !token) throw new RenewalRefused('renewal refused: no token');
    let next: TokenClaims;
    try {
      next = verifyToken(this.secret, token);
    } catch (err) {
      throw new RenewalRefused(`renewal refused: ${err instanceof TokenError ? err.message : 'invalid token'}`);
    }
    const problem = takeOverProblem(this.claims, next);
    if (problem) throw new RenewalRefused(`renewal refused: ${problem}`);
    this.expiry?.renew(next.exp);
    return next.exp;
  }

  /** The connection closed. */
  stop(): void {
    this.expiry?.stop();
  }
}
