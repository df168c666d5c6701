/** How each track role looks: its colour (a CSS variable of styles/base.css) and its label. */
import { TRACK_ROLES, type TrackRole } from '../../../core/song/types.ts';

export const ROLE_COLOR: Record<TrackRole, string> = {
  drums: 'var(--role-drums)',
  bass: 'var(--role-bass)',
  keys: 'var(--role-keys)',
  lead: 'var(--role-lead)',
  other: 'var(--role-other)',
};

export const ROLE_LABEL: Record<TrackRole, string> = {
  drums: 'Drums',
  bass: 'Bass',
  keys: 'Keys',
  lead: 'Lead',
  other: 'Other',
};

export { TRACK_ROLES };

/** "Bass", or "Bass 2" when the song already has a track of that name. */
export function newTrackName(role: TrackRole, existing: string[]): string {
  const base = ROLE_LABEL[role];
  const taken = new Set(existing);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}
