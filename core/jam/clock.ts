/**
 * NTP-style estimate of a peer's clock against the session host's: offset (server − local) and
 * round trip from ping/pong samples, outliers rejected, drift fitted.
 *
 * A sample's offset is off by at most half its round trip (the unknown split of the trip between
 * the two directions), so the samples with the lowest round trips are the trustworthy ones: the
 * estimate uses the best quartile by round trip of a window of recent samples. Drift (a clock that
 * runs fast or slow, in ppm) comes from a robust line (Theil–Sen) through those samples' offsets
 * over local time, so the estimate does not lag behind a drifting clock and stays in phase between
 * pings. A step (the host restarted, a laptop woke up, a reconnect to another host) shows as
 * several samples in a row that the current estimate cannot explain; the window then restarts.
 */

/** One round trip: t0 client send, t1 server receive, t2 server send, t3 client receive (ms). */
export interface ClockSample {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

export interface ClockEstimatorOptions {
  /** Samples kept (the most recent). */
  windowSize?: number;
  /** Samples older than this (local ms before the newest) are dropped. */
  windowMs?: number;
  /** `ready` once the window holds this many samples. */
  readySamples?: number;
  /** Least samples the estimate uses (the best quartile, or this many when the window is small). */
  minBest?: number;
  /** A sample whose offset interval misses the estimate by more than this is inconsistent (ms). */
  stepToleranceMs?: number;
  /** This many inconsistent samples in a row mean the clock stepped: the window restarts from them. */
  stepSamples?: number;
  /** Drift beyond this is not believed (ppm); the fit is clamped. */
  maxDriftPpm?: number;
  /** A drift is fitted only over samples spanning at least this long (local ms). */
  minDriftSpanMs?: number;
  /**
   * The drift is fitted over a longer history than the window: the lowest-round-trip sample of
   * each stretch this long (local ms) ...
   */
  driftBucketMs?: number;
  /** ... for this many stretches. */
  driftBuckets?: number;
}

interface Point {
  /** Local time of the sample's midpoint. */
  at: number;
  offset: number;
  rtt: number;
}

const DEFAULTS: Required<ClockEstimatorOptions> = {
  windowSize: 64,
  windowMs: 120_000,
  readySamples: 6,
  minBest: 4,
  stepToleranceMs: 5,
  stepSamples: 3,
  maxDriftPpm: 500,
  minDriftSpanMs: 2_000,
  driftBucketMs: 5_000,
  driftBuckets: 120,
};

export class ClockEstimator {
  private readonly options: Required<ClockEstimatorOptions>;
  private window: Point[] = [];
  /** The best sample of each drift bucket, oldest first, with its bucket number. */
  private buckets: { index: number; point: Point }[] = [];
  private suspects: Point[] = [];
  private stepFlagged = false;
  private fit = { ref: 0, offset: 0, drift: 0, rtt: NaN, bestRtt: NaN };
  /** Samples taken in all (including dropped ones). */
  accepted = 0;
  /** Times the window restarted because the clock stepped. */
  steps = 0;

