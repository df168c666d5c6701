/**
 * A bright lead: per note two sawtooths detuned against each other (a chorus-like shimmer),
 * through a gently resonant low-pass that keeps the fizz out, and a dotted-eighth echo synced to
 * the song's tempo.
 */
import { Gain } from 'tone';
import { midiToHz, type Instrument, type InstrumentContext } from './instrument.ts';
import { VoiceBudget, biquad, chain, playDetunedSaws } from './voice-kit.ts';

const AMP = { attack: 0.008, decay: 0.25, sustain: 0.65, release: 0.2 };
/** A dotted eighth, in quarter notes. */
const ECHO_QUARTERS = 0.75;
const MAX_ECHO = 2;

export function createLead({ context, bpm }: InstrumentContext): Instrument {
  const output = new Gain({ context, gain: 1 });
  const tone = biquad(context, 'lowpass', 5200, 1.2);
  const level = context.createGain();
  level.gain.value = 0.3;
  // Echo: tone → delay ⟲ feedback, the repeats mixed under the dry signal.
  const delay = context.createDelay(MAX_ECHO);
  delay.delayTime.value = Math.min(MAX_ECHO, (60 / bpm) * ECHO_QUARTERS);
  const feedback = context.createGain();
  feedback.gain.value = 0.28;
  const wet = context.createGain();
  wet.gain.value = 0.2;
  chain(tone, level, output);
  chain(tone, delay, wet, level);
  chain(delay, feedback, delay);
  const budget = new VoiceBudget(16);
  return {
    output,
    play(pitch, time, duration, velocity) {
      playDetunedSaws(context, budget, tone, midiToHz(pitch), 8, { time, duration, velocity }, AMP);
    },
    setTempo(newBpm) {
      delay.delayTime.setTargetAtTime(Math.min(MAX_ECHO, (60 / newBpm) * ECHO_QUARTERS), context.currentTime, 0.02);
    },
    dispose() {
      for (const node of [tone, level, delay, feedback, wet]) node.disconnect();
      output.dispose();
    },
  };
}
