/**
 * The metronome click: a short sine blip, higher and louder on the downbeat so the bar is easy
 * to hear (the count-in uses the same sound).
 */
import { Gain, type BaseContext, type ToneAudioNode } from 'tone';
import { Voice, chain, hit } from './voice-kit.ts';

export interface Metronome {
  readonly output: ToneAudioNode;
  click(time: number, accent: boolean): void;
  /** Clicks committed to start at or after `time` do not sound (a stop, a re-timed bar line). */
  silence(time: number): void;
  dispose(): void;
}

export function createMetronome(context: BaseContext): Metronome {
  const output = new Gain({ context, gain: 0.35 });
  /** Clicks not yet sounded, by start time: silence() disconnects them. */
  let pending: { start: number; amp: GainNode }[] = [];
  return {
    output,
    click(time, accent) {
      const voice = new Voice(context);
      const osc = voice.oscillator('sine', accent ? 1760 : 1320);
      const amp = voice.gain();
      const end = hit(amp.gain, time, accent ? 1 : 0.55, 0.001, 0.04);
      chain(osc, amp, output);
      voice.play(time, end);
      pending = pending.filter((c) => c.start >= context.currentTime - 0.1);
      pending.push({ start: time, amp });
    },
    silence(time) {
      for (const c of pending) if (c.start >= time) c.amp.disconnect();
      pending = pending.filter((c) => c.start < time);
    },
    dispose() {
      output.dispose();
    },
  };
}
