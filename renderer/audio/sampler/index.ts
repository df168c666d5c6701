/** The sampled instruments' page side (the live synth) and what tests measure it with. */
export { WorkletSampler, type SamplerLoadOptions, type SamplerLoadTimes } from './worklet-sampler.ts';
export { patchForTrack, channelFor, type SamplerPatch } from './patch.ts';
