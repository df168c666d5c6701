/**
 * From the song and the panel's controls to what the engine is asked (a GenerationRequest,
 * inference/engine/request.ts) and where a kept variation goes. One function per action:
 *
 *   Generate   new bars at the loop start or the playhead → a new clip on a track of the role
 *   Continue   bars after the selected clip → a new clip right after it
 *   Fill       bars i..j of the selected clip rewritten, the rest kept → the clip's notes replaced
 *   Vary       a new take on the selected clip (mode: keep its rhythm or its notes) → replaced
 *   Accompany  a part for the role from the other tracks in the same bars and the chord track
 *
 * Pitched parts follow the song's chord track (song-chords.ts); locks of the selected clip (bars
 * chosen in the panel, notes by id) go in `locks`. Anything the user must fix first is a
 * GeneratorInputError whose message the panel shows as it is.
 */
import { AI_TAKE_VERBS } from '../../core/song/edit-labels.ts';
import type { Clip, Key, Song } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import {
  METERS,
  MODEL_ROLES,
  isSupportedMeter,
  meterName,
  type GenerationRequest,
  type ModelRole,
  type NoteRole,
  type SourcePart,
} from '../../inference/contract.ts';
import {
  clampRange,
  cleanLockedBars,
  clipRange,
  generateStartBar,
  notesInRange,
  overlaps,
  rangeLabel,
  type BarRange,
} from './bar-ranges.ts';
import { clampSettings, followsChords, MAX_GENERATED_BARS, TOP_K, TOP_P, type GeneratorSettings } from './settings.ts';
import { chordsForBars } from './song-chords.ts';

export const ACTIONS = ['generate', 'continue', 'infill', 'vary', 'accompany'] as const;
export type GeneratorAction = (typeof ACTIONS)[number];

export class GeneratorInputError extends Error {
  override name = 'GeneratorInputError';
}

/** Where a kept variation is written. */
export type TakeTarget =
  /** A new clip over song bars `range`, on `preferTrackId` when it is free there, else on a free track of the role (or a new one). */
  | { kind: 'new-clip'; role: NoteRole; range: BarRange; preferTrackId: string | null }
  /** The selected clip's notes are replaced. */
  | { kind: 'replace-clip'; clipId: string }
  /** The chord track over song bars `range`. */
  | { kind: 'chord-track'; range: BarRange };

/** The bars of the result that the written clip holds ([fromBar, fromBar + bars)). */
export interface TakeSlice {
  fromBar: number;
  bars: number;
}

export interface PlannedGeneration {
  action: GeneratorAction;
  request: GenerationRequest;
  target: TakeTarget;
  slice: TakeSlice;
  /** Result bars the model writes anew (the preview highlights them, progress counts them). */
  newBars: BarRange;
  /** The edit's label, as the history shows it: "generated bass riff (seed 1234)". */
  label: string;
  /** Set when re-rolling a generated clip (reroll.ts): which clip, exactly or with a new seed, and the variation it holds. */
  rerollOf?: { clipId: string; exact: boolean; variation: number };
}

export interface PanelContext {
  song: Song;
  settings: GeneratorSettings;
  selectedClipId: string | null;
  /** Where the playhead is (bars, fractional while playing). */
  playheadBar: number;
  /** Bars of the selected clip to fill (clip bars, [from, to)). */
  fill: BarRange;
  /** Bars of the selected clip never changed (clip bars). */
  lockedBars: readonly number[];
  /** Notes of the selected clip never changed, by note id (an editor's note locks). */
  lockedNoteIds?: readonly string[];
}

const NOTE_ROLES = MODEL_ROLES.filter((r): r is NoteRole => r !== 'chords');
const isNoteRole = (role: string): role is NoteRole => (NOTE_ROLES as readonly string[]).includes(role);

/** The word for a role in labels: "drum riff", "bass riff", "chord" … */
const ROLE_NOUN: Record<ModelRole, string> = { drums: 'drum', bass: 'bass', keys: 'keys', lead: 'lead', chords: 'chord' };

const TASK_NOUN: Record<GeneratorAction, string> = {
  generate: 'riff',
  continue: 'continuation',
  infill: 'fill',
  vary: 'variation',
  accompany: 'accompaniment',
};

