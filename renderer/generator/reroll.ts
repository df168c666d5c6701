/**
 * Writing a generated clip again from its provenance: "Re-roll exactly" sends the stored request
 * as it was (same model, request and seed give the same notes), "Re-roll with a new seed" the
 * same request with another seed. Either way the new take replaces the clip's notes when kept.
 */
import type { Clip, NoteInput, Song } from '../../core/song/types.ts';
import type { GenerationResult } from '../../inference/contract.ts';
import { audibleNotes } from './bar-ranges.ts';
import { GeneratorInputError, newBarsOf, takeLabel, type PlannedGeneration } from './build-request.ts';
import { sliceNotes } from './keep-take.ts';
import { readGeneratedDetail, sameNotes, type GeneratedClipDetail } from './provenance.ts';

export interface RerollPlan extends PlannedGeneration {
  rerollOf: { clipId: string; exact: boolean; variation: number };
}

/** `seed` null: exactly as stored. */
export function planReroll(song: Song, clipId: string, seed: number | null): RerollPlan {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) throw new GeneratorInputError('Select a generated clip to re-roll it.');
  const detail = readGeneratedDetail(clip.provenance);
  if (!detail) throw new GeneratorInputError('This clip was not written by the AI bandmate, so there is nothing to re-roll.');
  if (clip.locked) throw new GeneratorInputError('This clip is locked: unlock it to let the AI bandmate rewrite it.');
  const request = structuredClone(detail.request);
  if (seed !== null) request.seed = seed;
  const exact = seed === null;
  return {
    action:
      request.task === 'continue' || request.task === 'infill' || request.task === 'vary' || request.task === 'accompany'
        ? request.task
        : 'generate',
    request,
    target: { kind: 'replace-clip', clipId },
    slice: { fromBar: detail.take.fromBar, bars: detail.take.bars },
    newBars: newBarsOf(request),
    label: takeLabel(request, { rerolled: true }),
    rerollOf: { clipId, exact, variation: exact ? detail.take.variation : 0 },
  };
}

/** The clip's notes the way a take writes them: its slice of a variation, what fits in the clip. */
export function takeNotes(
  result: GenerationResult,
  plan: PlannedGeneration,
  variation: number,
  clip: Pick<Clip, 'lengthBars'> | null,
): NoteInput[] {
  const notes = sliceNotes(result.variations[variation]?.notes ?? [], plan.request.meter, plan.slice);
  return clip ? audibleNotes({ notes, lengthBars: clip.lengthBars }, plan.request.meter) : notes;
}

/** Whether an exact re-roll wrote the clip's notes again (it does on the same model and provider). */
export function rerollMatches(song: Song, plan: RerollPlan, result: GenerationResult): boolean {
  const clip = song.clips.find((c) => c.id === plan.rerollOf.clipId);
  if (!clip) return false;
  return sameNotes(takeNotes(result, plan, plan.rerollOf.variation, clip), audibleNotes(clip, song.meta.meter));
}

/** The stored detail of a clip, for the panel (null: not generated, or unreadable). */
export function generatedDetailOf(song: Song, clipId: string | null): { clip: Clip; detail: GeneratedClipDetail } | null {
  const clip = clipId ? song.clips.find((c) => c.id === clipId) : undefined;
  const detail = clip ? readGeneratedDetail(clip.provenance) : null;
  return clip && detail ? { clip, detail } : null;
}
