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
