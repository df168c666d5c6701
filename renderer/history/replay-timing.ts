/**
 * When each state of a replay is shown. A replay keeps the rhythm of the session — a burst of
 * drags plays as a burst — but a coffee break must not stop it for ten minutes, so any pause
 * longer than `maxPauseMs` plays as `maxPauseMs`. The result is a timeline of offsets (ms at 1×)
 * that a clock walks at 1×, 4× or 16×.
 *
 * Pure: the UI drives `ReplayClock` from animation frames and shows `clock.step(now)`.
 */

export const REPLAY_SPEEDS = [1, 4, 16] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** The longest pause a replay keeps, at 1× (4× shows it in a quarter of that). */
export const MAX_PAUSE_MS = 2000;

/**
 * Offsets at 1× (ms from the first step) of steps that happened at `times` (ms since the epoch,
 * in log order). Clocks of different machines are not trusted to agree: a time that goes back
 * counts as no pause.
 */
export function replayOffsets(times: readonly number[], maxPauseMs: number = MAX_PAUSE_MS): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (let i = 0; i < times.length; i++) {
    if (i > 0) offset += Math.min(Math.max(0, times[i]! - times[i - 1]!), maxPauseMs);
    offsets.push(offset);
  }
  return offsets;
}

/** The step shown at `position` (ms at 1×): the last one whose offset is at or before it. */
export function stepAt(offsets: readonly number[], position: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A replay's clock: play, pause, speed, seek to a step. Time is passed in (`now`, ms), so tests
 * drive it without timers and the UI with performance.now().
 */
export class ReplayClock {
  readonly offsets: readonly number[];
  private speedValue: ReplaySpeed = 1;
  private playingValue = false;
  /** Replay time (ms at 1×) at wall time `anchorAt`. */
  private anchorPosition = 0;
  private anchorAt = 0;

  constructor(offsets: readonly number[]) {
    this.offsets = offsets;
  }

  get playing(): boolean {
    return this.playingValue;
  }
  get speed(): ReplaySpeed {
    return this.speedValue;
  }
  get duration(): number {
    return this.offsets.at(-1) ?? 0;
  }
  get lastStep(): number {
    return Math.max(0, this.offsets.length - 1);
  }

  position(now: number): number {
    if (!this.playingValue) return this.anchorPosition;
    return Math.min(this.duration, this.anchorPosition + (now - this.anchorAt) * this.speedValue);
  }

  step(now: number): number {
    return stepAt(this.offsets, this.position(now));
  }

  /** True once a playing replay has shown its last step (the UI then pauses it). */
  ended(now: number): boolean {
    return this.position(now) >= this.duration;
  }

  /** Plays from where it is; from the start when it had ended. */
  play(now: number): void {
    if (this.playingValue) return;
    if (this.anchorPosition >= this.duration) this.anchorPosition = 0;
    this.anchorAt = now;
    this.playingValue = true;
  }

  pause(now: number): void {
    this.anchorPosition = this.position(now);
    this.anchorAt = now;
    this.playingValue = false;
  }

  setSpeed(speed: ReplaySpeed, now: number): void {
    // Re-anchor first so the change applies from now on, not retroactively.
    this.anchorPosition = this.position(now);
    this.anchorAt = now;
    this.speedValue = speed;
  }

  /** Jumps to a step (scrub, step buttons); playing continues from there. */
  seekStep(step: number, now: number): void {
    const clamped = Math.min(Math.max(0, Math.round(step)), this.lastStep);
    this.anchorPosition = this.offsets[clamped] ?? 0;
    this.anchorAt = now;
  }
}
