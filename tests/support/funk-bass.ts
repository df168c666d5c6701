/**
 * The generation request the host tests send (Node host, web worker, Electron ports): 4 bars of
 * funk bass in E minor over Em7 and A7, two variations, seed 11; `overrides` change any field.
 */
import type { GenerationRequest } from '../../inference/engine/request.ts';

export const funkBass = (overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
  task: 'generate',
  role: 'bass',
  style: 'funk',
  key: { tonic: 4, mode: 'minor' },
  meter: { numerator: 4, denominator: 4 },
  bpm: 98,
  energy: 2,
  bars: 4,
  chords: [
    { tick: 0, root: 4, quality: 'm7' },
    { tick: 3840, root: 9, quality: '7' },
  ],
  variations: 2,
  seed: 11,
  sampling: { temperature: 1, topK: 0, topP: 0.95 },
  ...overrides,
});