/** "generated bass riff (seed 1234)", "re-rolled bass fill, bars 2–3 (seed 7)", "generated chords (seed 9)". */
export function takeLabel(request: GenerationRequest, options: { rerolled?: boolean } = {}): string {
  // The verbs are how the history and the server's take-back know the AI's edits (isAiTakeLabel).
  const [generated, rerolled] = AI_TAKE_VERBS;
  const verb = options.rerolled ? rerolled : generated;
  const what =
    request.role === 'chords'
      ? 'chords'
      : `${ROLE_NOUN[request.role]} ${TASK_NOUN[request.task]}${request.task === 'infill' && request.infill ? `, ${rangeLabel(request.infill)}` : ''}`;
  return `${verb} ${what} (seed ${request.seed})`;
}

/** What bandmates see while it runs: "generating bass…". */
export function activityText(request: GenerationRequest): string {
  return `generating ${request.role}…`;
}

/** The model role of a clip's part: its track's role, or for an "other" track the panel's (never the chord track). */
export function clipModelRole(song: Song, clip: Clip, fallback: ModelRole): NoteRole {
  const track = song.tracks.find((t) => t.id === clip.trackId);
  if (track && isNoteRole(track.role)) return track.role;
  return isNoteRole(fallback) ? fallback : 'keys';
}

/** Result bars that are new for a request (what the preview highlights and progress counts). */
export function newBarsOf(request: GenerationRequest): BarRange {
  switch (request.task) {
    case 'continue':
      return { from: request.clip!.bars, to: request.clip!.bars + request.bars };
    case 'infill':
      return { from: request.infill!.from, to: request.infill!.to };
    case 'vary':
      return { from: 0, to: request.clip!.bars };
    default:
      return { from: 0, to: request.bars };
  }
}

/** Bars of a request's whole result. */
export function resultBarsOf(request: GenerationRequest): number {
  switch (request.task) {
    case 'continue':
      return request.clip!.bars + request.bars;
    case 'infill':
    case 'vary':
      return request.clip!.bars;
    default:
      return request.bars;
  }
}

function selectedClip(ctx: PanelContext, action: GeneratorAction): Clip {
  const clip = ctx.selectedClipId ? ctx.song.clips.find((c) => c.id === ctx.selectedClipId) : undefined;
  const verb = action === 'infill' ? 'fill bars of' : action;
  if (!clip) throw new GeneratorInputError(`Select a clip to ${verb} it.`);
  return clip;
}

function checkMeter(song: Song): void {
  if (!isSupportedMeter(song.meta.meter)) {
    throw new GeneratorInputError(`The AI bandmate does not play in ${meterName(song.meta.meter)}; it knows ${METERS.join(', ')}.`);
  }
}

function keyFor(ctx: PanelContext, role: ModelRole): Key | null {
  return role === 'drums' ? null : (ctx.settings.key ?? ctx.song.meta.key);
}

/** What every request shares: conditions from the song and the panel, the sampling settings. */
function baseRequest(ctx: PanelContext, task: GenerationRequest['task'], role: ModelRole, bars: number): GenerationRequest {
  const s = ctx.settings;
  return {
    task,
    role,
    style: s.style,
    key: keyFor(ctx, role),
    meter: { ...ctx.song.meta.meter },
    bpm: ctx.song.meta.bpm,
    energy: s.energy,
    bars,
    variations: s.variations,
    seed: s.seed,
    sampling: { temperature: s.temperature, topK: TOP_K, topP: TOP_P },
    scaleLock: s.scaleLock && role !== 'drums' && role !== 'chords',
    ...(s.followChords !== null && followsChords(role) ? { followChords: s.followChords } : {}),
    mode: 'free',
  };
}

/** The song's chords over song bars `range`, for pitched parts (drums and the chord track do not read them). */
function chordsOver(ctx: PanelContext, role: ModelRole, range: BarRange): GenerationRequest['chords'] {
  if (role === 'drums' || role === 'chords') return null;
  const chords = chordsForBars(ctx.song.chords, ctx.song.meta.meter, range);
  return chords.length ? chords : null;
}

