/**
 * The teacher's rules in the room's log (store/room-log.ts saveRules, storedRules): the rules a
 * room loads with, and how a change reads in its history ("set the rules: students play live
 * only"). They survive a restart of the server and an idle unload, like every entry.
 */
import { DEFAULT_RULES, type RoomRules } from '../../core/jam/contract.ts';
import { checkRules, JamValueError } from '../../core/jam/timeline.ts';
import type { RoomLog } from '../store/room-log.ts';
import type { RoomStore, StoredRules } from '../store/room-store.ts';

/**
 * What a room whose stored rules cannot be read starts with: students play live only and the
 * transport is the owner's until the owner sets the rules again. Failing open would hand a
 * teacher's room to the students; the owner is never limited, so a band's own room loses nothing.
 */
export const UNREADABLE_RULES: RoomRules = { transportLocked: true, students: 'live-only', spotlightTrackId: null };

/** The rules `log` kept: the defaults when it has none (a new room, an older file). */
export function loadRules(log: RoomLog, room: string): RoomRules {
  let stored: StoredRules | null;
  try {
    stored = log.storedRules();
  } catch (err) {
    console.error(`room ${room}: ${(err as Error).message}; students play live only until the owner sets the rules again`);
    return UNREADABLE_RULES;
  }
  return checkedRules(stored, room);
}

/** loadRules from any store (read asynchronously). */
export async function loadRulesFrom(store: RoomStore, room: string): Promise<RoomRules> {
  let stored: StoredRules | null;
  try {
    stored = await store.storedRules();
  } catch (err) {
    console.error(`room ${room}: ${(err as Error).message}; students play live only until the owner sets the rules again`);
    return UNREADABLE_RULES;
  }
  return checkedRules(stored, room);
}

function checkedRules(stored: { rules: unknown } | null, room: string): RoomRules {
  if (!stored) return { ...DEFAULT_RULES };
  try {
    return checkRules(stored.rules);
  } catch (err) {
    if (!(err instanceof JamValueError)) throw err;
    console.error(
      `room ${room}: the stored rules are not valid (${err.message}); students play live only until the owner sets the rules again`,
    );
    return UNREADABLE_RULES;
  }
}

const STUDENTS: Record<RoomRules['students'], string> = {
  edit: 'students edit everything',
  'own-track': 'students edit their own tracks',
  'live-only': 'students play live only',
};

/**
 * The history label of a change of rules: what changed, "set the rules: students play live only,
 * transport locked, spotlight on Keys". `trackName` names the spotlighted track.
 */
export function rulesChangeLabel(previous: RoomRules, next: RoomRules, trackName: (id: string) => string | null): string {
  const parts: string[] = [];
  if (next.students !== previous.students) parts.push(STUDENTS[next.students]);
  if (next.transportLocked !== previous.transportLocked) parts.push(next.transportLocked ? 'transport locked' : 'transport unlocked');
  if (next.spotlightTrackId !== previous.spotlightTrackId) {
    parts.push(next.spotlightTrackId ? `spotlight on ${(trackName(next.spotlightTrackId) ?? 'a track').slice(0, 100)}` : 'spotlight off');
  }
  return `set the rules: ${parts.join(', ') || 'unchanged'}`;
}
