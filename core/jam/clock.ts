/**
 * NTP-style estimate of a peer's clock against the session host's: offset (server − local) and
 * round trip from ping/pong samples, outliers rejected, drift fitted.
 *
 * A sample's offset is off by half the difference of its two one-way delays (which no round trip
 * can tell apart), so the samples with the lowest round trips are the trustworthy ones (Cristian,
 * NTP's clock filter): the offset is the median of the few lowest-round-trip samples of a window
 * of recent ones (a sixteenth, at least four), each carried to now along the fitted drift. More of
 * them only lets the slower trips' asymmetry in (a quartile was 0.4 ms worse through bench:jam's
 * proxy).
 *
 * Drift (a clock that runs fast or slow, in ppm) is the slope of each direction's one-way delay
 * over local time (t1 − t0 and t2 − t3 each rise or fall with it), fitted per direction by a
 * robust line (Theil–Sen) and weighted by how steady that direction is: a path whose delay jitters
 * in one direction only (an upload queue) still gives a clean slope from the other, where the
 * round trip's midpoint would carry the noisy direction's jitter into every slope. The drift keeps
 * the estimate in phase between pings and stops the offset stepping as samples come and go. A step
 * (the host restarted, a laptop woke up, a reconnect to another host) shows as several samples in a
 * row that the current estimate cannot explain; the window then restarts.
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
  /** Least samples the offset uses ... */
  minBest?: number;
  /** ... else this share of the window, those with the lowest round trips. */
  bestShare?: number;
  /** A sample whose offset interval misses the estimate by more than this is inconsistent (ms). */
  stepToleranceMs?: number;
  /** This many inconsistent samples in a row mean the clock stepped: the window restarts from them. */
  stepSamples?: number;
  /** Drift beyond this is not believed (ppm); the fit is clamped. */
  maxDriftPpm?: number;
  /**
   * A drift is fitted only over samples spanning at least this long (local ms): over two or three
   * seconds the slope is mostly the delays' noise (through bench:jam's proxy the peers read
   * 100-260 ppm off at 3 s, where no drift at all is 100 ppm off at most).
   */
  minDriftSpanMs?: number;
  /**
   * The drift is fitted over a longer history than the window, once it holds 6 stretches: each
   * direction's least delay of each stretch this long (local ms) ...
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
  /** Local send and receive times (t0, t3). */
  sentAt: number;
  receivedAt: number;
  /** t1 − t0: the offset plus the way up; t2 − t3: the offset less the way down. */
  up: number;
  down: number;
}

/** A point of one direction's delay series: local time, and that direction's t1 − t0 or t2 − t3. */
interface DelayPoint {
  at: number;
  value: number;
}

/** Stretches of history before the drift is fitted over them rather than over the window. */
const MIN_DRIFT_BUCKETS = 6;

const DEFAULTS: Required<ClockEstimatorOptions> = {
  windowSize: 64,
  windowMs: 120_000,
  readySamples: 6,
  minBest: 4,
  bestShare: 1 / 16,
  stepToleranceMs: 5,
  stepSamples: 3,
  maxDriftPpm: 500,
  minDriftSpanMs: 5_000,
  driftBucketMs: 5_000,
  driftBuckets: 120,
};