/**
 * A clip as the request's `clip`: at most the model's 16 bars (its last ones when `tail`, for
 * Continue), the notes that sound, and the index of each note id (for note locks).
 */
function sourcePart(ctx: PanelContext, clip: Clip, tail = false): { part: SourcePart; range: BarRange; indexOf: Map<string, number> } {
  const bars = Math.min(clip.lengthBars, MAX_GENERATED_BARS);
  const from = tail ? clip.startBar + clip.lengthBars - bars : clip.startBar;
  const range = { from, to: from + bars };
  const barTicks = ticksPerBar(ctx.song.meta.meter);
  const offset = (from - clip.startBar) * barTicks;
  const kept = clip.notes.filter((n) => n.tick >= offset && n.tick < offset + bars * barTicks);
  const indexOf = new Map(kept.map((n, i) => [n.id, i]));
  return {
    part: { bars, notes: kept.map((n) => ({ pitch: n.pitch, tick: n.tick - offset, duration: n.duration, velocity: n.velocity })) },
    range,
    indexOf,
  };
}

/**
 * A note record carrying `locked: true`: core's Note has no such flag yet, but the clip editor
 * (editors/note-locks.ts) already draws and keeps such notes, so the AI bandmate keeps them too.
 */
const isNoteFlaggedLocked = (note: object): boolean => (note as { locked?: unknown }).locked === true;

function lockedPart(ctx: PanelContext, clip: Clip, indexOf: Map<string, number>): GenerationRequest['locks'] {
  const bars = cleanLockedBars(ctx.lockedBars, Math.min(clip.lengthBars, MAX_GENERATED_BARS));
  const ids = [...(ctx.lockedNoteIds ?? []), ...clip.notes.filter(isNoteFlaggedLocked).map((n) => n.id)];
  const notes = [...new Set(ids)]
    .map((id) => indexOf.get(id))
    .filter((i): i is number => i !== undefined)
    .sort((a, b) => a - b);
  if (!bars.length && !notes.length) return null;
  if (ctx.settings.mode === 'keep-notes') {
    throw new GeneratorInputError('"Keep notes, new rhythm" keeps every note already: unlock the bars, or choose another mode.');
  }
  return { ...(bars.length ? { bars } : {}), ...(notes.length ? { notes } : {}) };
}

function rewritableClip(ctx: PanelContext, action: GeneratorAction): Clip {
  const clip = selectedClip(ctx, action);
  if (clip.locked) throw new GeneratorInputError('This clip is locked: unlock it to let the AI bandmate rewrite it.');
  if (clip.lengthBars > MAX_GENERATED_BARS) {
    throw new GeneratorInputError(`The AI bandmate rewrites clips of up to ${MAX_GENERATED_BARS} bars; this one has ${clip.lengthBars}.`);
  }
  return clip;
}

function planGenerate(ctx: PanelContext): PlannedGeneration {
  const role = ctx.settings.role;
  const bars = ctx.settings.bars;
  const start = generateStartBar(ctx.song, ctx.playheadBar);
  const range = { from: start, to: start + bars };
  const request = { ...baseRequest(ctx, 'generate', role, bars), chords: chordsOver(ctx, role, range) };
  return {
    action: 'generate',
    request,
    slice: { fromBar: 0, bars },
    newBars: { from: 0, to: bars },
    label: takeLabel(request),
    target: role === 'chords' ? { kind: 'chord-track', range } : { kind: 'new-clip', role, range, preferTrackId: null },
  };
}

function planContinue(ctx: PanelContext): PlannedGeneration {
  const clip = selectedClip(ctx, 'continue');
  const role = clipModelRole(ctx.song, clip, ctx.settings.role);
  const source = sourcePart(ctx, clip, true);
  // The model sees at most 16 bars: the clip's last ones and at least one new.
  const bars = Math.min(ctx.settings.bars, MAX_GENERATED_BARS - 1);
  const clipEnd = clip.startBar + clip.lengthBars;
  const request = {
    ...baseRequest(ctx, 'continue', role, bars),
    clip: source.part,
    chords: chordsOver(ctx, role, { from: source.range.from, to: clipEnd + bars }),
  };
  return {
    action: 'continue',
    request,
    slice: { fromBar: source.part.bars, bars },
    newBars: newBarsOf(request),
    label: takeLabel(request),
    target: { kind: 'new-clip', role, range: { from: clipEnd, to: clipEnd + bars }, preferTrackId: clip.trackId },
  };
}

