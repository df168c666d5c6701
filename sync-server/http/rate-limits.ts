/**
 * HTTP request limits per remote address (LIMITS.http): a token bucket for the API routes, and a
 * cap on heavy requests (replay downloads, past states) running at once, per address and in all.
 * Both keep bounded state: the bucket map forgets the least recently seen address past
 * maxTrackedAddresses, the gate keeps only addresses with a request running.
 *
 * (connection.ts has a TokenBucket for websocket messages; this one also says how long to wait,
 * for Retry-After, and takes a clock so its tests need no real time.)
 */

export interface RateLimiterOptions {
  perSecond: number;
  burst: number;
  maxAddresses: number;
  /** Milliseconds, monotonic; default performance.now(). */
  now?: () => number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class AddressRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly options: Required<RateLimiterOptions>;

  constructor(options: RateLimiterOptions) {
    this.options = { now: () => performance.now(), ...options };
  }

  /** Addresses remembered now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one request's token for `address`; refused: how long until the next one. */
  take(address: string): RateDecision {
    const { perSecond, burst, maxAddresses, now } = this.options;
    const time = now();
    const bucket = this.buckets.get(address) ?? { tokens: burst, at: time };
    bucket.tokens = Math.min(burst, bucket.tokens + ((time - bucket.at) / 1000) * perSecond);
    bucket.at = time;
    // Re-inserted on every request: the map's first key is the least recently seen address.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    if (this.buckets.size > maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens < 1) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
    bucket.tokens -= 1;
    return { ok: true };
  }
}

export type GateDecision = { ok: true; release: () => void } | { ok: false; reason: string };

/** Counts heavy requests running, per address and in all. */
export class HeavyRequestGate {
  private readonly running = new Map<string, number>();
  private total = 0;
  private readonly perAddress: number;
  private readonly maxTotal: number;

  constructor(perAddress: number, maxTotal: number) {
    this.perAddress = perAddress;
    this.maxTotal = maxTotal;
  }

  get runningTotal(): number {
    return this.total;
  }

  /** Admits one heavy request from `address`; call `release` (once is enough) when it is over. */
  enter(address: string): GateDecision {
    const mine = this.running.get(address) ?? 0;
    if (mine >= this.perAddress)
      return { ok: false, reason: `at most ${this.perAddress} downloads at once from one address: wait for one to finish` };
    if (this.total >= this.maxTotal) return { ok: false, reason: 'the server is busy with other downloads: try again in a moment' };
    this.running.set(address, mine + 1);
    this.total++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.running.get(address) ?? 1) - 1;
        if (left > 0) this.running.set(address, left);
        else this.running.delete(address);
      },
    };
  }
}

export interface BytePacerOptions {
  perAddressBytesPerSecond: number;
  totalBytesPerSecond: number;
  maxAddresses: number;
  /** Milliseconds, monotonic; default performance.now(). */
  now?: () => number;
}

interface ByteBudget {
  /** Bytes that may still go out at once; negative: sent ahead of the rate, to be waited off. */
  bytes: number;
  at: number;
}

/**
 * Paces byte streams (replay downloads) per address and for the whole server. A stream sends a
 * page, tells the pacer how big it was, and waits as long as it says before the next: the page is
 * paid for afterwards (budgets may go negative), so a small history goes out at once and a huge
 * one at the rate. Each budget holds at most one second's worth.
 */
export class BytePacer {
  private readonly addresses = new Map<string, ByteBudget>();
  private readonly total: ByteBudget;
  private readonly options: Required<BytePacerOptions>;

  constructor(options: BytePacerOptions) {
    this.options = { now: () => performance.now(), ...options };
    this.total = { bytes: options.totalBytesPerSecond, at: this.options.now() };
  }

  /** Counts `bytes` sent to `address`; returns how many ms to wait before sending more (0: none). */
  spend(address: string, bytes: number): number {
    const { perAddressBytesPerSecond, totalBytesPerSecond, maxAddresses, now } = this.options;
    const time = now();
    const mine = this.addresses.get(address) ?? { bytes: perAddressBytesPerSecond, at: time };
    this.addresses.delete(address);
    this.addresses.set(address, mine); // most recently used last: the first key is the one to forget
    if (this.addresses.size > maxAddresses) this.addresses.delete(this.addresses.keys().next().value!);
    return Math.max(charge(mine, perAddressBytesPerSecond, bytes, time), charge(this.total, totalBytesPerSecond, bytes, time));
  }
}

/** Refills `budget` at `rate` bytes/s (up to a second's worth), takes `bytes`; the wait it owes (ms). */
function charge(budget: ByteBudget, rate: number, bytes: number, time: number): number {
  budget.bytes = Math.min(rate, budget.bytes + ((time - budget.at) / 1000) * rate) - bytes;
  budget.at = time;
  return budget.bytes < 0 ? (-budget.bytes / rate) * 1000 : 0;
}