export class ClockEstimator {
  private readonly options: Required<ClockEstimatorOptions>;
  private window: Point[] = [];
  /**
   * Each direction's least delay of each drift bucket, oldest first, with its bucket number: the
   * lowest t1 − t0 (up) and the highest t2 − t3 (down).
   */
  private upBuckets: { index: number; point: DelayPoint }[] = [];
  private downBuckets: { index: number; point: DelayPoint }[] = [];
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
    this.upBuckets = [];
    this.downBuckets = [];
    this.suspects = [];
    this.fit = { ref: 0, offset: 0, drift: 0, rtt: NaN, bestRtt: NaN };
  }

  /** Adds a sample; returns false (and ignores it) when it is impossible (negative round trip, not finite). */
  add(sample: ClockSample): boolean {
    const { t0, t1, t2, t3 } = sample;
    if (![t0, t1, t2, t3].every(Number.isFinite)) return false;
    const rtt = t3 - t0 - (t2 - t1);
    if (rtt < 0 || t3 < t0 || t2 < t1) return false;
    const point: Point = {
      at: (t0 + t3) / 2,
      offset: (t1 - t0 + (t2 - t3)) / 2,
      rtt,
      sentAt: t0,
      receivedAt: t3,
      up: t1 - t0,
      down: t2 - t3,
    };
    this.accepted++;
    if (this.window.length && point.at < this.window.at(-1)!.at - this.options.windowMs) return false;

    if (this.window.length >= Math.min(this.options.readySamples, 3)) {
      // The true offset lies within offset ± rtt/2; an estimate outside that (plus a tolerance) is wrong.
      const miss = Math.abs(point.offset - this.offsetAt(point.at)) - point.rtt / 2;
      if (miss > this.options.stepToleranceMs) {
        this.suspects.push(point);
        if (this.stepFlagged || this.suspects.length >= this.options.stepSamples) {
          this.window = this.suspects;
          this.upBuckets = [];
          this.downBuckets = [];
          for (const p of this.window) this.addToBuckets(p);
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
    this.addToBuckets(point);
    const newest = point.at;
    while (this.window.length > this.options.windowSize) this.window.shift();
    while (this.window.length && this.window[0]!.at < newest - this.options.windowMs) this.window.shift();
    this.refit();
    return true;
  }

  private addToBuckets(point: Point): void {
    // Least delay: the lowest t1 − t0, and the highest t2 − t3 (kept negated, so both keep the lowest).
    this.addToBucket(this.upBuckets, { at: point.sentAt, value: point.up });
    this.addToBucket(this.downBuckets, { at: point.receivedAt, value: -point.down });
  }

  private addToBucket(buckets: { index: number; point: DelayPoint }[], point: DelayPoint): void {
    const index = Math.floor(point.at / this.options.driftBucketMs);
    const last = buckets.at(-1);
    if (last && last.index === index) {
      if (point.value < last.point.value) last.point = point;
      return;
    }
    if (last && index < last.index) return;
    buckets.push({ index, point });
    while (buckets.length > this.options.driftBuckets) buckets.shift();
  }

  private refit(): void {
    const points = this.window;
    if (!points.length) return;
    const byRtt = [...points].sort((a, b) => a.rtt - b.rtt);
    const count = Math.min(points.length, Math.max(this.options.minBest, Math.ceil(points.length * this.options.bestShare)));
    const best = byRtt.slice(0, count);
    const rtt = median(points.map((p) => p.rtt));
    const bestRtt = byRtt[0]!.rtt;
    const drift = this.driftOf(points);
    // The median of the best samples' offsets, each carried along the drift to the newest time.
    const ref = points.at(-1)!.at;
    const offset = median(best.map((p) => p.offset + drift * (ref - p.at)));
    this.fit = { ref, offset, drift, rtt, bestRtt };
  }

  /**
   * The drift: each direction's slope (over the longer history once it holds enough stretches,
   * else over the window), weighted by the inverse of its variance.
   */
  private driftOf(points: Point[]): number {
    const long = this.upBuckets.length >= MIN_DRIFT_BUCKETS && this.downBuckets.length >= MIN_DRIFT_BUCKETS;
    const up = long ? this.upBuckets.map((b) => b.point) : points.map((p) => ({ at: p.sentAt, value: p.up }));
    const down = long
      ? this.downBuckets.map((b) => ({ at: b.point.at, value: -b.point.value }))
      : points.map((p) => ({ at: p.receivedAt, value: p.down }));
    const fits = [this.slopeOf(up), this.slopeOf(down)].filter((f) => f !== null);
    if (!fits.length) return 0;
    let weights = 0;
    let sum = 0;
    for (const f of fits) {
      weights += 1 / f.variance;
      sum += f.slope / f.variance;
    }
    const limit = this.options.maxDriftPpm / 1e6;
    return Math.max(-limit, Math.min(limit, sum / weights));
  }

  /**
   * Theil–Sen (the median of pairwise slopes) over pairs far enough apart in time that the delay's
   * jitter does not swamp the slope, and how uncertain it is: the spread (median absolute
   * deviation) of the points about the line over their spread in time.
   */
  private slopeOf(points: DelayPoint[]): { slope: number; variance: number } | null {
    let first = Infinity;
    let last = -Infinity;
    for (const p of points) {
      first = Math.min(first, p.at);
      last = Math.max(last, p.at);
    }
    const span = last - first;
    if (!(span >= this.options.minDriftSpanMs)) return null;
    const minGap = Math.max(this.options.minDriftSpanMs / 4, span / 8);
    // A typed array: its numeric sort is several times faster than an array's (7,000 pairs over a long history).
    const slopes = new Float64Array((points.length * (points.length - 1)) / 2);
    let count = 0;
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const dt = points[j]!.at - points[i]!.at;
        if (Math.abs(dt) >= minGap) slopes[count++] = (points[j]!.value - points[i]!.value) / dt;
      }
    }
    if (count < 3) return null;
    const slope = median(slopes.subarray(0, count));
    const residuals = points.map((p) => p.value - slope * (p.at - first));
    const centre = median(residuals);
    // A floor (1 µs): a perfectly steady direction would otherwise take all the weight, with none left to check it.
    const spread = Math.max(1e-3, median(residuals.map((r) => Math.abs(r - centre))));
    const meanAt = points.reduce((sum, p) => sum + p.at, 0) / points.length;
    const sxx = points.reduce((sum, p) => sum + (p.at - meanAt) ** 2, 0);
    return { slope, variance: (spread * spread) / sxx };
  }
}

export function median(values: number[] | Float64Array): number {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