function planRewrite(ctx: PanelContext, action: 'infill' | 'vary'): PlannedGeneration {
  const clip = rewritableClip(ctx, action);
  const role = clipModelRole(ctx.song, clip, ctx.settings.role);
  const source = sourcePart(ctx, clip);
  const request: GenerationRequest = {
    ...baseRequest(ctx, action, role, clip.lengthBars),
    clip: source.part,
    chords: chordsOver(ctx, role, clipRange(clip)),
    mode: ctx.settings.mode,
    locks: lockedPart(ctx, clip, source.indexOf),
  };
  if (action === 'infill') request.infill = clampRange(ctx.fill, clip.lengthBars);
  return {
    action,
    request,
    slice: { fromBar: 0, bars: clip.lengthBars },
    newBars: newBarsOf(request),
    label: takeLabel(request),
    target: { kind: 'replace-clip', clipId: clip.id },
  };
}

/**
 * The other parts sounding in song bars `range`, one per role (tracks of one role merged), muted
 * tracks left out: Accompany answers what the band plays, not what it silenced.
 */
export function otherParts(song: Song, role: ModelRole, range: BarRange): NonNullable<GenerationRequest['tracks']> {
  const byRole = new Map<NoteRole, SourcePart>();
  const soloing = song.tracks.some((t) => t.solo);
  for (const track of song.tracks) {
    if (!isNoteRole(track.role) || track.role === role || track.mute || (soloing && !track.solo)) continue;
    for (const clip of song.clips) {
      if (clip.trackId !== track.id || !overlaps(clipRange(clip), range)) continue;
      const notes = notesInRange(clip, song.meta.meter, range);
      if (!notes.length) continue;
      const part = byRole.get(track.role) ?? { bars: range.to - range.from, notes: [] };
      part.notes!.push(...notes);
      byRole.set(track.role, part);
    }
  }
  return [...byRole.entries()].map(([r, part]) => ({
    role: r,
    part: { bars: part.bars, notes: part.notes!.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch) },
  }));
}

function planAccompany(ctx: PanelContext): PlannedGeneration {
  const role = ctx.settings.role;
  const clip = ctx.selectedClipId ? ctx.song.clips.find((c) => c.id === ctx.selectedClipId) : undefined;
  // The same bars as the selected clip (up to 16), else the bars Generate would write.
  const from = clip ? clip.startBar : generateStartBar(ctx.song, ctx.playheadBar);
  const bars = clip ? Math.min(clip.lengthBars, MAX_GENERATED_BARS) : ctx.settings.bars;
  const range = { from, to: from + bars };
  const request = {
    ...baseRequest(ctx, 'accompany', role, bars),
    chords: chordsOver(ctx, role, range),
    tracks: otherParts(ctx.song, role, range),
  };
  return {
    action: 'accompany',
    request,
    slice: { fromBar: 0, bars },
    newBars: { from: 0, to: bars },
    label: takeLabel(request),
    target: role === 'chords' ? { kind: 'chord-track', range } : { kind: 'new-clip', role, range, preferTrackId: null },
  };
}

/** The request and destination for an action, or a GeneratorInputError saying what to do first. */
export function planAction(action: GeneratorAction, context: PanelContext): PlannedGeneration {
  const ctx = { ...context, settings: clampSettings(context.settings) };
  checkMeter(ctx.song);
  switch (action) {
    case 'generate':
      return planGenerate(ctx);
    case 'continue':
      return planContinue(ctx);
    case 'infill':
      return planRewrite(ctx, 'infill');
    case 'vary':
      return planRewrite(ctx, 'vary');
    case 'accompany':
      return planAccompany(ctx);
  }
}

/** Why an action cannot run now (to disable its button with the reason), or null. */
export function actionBlocked(action: GeneratorAction, context: PanelContext): string | null {
  try {
    planAction(action, context);
    return null;
  } catch (error) {
    if (error instanceof GeneratorInputError) return error.message;
    throw error;
  }
}
