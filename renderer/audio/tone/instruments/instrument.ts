/**
 * What every synthesized instrument offers the mixer: an output node and "play this pitch at this
 * time". Instruments never see the song, the scheduler or the track: they only make sound.
 */
import type { BaseContext, ToneAudioNode } from 'tone';

export interface Instrument {
  readonly output: ToneAudioNode;
  /**
   * One note. `time` and `duration` are seconds on the instrument's context; `velocity` is a
   * linear gain 0..1 (presets.ts velocityToGain). Drum kits read `pitch` as a General MIDI key.
   */
  play(pitch: number, time: number, duration: number, velocity: number): void;
  /** Tempo-synced effects (echoes) follow the song. */
  setTempo?(bpm: number): void;
  dispose(): void;
}

export interface InstrumentContext {
  context: BaseContext;
  bpm: number;
}

/** Equal temperament, A4 (MIDI 69) = 440 Hz. */
export function midiToHz(pitch: number): number {
  return 440 * 2 ** ((pitch - 69) / 12);
}
