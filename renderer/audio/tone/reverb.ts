/** The shared reverb send: one convolver over the synthesized room (../impulse.ts) for every track. */
import { Convolver, Gain, ToneAudioBuffer, type BaseContext, type ToneAudioNode } from 'tone';
import { roomImpulse } from '../impulse.ts';

export interface Reverb {
  /** Sends feed this. */
  readonly input: ToneAudioNode;
  readonly output: ToneAudioNode;
  dispose(): void;
}

export function createReverb(context: BaseContext): Reverb {
  const [left, right] = roomImpulse({ sampleRate: context.sampleRate });
  const buffer = context.createBuffer(2, left.length, context.sampleRate);
  buffer.copyToChannel(left, 0);
  buffer.copyToChannel(right, 1);
  const input = new Gain({ context, gain: 1 });
  const convolver = new Convolver({ context, url: new ToneAudioBuffer(buffer), normalize: true });
  const output = new Gain({ context, gain: 0.5 });
  input.chain(convolver, output);
  return {
    input,
    output,
    dispose() {
      for (const node of [input, convolver, output]) node.dispose();
    },
  };
}