  constructor(options: ClockEstimatorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Samples in the window now. */
  get samples(): number {
    return this.window.length;
  }

  get ready(): boolean {
    return this.window.length >= this.options.readySamples;
  }

  /** server − local at the newest sample (ms); 0 before any sample. */
  get offsetMs(): number {
    return this.window.length ? this.offsetAt(this.window.at(-1)!.at) : 0;
  }

  /** The median round trip of the window (ms); NaN before any sample. */
  get rttMs(): number {
    return this.fit.rtt;
  }

  /** The lowest round trip of the window: half of it bounds the offset error (ms). */
  get bestRttMs(): number {
    return this.fit.bestRtt;
  }

  /** How fast the server's clock runs against the local one (parts per million). */
  get driftPpm(): number {
    return this.fit.drift * 1e6;
  }

  /** server − local at a local time. */
  offsetAt(localMs: number): number {
    return this.fit.offset + this.fit.drift * (localMs - this.fit.ref);
  }

  serverNow(localMs: number): number {
    return localMs + this.offsetAt(localMs);
  }

  /** The local time at which the server's clock reads `serverMs`. */
  localAt(serverMs: number): number {
    const { ref, offset, drift } = this.fit;
    return (serverMs - offset + drift * ref) / (1 + drift);
  }

  /**
   * The next samples may come from a new regime (a reconnect): the first one that the estimate
   * cannot explain restarts the window at once instead of waiting for `stepSamples` in a row.
   */
  flagStep(): void {
    this.stepFlagged = true;
  }

  /** Forgets every sample. */
  reset(): void {
    this.window = [];
    this.buckets = [];
    this.suspects = [];
    this.fit = { ref: 0, offset: 0, drift: 0, rtt: NaN, bestRtt: NaN };
  }

  /** Adds a sample; returns false (and ignores it) when it is impossible (negative round trip, not finite). */
  add(sample: ClockSample): boolean {
    const { t0, t1, t2, t3 } = sample;
    if (![t0, t1, t2, t3].every(Number.isFinite)) return false;
    const rtt = t3 - t0 - (t2 - t1);
    if (rtt < 0 || t3 < t0 || t2 < t1) return false;
    const point: Point = { at: (t0 + t3) / 2, offset: (t1 - t0 + (t2 - t3)) / 2, rtt };
    this.accepted++;
    if (this.window.length && point.at < this.window.at(-1)!.at - this.options.windowMs) return false;

    if (this.window.length >= Math.min(this.options.readySamples, 3)) {
      // The true offset lies within offset ± rtt/2; an estimate outside that (plus a tolerance) is wrong.
      const miss = Math.abs(point.offset - this.offsetAt(point.at)) - point.rtt / 2;
      if (miss > this.options.stepToleranceMs) {
        this.suspects.push(point);
        if (this.stepFlagged || this.suspects.length >= this.options.stepSamples) {
          this.window = this.suspects;
          this.buckets = [];
          for (const p of this.window) this.addToBucket(p);
          this.suspects = [];
          this.stepFlagged = false;
          this.steps++;
          this.refit();
        }
        return true;
      }
      this.suspects = [];
      this.stepFlagged = false;
    }
    this.window.push(point);
    this.addToBucket(point);
    const newest = point.at;
    while (this.window.length > this.options.windowSize) this.window.shift();
    while (this.window.length && this.window[0]!.at < newest - this.options.windowMs) this.window.shift();
    this.refit();
    return true;
  }

  private addToBucket(point: Point): void {
    const index = Math.floor(point.at / this.options.driftBucketMs);
    const last = this.buckets.at(-1);
    if (last && last.index === index) {
      if (point.rtt < last.point.rtt) last.point = point;
      return;
    }
    if (last && index < last.index) return;
    this.buckets.push({ index, point });
    while (this.buckets.length > this.options.driftBuckets) this.buckets.shift();
  }

  private refit(): void {
    const points = this.window;
    if (!points.length) return;
    const byRtt = [...points].sort((a, b) => a.rtt - b.rtt);
    const count = Math.min(points.length, Math.max(this.options.minBest, Math.ceil(points.length / 4)));
    const best = byRtt.slice(0, count);
    const rtt = median(points.map((p) => p.rtt));
    const bestRtt = byRtt[0]!.rtt;

    // Drift: Theil–Sen (median of pairwise slopes) over the best sample of each bucket of a longer
    // history, and over the window's best samples, using only pairs far enough apart in time that
    // the per-sample error (a fraction of a round trip) does not swamp the slope.
    const history = this.buckets.length >= 4 ? this.buckets.map((b) => b.point) : best;
    const drift = this.driftOf(history.length >= 4 ? history : best);
    // The line passes through the median of the best samples' offsets, referred to the newest time.
    const ref = points.at(-1)!.at;
    const offset = median(best.map((p) => p.offset + drift * (ref - p.at)));
    this.fit = { ref, offset, drift, rtt, bestRtt };
  }

  private driftOf(points: Point[]): number {
    let first = Infinity;
    let last = -Infinity;
    for (const p of points) {
      first = Math.min(first, p.at);
      last = Math.max(last, p.at);
    }
    const span = last - first;
    if (!(span >= this.options.minDriftSpanMs)) return 0;
    const minGap = Math.max(this.options.minDriftSpanMs / 4, span / 8);
    const slopes: number[] = [];
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const dt = points[j]!.at - points[i]!.at;
        if (Math.abs(dt) >= minGap) slopes.push((points[j]!.offset - points[i]!.offset) / dt);
      }
    }
    if (slopes.length < 3) return 0;
    const limit = this.options.maxDriftPpm / 1e6;
    return Math.max(-limit, Math.min(limit, median(slopes)));
  }
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
