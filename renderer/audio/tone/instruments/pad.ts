/**
 * A warm pad for the "other" role: per note two slowly-beating detuned sawtooths with a slow
 * attack and a long release, so chords overlap into each other, under a low low-pass.
 */
import { Gain } from 'tone';
import { midiToHz, type Instrument, type InstrumentContext } from './instrument.ts';
import { VoiceBudget, biquad, chain, playDetunedSaws } from './voice-kit.ts';

const AMP = { attack: 0.35, decay: 0.6, sustain: 0.8, release: 1.1 };

export function createPad({ context }: InstrumentContext): Instrument {
  const output = new Gain({ context, gain: 1 });
  const tone = biquad(context, 'lowpass', 1600, 0.7);
  const level = context.createGain();
  level.gain.value = 0.2;
  chain(tone, level, output);
  const budget = new VoiceBudget(32);
  return {
    output,
    play(pitch, time, duration, velocity) {
      playDetunedSaws(context, budget, tone, midiToHz(pitch), 14, { time, duration, velocity }, AMP);
    },
    dispose() {
      for (const node of [tone, level]) node.disconnect();
      output.dispose();
    },
  };
}
