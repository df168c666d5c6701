/**
 * An electric piano in the FM tradition (the DX7's "E. Piano 1" family): per note a sine carrier
 * with a sine modulator at the same frequency whose index falls quickly — a bright, bell-like
 * attack settling into a mellow tone, brighter the harder the key is struck — plus a faint tine
 * two octaves up that rings briefly, and an amplitude that keeps decaying while the key is held,
 * as a struck tine does. The instrument auto-pans gently (the suitcase piano's stereo tremolo).
 */
import { Gain } from 'tone';
import { midiToHz, type Instrument, type InstrumentContext } from './instrument.ts';
import { Voice, VoiceBudget, adsr, chain, hit } from './voice-kit.ts';

const AMP = { attack: 0.002, decay: 2.6, sustain: 0.15, release: 0.45 };
const INDEX = { attack: 0.001, decay: 0.5, sustain: 0.15, release: 0.4 };

export function createElectricPiano({ context }: InstrumentContext): Instrument {
  const output = new Gain({ context, gain: 1 });
  const level = context.createGain();
  level.gain.value = 0.55;
  // Auto-pan: a 4.2 Hz sine sways the stereo position by ±0.35.
  const panner = context.createStereoPanner();
  const lfo = context.createOscillator();
  const depth = context.createGain();
  lfo.frequency.value = 4.2;
  depth.gain.value = 0.35;
  chain(lfo, depth, panner.pan);
  chain(level, panner, output);
  lfo.start(context.currentTime);
  const budget = new VoiceBudget(32);
  return {
    output,
    play(pitch, time, duration, velocity) {
      const hz = midiToHz(pitch);
      const voice = new Voice(context);
      const carrier = voice.oscillator('sine', hz);
      const modulator = voice.oscillator('sine', hz);
      const index = voice.gain();
      // FM index in Hz of deviation: 1.5 (soft) to 5 (hard) times the note's frequency.
      adsr(index.gain, time, duration, hz * (1.5 + 3.5 * velocity), INDEX);
      const tine = voice.oscillator('sine', hz * 4);
      const tineLevel = voice.gain();
      hit(tineLevel.gain, time, 0.08 * velocity, 0.001, 0.25);
      const amp = voice.gain();
      const end = adsr(amp.gain, time, duration, velocity, AMP);
      if (!budget.admit(time, end)) return;
      chain(modulator, index, carrier.frequency);
      chain(carrier, amp, level);
      chain(tine, tineLevel, level);
      voice.play(time, end);
    },
    dispose() {
      lfo.stop();
      for (const node of [lfo, depth, panner, level]) node.disconnect();
      output.dispose();
    },
  };
}
