/**
 * The tempo of an external MIDI clock, from its pulses' arrival times (24 a quarter note).
 *
 * A least-squares line through the recent pulses (time against pulse number) gives the pulse
 * period; its slope averages out each pulse's arrival jitter (USB, the OS, the DAW's own timer)
 * instead of reacting to it, so the estimate is steady within a small fraction of a BPM. The line
 * takes two beats of pulses to first answer, then keeps up to eight beats while the pulses stay on
 * it; when several pulses in a row land off it the same way (the tempo changed), it starts over
 * from them. A gap (the clock stopped) starts over too. Pure: the times come in as numbers (ms).
 */
import { PULSES_PER_QUARTER } from './midi-bytes.ts';

export interface ClockTempoOptions {
  /** Pulses needed before a first estimate (default 48: two beats). */
  minPulses?: number;
  /** Pulses the line keeps at most (default 192: eight beats). */
  maxPulses?: number;
  /** How far off the line (ms) a pulse counts as a sign of a tempo change (default 3). */
  offMs?: number;
  /** How many off pulses in a row, all late or all early, mean a new tempo (default 4). */
  offRun?: number;
  /** A gap longer than this (ms) means the clock stopped (default 500: slower than 5 BPM). */
  gapMs?: number;
}

export class ClockTempo {
  private readonly minPulses: number;
  private readonly maxPulses: number;
  private readonly offMs: number;
  private readonly offRun: number;
  private readonly gapMs: number;
  /** Arrival times (ms) of the pulses on the line, oldest first. */
  private times: number[] = [];
  /** Signs of the recent off-line pulses (+1 late, -1 early), a run being counted. */
  private off: number[] = [];
  private fit: { period: number; at0: number } | null = null;

  constructor(options: ClockTempoOptions = {}) {
    this.minPulses = options.minPulses ?? 48;
    this.maxPulses = options.maxPulses ?? 192;
    this.offMs = options.offMs ?? 3;
    this.offRun = options.offRun ?? 4;
    this.gapMs = options.gapMs ?? 500;
  }

  /** Quarter notes a minute, or null until two beats of pulses have come. */
  get bpm(): number | null {
    return this.fit && this.times.length >= this.minPulses ? 60_000 / (this.fit.period * PULSES_PER_QUARTER) : null;
  }

  /** Milliseconds between pulses, as estimated (null: not yet). */
  get period(): number | null {
    return this.bpm === null ? null : this.fit!.period;
  }

  /** When pulse `n` pulses after the last one is due by the line (ms), or null without one. */
  predict(n = 1): number | null {
    if (!this.fit || this.times.length < 2) return null;
    return this.fit.at0 + (this.times.length - 1 + n) * this.fit.period;
  }

  /** Forgets everything (the clock went away). */
  reset(): void {
    this.times = [];
    this.off = [];
    this.fit = null;
  }

  /** A pulse arrived at `at` (ms). */
  pulse(at: number): void {
    const last = this.times.at(-1);
    if (last !== undefined && at - last > this.gapMs) this.reset();
    const expected = this.times.length >= this.minPulses ? this.predict() : null;
    if (expected !== null && Math.abs(at - expected) > this.offMs) {
      this.off.push(Math.sign(at - expected));
      if (this.off.length >= this.offRun && this.off.every((s) => s === this.off[0])) {
        // A new tempo: the line starts again from the pulses that left the old one.
        this.times = this.times.slice(-(this.offRun - 1));
        this.off = [];
      }
    } else {
      this.off = [];
    }
    this.times.push(at);
    if (this.times.length > this.maxPulses) this.times.shift();
    this.refit();
  }

  private refit(): void {
    const n = this.times.length;
    if (n < 2) {
      this.fit = null;
      return;
    }
    // Least squares of time against index: x = 0..n-1, relative to the first time for precision.
    const t0 = this.times[0]!;
    const meanX = (n - 1) / 2;
    let meanY = 0;
    for (const t of this.times) meanY += t - t0;
    meanY /= n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      const dx = i - meanX;
      sxy += dx * (this.times[i]! - t0 - meanY);
      sxx += dx * dx;
    }
    const period = sxy / sxx;
    this.fit = { period, at0: t0 + meanY - period * meanX };
  }
}
