/**
 * A round mono bass: per note a sawtooth and a triangle an octave below through a resonant
 * low-pass whose envelope opens on the attack and settles low (the "pluck"), then an amplitude
 * envelope. Monophonic on purpose: the scheduler hands it one note at a time (presets.ts
 * isMonophonic), so notes never pile up into mud.
 */
import { Gain } from 'tone';
import { midiToHz, type Instrument, type InstrumentContext } from './instrument.ts';
import { Voice, VoiceBudget, adsr, chain } from './voice-kit.ts';

const AMP = { attack: 0.004, decay: 0.35, sustain: 0.75, release: 0.07 };
/** The filter opens to base × 2^3.2 and settles at base × 2^0.6; the base follows the note a little. */
const FILTER_OCTAVES = 3.2;
const FILTER_SUSTAIN_OCTAVES = 0.6;

export function createBass({ context }: InstrumentContext): Instrument {
  const output = new Gain({ context, gain: 1 });
  const budget = new VoiceBudget(8);
  return {
    output,
    play(pitch, time, duration, velocity) {
      const hz = midiToHz(pitch);
      const voice = new Voice(context);
      const saw = voice.oscillator('sawtooth', hz);
      const sub = voice.oscillator('triangle', hz / 2);
      const sawLevel = voice.gain(0.42);
      const subLevel = voice.gain(0.3);
      const base = 70 + hz;
      const filter = voice.filter('lowpass', base, 2.2);
      const f = filter.frequency;
      const releaseAt = time + Math.max(duration, 0.004);
      // Harder notes open the filter further.
      f.setValueAtTime(base * 2 ** (FILTER_OCTAVES * (0.6 + 0.4 * velocity)), time + 0.002);
      f.setTargetAtTime(base * 2 ** FILTER_SUSTAIN_OCTAVES, time + 0.002, 0.22 / 3);
      f.setTargetAtTime(base, releaseAt, 0.03);
      const amp = voice.gain();
      const end = adsr(amp.gain, time, duration, velocity, AMP);
      if (!budget.admit(time, end)) return;
      chain(saw, sawLevel, filter);
      chain(sub, subLevel, filter);
      chain(filter, amp, output);
      voice.play(time, end);
    },
    dispose() {
      output.dispose();
    },
  };
}
