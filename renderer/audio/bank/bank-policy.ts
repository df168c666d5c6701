/**
 * What the shipped bank keeps of MuseScore_General Lite, and how it is trimmed to fit the
 * 16 MB budget (issue 15). The catalog's 52 presets cut out as they are take 28.8 MB, 15.1 MB of
 * it the grand piano's samples (stereo, two velocity layers), while the other 49 presets together
 * take 13.7 MB. So every preset stays and only the piano shares samples, least audible trims
 * first (figures are smpl bytes of the whole bank after each step):
 *
 *   1. The forte layer (velocities 108-127; 101-127 in the honky-tonk) plays the mezzo-forte
 *      samples, through its own zone: its brighter filter and level stay. 28.8 -> 21.7 MB.
 *   2. The right channel plays the left channel's sample (each note sounds through both of its
 *      zones, panned hard left and right, as before: the piano becomes mono). -> 17.6 MB.
 *   3. Every second mezzo-forte sample (by root key) is shared with its nearest kept neighbour:
 *      one sample per 4 to 5 semitones instead of 2 to 3. The zones keep their key ranges,
 *      envelopes and levels, so a note is pitched from a root a few semitones away. -> 15.7 MB.
 *
 * Names are MuseScore_General's: a source without them fails the build (sf2-subset.ts says
 * which), rather than quietly shipping a bigger or different bank.
 */
import { INSTRUMENTS } from '../../../core/song/instrument-catalog.ts';
import type { SampleHeader } from './sf2-model.ts';
import type { PresetKey, Sharing } from './sf2-subset.ts';

/** The presets the bank holds: exactly the catalog's. */
export const BANK_PRESETS: readonly PresetKey[] = INSTRUMENTS.map(({ bank, program }) => ({ bank, program }));

/** The budget: 16 MB (decimal) for the whole file. */
export const BANK_MAX_BYTES = 16_000_000;

const PIANO_INSTRUMENTS = ['Piano', 'PianoBr', 'PianoHT'];

/** The sharing of trims 1-3 above, worked out from the source's sample headers. */
export function bankSharing(samples: readonly SampleHeader[]): Sharing {
  const instruments = PIANO_INSTRUMENTS.flatMap((piano) =>
    ['low', 'high'].map((part) => [`${piano} FF-${part}`, `${piano} MF-${part}`] as const),
  );

  const names = new Set(samples.map((s) => s.name));
  const mono = samples
    .filter((s) => /^Piano (MF|FF) .+\(R\)$/.test(s.name) && names.has(s.name.replace(/\(R\)$/, '(L)')))
    .map((s) => [s.name, s.name.replace(/\(R\)$/, '(L)')] as const);

  // Mezzo-forte left samples by root key; keep the 1st, 3rd, 5th...; each one left out goes to
  // whichever kept neighbour has the nearer root (the lower one on a tie).
  const left = samples.filter((s) => /^Piano MF .+\(L\)$/.test(s.name)).sort((a, b) => a.originalPitch - b.originalPitch);
  const thin: (readonly [string, string])[] = [];
  for (let i = 1; i < left.length; i += 2) {
    const below = left[i - 1]!;
    const above = left[i + 1];
    const to = above && above.originalPitch - left[i]!.originalPitch < left[i]!.originalPitch - below.originalPitch ? above : below;
    thin.push([left[i]!.name, to.name]);
  }
  // A right-channel sample shared into a left one that is itself thinned goes straight to the
  // kept one: a sharing pair names a sample that stays.
  const thinned = new Map(thin);
  const monoThin = mono.map(([from, to]) => [from, thinned.get(to) ?? to] as const);
  return { instruments, samples: [...monoThin, ...thin] };
}
