/**
 * Decoded sound banks for the live synth. The shipped bank is SF3: its samples are Ogg Vorbis,
 * which spessasynth decodes the first time a note uses one — on the audio thread, where decoding
 * a piano sample (tens of ms) overruns the render quantum and is heard as a click. So the live
 * synth is never given the SF3: a worker (offline-protocol.ts, beside the offline render) decodes
 * the presets a song uses into a small SF2 with plain 16-bit samples, which the synth reads as is.
 *
 * Runs wherever spessasynth_core does (a Web Worker in the page, a worker thread in Node); reads
 * the parsed bank without changing it (the offline render shares it).
 */
import { BasicSoundBank, type BasicPreset } from 'spessasynth_core';
import type { SamplerPatch } from './patch.ts';

/** The bank's preset a patch plays (a drum kit is a GM/GS drum preset of that program). */
export function presetOf(bank: BasicSoundBank, patch: Pick<SamplerPatch, 'id' | 'program' | 'drums'>): BasicPreset {
  const preset = bank.presets.find((p) => p.program === patch.program && (patch.drums ? p.isGMGSDrum : !p.isGMGSDrum && p.bankMSB === 0));
  if (!preset) throw new Error(`sound bank: no ${patch.drums ? 'drum kit' : 'preset'} for ${patch.id} (program ${patch.program})`);
  return preset;
}

export interface PcmBank {
  /** An SF2 file holding only the patches' presets, every sample as 16-bit PCM. */
  sf2: ArrayBuffer;
  /** Decoding and writing, ms. */
  ms: number;
  /** Samples decoded. */
  samples: number;
}

/** Writes the patches' presets, their instruments and samples, decoded, as one SF2. */
export async function pcmBank(bank: BasicSoundBank, patches: readonly SamplerPatch[]): Promise<PcmBank> {
  if (!patches.length) throw new Error('pcmBank: no patches');
  await BasicSoundBank.isSF3DecoderReady;
  const t0 = performance.now();
  const out = new BasicSoundBank();
  for (const patch of patches) out.clonePreset(presetOf(bank, patch));
  // A cloned sample keeps the compressed bytes; decoding and setting the audio makes it PCM.
  for (const sample of out.samples) {
    if (sample.isCompressed) sample.setAudioData(sample.getAudioData(), sample.sampleRate);
  }
  out.flush();
  const sf2 = out.writeSF2({ software: 'Riffroom', writeDefaultModulators: true, writeExtendedLimits: true });
  return { sf2, ms: performance.now() - t0, samples: out.samples.length };
}
