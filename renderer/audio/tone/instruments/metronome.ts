/**
 * The metronome click: a short sine blip, higher and louder on the downbeat so the bar is easy
 * to hear (the count-in uses the same sound).
 */
import { Gain, type BaseContext, type ToneAudioNode } from 'tone';
import { Voice, chain, hit } from './voice-kit.ts';

export interface Metronome {
  readonly output: ToneAudioNode;
  click(time: number, accent: boolean): void;
  dispose(): void;
}

export function createMetronome(context: BaseContext): Metronome {
  const output = new Gain({ context, gain: 0.35 });
  return {
    output,
    click(time, accent) {
      const voice = new Voice(context);
      const osc = voice.oscillator('sine', accent ? 1760 : 1320);
      const amp = voice.gain();
      const end = hit(amp.gain, time, accent ? 1 : 0.55, 0.001, 0.04);
      chain(osc, amp, output);
      voice.play(time, end);
    },
    dispose() {
      output.dispose();
    },
  };
}
