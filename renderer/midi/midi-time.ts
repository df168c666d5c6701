/**
 * Where MIDI timestamps come from. Web MIDI's `MIDIOutput.send(data, timestamp)` takes a
 * performance.now() time; the audio engine schedules on the AudioContext's clock and the room on
 * the server's. Both map to "when this page hears it" in performance.now() ms, and a port's
 * latency (the DAW's or the synth's own, set by the user) is taken off so that what the port
 * plays is heard with the page's own sound. Pure.
 */
import type { HeardStamp } from '../audio/contract.ts';
import type { ClockMap } from '../jam/time-map.ts';

/** performance.now() ms at which audio-context time `audioTime` (s) is heard (the stamp pairs the two clocks). */
export function perfAtAudio(audioTime: number, stamp: HeardStamp): number {
  return stamp.performanceTime + (audioTime - stamp.contextTime) * 1000;
}

/**
 * performance.now() ms at which server time `serverMs` is heard here: the clock estimate, less
 * this peer's latency compensation (positive: it plays earlier), as the audio engine places a
 * downbeat (time-map.ts audioAt).
 */
export function perfAtServer(serverMs: number, map: Pick<ClockMap, 'clock' | 'timeOrigin' | 'compensationMs'>): number {
  return map.clock.localAt(serverMs) - map.timeOrigin - map.compensationMs;
}

/** The timestamp a port is sent for a moment heard at `heardPerf`: earlier by the port's latency (ms). */
export function portTimestamp(heardPerf: number, latencyMs: number): number {
  return heardPerf - latencyMs;
}

/**
 * An offset between two clocks, steadied for MIDI timestamps. The readings a page has jump by a
 * few ms now and then (the heard stamp in a context's first moments, where the output timestamp
 * and the reported latency take turns; the server clock estimate as new pings come in), while the
 * clocks themselves drift apart by well under a ms a second. So the offset used moves toward each
 * new reading by at most `slewMsPerS` per second since the last one: a jump bends the timing of
 * what is sent by a fraction of a ms per message instead of by the jump. A reading further off
 * than `snapMs` for `snapCount` readings in a row (a context suspended, another output device)
 * is taken at once.
 */
export class SteadyOffset {
  private offset: number | null = null;
  private lastAt = 0;
  private away = 0;
  private readonly slewMsPerS: number;
  private readonly snapMs: number;
  private readonly snapCount: number;

  constructor(options: { slewMsPerS?: number; snapMs?: number; snapCount?: number } = {}) {
    this.slewMsPerS = options.slewMsPerS ?? 5;
    this.snapMs = options.snapMs ?? 80;
    this.snapCount = options.snapCount ?? 3;
  }

  /** The steadied offset after a new `reading` (ms) taken at `atMs` (performance ms). */
  read(reading: number, atMs: number): number {
    if (this.offset === null) {
      this.offset = reading;
    } else {
      const diff = reading - this.offset;
      if (Math.abs(diff) > this.snapMs) {
        if (++this.away >= this.snapCount) {
          this.offset = reading;
          this.away = 0;
        }
      } else {
        this.away = 0;
        const allowed = (Math.max(0, atMs - this.lastAt) / 1000) * this.slewMsPerS;
        this.offset += Math.max(-allowed, Math.min(allowed, diff));
      }
    }
    this.lastAt = atMs;
    return this.offset;
  }
}

/** The audio ↔ performance clock pair through a SteadyOffset (notes: audio times to timestamps). */
export class SteadyClockPair {
  private readonly steady: SteadyOffset;

  constructor(options?: ConstructorParameters<typeof SteadyOffset>[0]) {
    this.steady = new SteadyOffset(options);
  }

  /** The steadied pair for a new reading. */
  read(stamp: HeardStamp): HeardStamp {
    const offset = this.steady.read(stamp.performanceTime - stamp.contextTime * 1000, stamp.performanceTime);
    return { contextTime: stamp.contextTime, performanceTime: stamp.contextTime * 1000 + offset };
  }
}
