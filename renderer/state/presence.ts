/**
 * Presence: what each bandmate shows the others through y-websocket awareness. Not part of the
 * song and not in its history; it vanishes when a bandmate leaves.
 *
 *   user       { name, color }       who this is
 *   selection  { clipId }            the clip they have selected (null: none)
 *   activity   string | null         what they are doing, in words ("generating bass…");
 *                                    set by any panel through setActivity()
 *   edit       (core/song/edit-labels.ts) the label of their latest edit, for the server's history
 *
 * Other bandmates' states are untrusted input: readPeers() validates and trims every field.
 */
import type { Awareness } from 'y-protocols/awareness';

export interface PresenceUser {
  name: string;
  color: string;
}

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  selectedClipId: string | null;
  activity: string | null;
  /** This window's own state. */
  isLocal: boolean;
}

export const MAX_NAME_LENGTH = 40;
export const MAX_ACTIVITY_LENGTH = 80;

/** Colours that read on the dark UI and differ from the track-role colours. */
export const PEER_COLORS = ['#ff6b9a', '#4fd1c5', '#f6c945', '#9f7aea', '#63b3ed', '#f6896b', '#68d391', '#e879f9'] as const;

/** A stable colour for a name, so a bandmate keeps their colour across sessions. */
export function colorForName(name: string): string {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return PEER_COLORS[(hash >>> 0) % PEER_COLORS.length]!;
}

function printable(text: string, max: number): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the class names C0 controls and DEL to replace them with spaces
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .trim()
      .slice(0, max)
  );
}

export function setLocalUser(awareness: Awareness, user: PresenceUser): void {
  awareness.setLocalStateField('user', { name: printable(user.name, MAX_NAME_LENGTH), color: user.color });
}

export function setSelectedClip(awareness: Awareness, clipId: string | null): void {
  awareness.setLocalStateField('selection', { clipId });
}

/** What this user is doing, shown beside their name to everyone; null clears it. */
export function setActivity(awareness: Awareness, activity: string | null): void {
  awareness.setLocalStateField('activity', activity === null ? null : printable(activity, MAX_ACTIVITY_LENGTH));
}

const COLOR = /^#[0-9a-fA-F]{6}$/;
const CLIP_ID = /^[\w-]{1,64}$/;

/** Everyone present (this window included), validated, in a stable order: you first, then by name. */
export function readPeers(awareness: Awareness): Peer[] {
  const peers: Peer[] = [];
  for (const [clientId, raw] of awareness.getStates()) {
    const state = raw as Record<string, unknown> | null;
    const user = state?.user as Partial<PresenceUser> | undefined;
    if (!user || typeof user.name !== 'string') continue;
    const name = printable(user.name, MAX_NAME_LENGTH) || 'anonymous';
    const selection = state!.selection as { clipId?: unknown } | undefined;
    const clipId = selection?.clipId;
    const activity = state!.activity;
    peers.push({
      clientId,
      name,
      color: typeof user.color === 'string' && COLOR.test(user.color) ? user.color : colorForName(name),
      selectedClipId: typeof clipId === 'string' && CLIP_ID.test(clipId) ? clipId : null,
      activity: typeof activity === 'string' && activity.trim() ? printable(activity, MAX_ACTIVITY_LENGTH) : null,
      isLocal: clientId === awareness.clientID,
    });
  }
  return peers.sort((a, b) => Number(b.isLocal) - Number(a.isLocal) || a.name.localeCompare(b.name) || a.clientId - b.clientId);
}

/**
 * Watches who is present. Calls `listener` only when the validated list changes (awareness
 * also fires for the periodic keep-alive renewals, which change nothing visible).
 */
export function watchPeers(awareness: Awareness, listener: (peers: Peer[]) => void): () => void {
  let last = JSON.stringify(readPeers(awareness));
  const onChange = (): void => {
    const peers = readPeers(awareness);
    const json = JSON.stringify(peers);
    if (json === last) return;
    last = json;
    listener(peers);
  };
  awareness.on('change', onChange);
  return () => awareness.off('change', onChange);
}
