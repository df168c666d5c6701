/**
 * A warm pad for the "other" role: per note two slowly-beating detuned sawtooths with a slow
 * attack and a long release, so chords overlap into each other, under a low low-pass.
 */
import { Gain } from 'tone';
import { midiToHz, type Instrument, type InstrumentContext } from './instrument.ts';
import { Voice, VoiceBudget, adsr, chain } from './voice-kit.ts';

const AMP = { attack: 0.35, decay: 0.6, sustain: 0.8, release: 1.1 };

export function createPad({ context }: InstrumentContext): Instrument {
  const output = new Gain({ context, gain: 1 });
  const tone = context.createBiquadFilter();
  tone.type = 'lowpass';
  tone.frequency.value = 1600;
  tone.Q.value = 0.7;
  const level = context.createGain();
  level.gain.value = 0.2;
  chain(tone, level, output);
  const budget = new VoiceBudget(32);
  return {
    output,
    play(pitch, time, duration, velocity) {
      const hz = midiToHz(pitch);
      const voice = new Voice(context);
      const a = voice.oscillator('sawtooth', hz, -14);
      const b = voice.oscillator('sawtooth', hz, 14);
      const amp = voice.gain();
      const end = adsr(amp.gain, time, duration, velocity, AMP);
      if (!budget.admit(time, end)) return;
      chain(a, amp);
      chain(b, amp, tone);
      voice.play(time, end);
    },
    dispose() {
      for (const node of [tone, level]) node.disconnect();
      output.dispose();
    },
  };
}
