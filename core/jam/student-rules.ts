/**
 * What the teacher's rules (contract.ts RoomRules) let a student — anyone but the room owner —
 * write, one decision for every path: the page (renderer/jam/rules-guard.ts: refused before it
 * is sent, or taken back at once), the server's document path (sync-server/room/rules-guard.ts:
 * reverted for everyone) and its HTTP routes (restore, bookmarks). Viewers write nothing whatever
 * the rules; that is decided where roles are.
 *
 * 'live-only': no document edit, restore or bookmark at all.
 * 'own-track': the song decided root by root (core/song/schema.ts ROOT_TYPES):
 *   tracks     a track is its owner's (ownerId, core/jam/own-track.ts): its fields, mixer, owner;
 *   clips      a clip is its track's (both tracks of a clip moved between two);
 *   meta       title, tempo, key, meter, swing, loop: the whole song's, so the room owner's;
 *   chords     the chord track: the whole song's;
 *   bookmarks  the song's section markers: the whole song's.
 *   A restore rewrites everyone's tracks at once: the room owner's. History bookmarks (names on
 *   the history, not the song) are allowed.
 * transportLocked: tempo, meter and loop drive the shared transport, so a student's document
 *   change to them is refused as their transport requests are, whatever `students` says.
 */
import type { RoomRules } from './contract.ts';
import type { Song, SongMeta } from '../song/types.ts';
import { tracksNotYours } from './own-track.ts';

export type RulesRole = 'owner' | 'editor' | 'viewer';

/** The reasons, as the server's refusals and the history's revert labels give them. */
export const RULE_REASONS = {
  liveOnly: "the room's rules let students play live only",
  ownTrack: "the room's rules let students edit only their own tracks",
  restoreOwnTrack: "the room's rules let students edit only their own tracks, and a restore changes everyone's: ask the room owner",
  transportLocked: 'the transport is locked by the room owner (tempo, meter and loop are theirs)',
  takeBackOwner: 'in teacher mode only the room owner takes back edits',
} as const;

/** Writes that are refused or allowed as a whole (document edits are judged one by one). */
export type WholeWrite = 'document' | 'restore' | 'bookmark';

/**
 * Why the rules refuse this kind of write by `role` outright, or null when they do not. The owner
 * is never limited. Restores under transportLocked are judged by what they would change
 * (transportChanged).
 */
export function wholeWriteRefusal(rules: Pick<RoomRules, 'students'>, role: RulesRole, write: WholeWrite): string | null {
  if (role === 'owner') return null;
  if (rules.students === 'live-only') return RULE_REASONS.liveOnly;
  if (rules.students === 'own-track' && write === 'restore') return RULE_REASONS.restoreOwnTrack;
  return null;
}

/**
 * Why the rules refuse `role` a take-back of one source's edits (null: they allow it). In teacher
 * mode (any rule but the defaults' students 'edit' with the transport free) it is the owner's:
 * a take-back rewrites everyone's song, and a class is the teacher's to rewrite.
 */
export function takeBackRefusal(rules: Pick<RoomRules, 'students' | 'transportLocked'>, role: RulesRole): string | null {
  if (role === 'owner') return null;
  return rules.students !== 'edit' || rules.transportLocked ? RULE_REASONS.takeBackOwner : null;
}

/** Does a document edit by `role` need judging edit by edit (songs before and after it)? */
export function judgesEdits(rules: RoomRules, role: RulesRole): boolean {
  return role !== 'owner' && (rules.students === 'own-track' || rules.transportLocked);
}

/** Song-wide parts a student's edit changed, by root: what 'own-track' leaves to the room owner. */
export type SongPart = 'meta' | 'chords' | 'bookmarks';

export interface EditRefusal {
  rule: 'own-track' | 'transport-locked';
  reason: string;
  /** The tracks it touched that are not theirs. */
  tracks: string[];
  /** The song-wide parts it changed. */
  parts: SongPart[];
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The song-wide parts that differ between two snapshots. */
export function songPartsChanged(before: Song, after: Song): SongPart[] {
  const parts: SongPart[] = [];
  if (!same(before.meta, after.meta)) parts.push('meta');
  if (!same(before.chords, after.chords)) parts.push('chords');
  if (!same(before.bookmarks, after.bookmarks)) parts.push('bookmarks');
  return parts;
}

/** Do two metas differ in what drives the shared transport (tempo, meter, loop)? */
export function transportChanged(before: SongMeta, after: SongMeta): boolean {
  return !same(before.bpm, after.bpm) || !same(before.meter, after.meter) || !same(before.loop ?? null, after.loop ?? null);
}

/**
 * Why a document edit by `role` (identity `myId`) must be taken back under `rules`, judged from
 * the song before and after it, or null when it stands.
 */
export function editRefusal(rules: RoomRules, role: RulesRole, before: Song, after: Song, myId: string): EditRefusal | null {
  if (!judgesEdits(rules, role)) return null;
  if (rules.students === 'own-track') {
    const tracks = tracksNotYours(before, after, myId);
    const parts = songPartsChanged(before, after);
    if (tracks.length || parts.length) return { rule: 'own-track', reason: RULE_REASONS.ownTrack, tracks, parts };
  }
  if (rules.transportLocked && transportChanged(before.meta, after.meta)) {
    return { rule: 'transport-locked', reason: RULE_REASONS.transportLocked, tracks: [], parts: ['meta'] };
  }
  return null;
}
