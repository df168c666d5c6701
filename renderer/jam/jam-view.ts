/**
 * What the jam panel shows, as the jam session (jam-session.ts) keeps it in one store: the
 * channel's status, the room's transport, rules and peers, who is playing live, the take being
 * recorded and this user's jam settings (kept in localStorage, less what must not outlive a page).
 */
import type { JamPeer, RoomRules, TransportState } from '../../core/jam/contract.ts';
import type { Quantize } from './recording.ts';
import type { RecordState } from './take-recorder.ts';

/** This user as the jam channel's welcome names them. */
export interface JamMe {
  clientId: string;
  id: string;
  name: string;
  role: 'owner' | 'editor' | 'viewer';
}

export interface LiveIndicator {
  name: string;
  /** performance.now() of the last note received (or played, for this user). */
  lastAt: number;
  /** Receive time − note.at on the server clock, ms (null for this user's own notes). */
  latencyMs: number | null;
  pitch: number;
  held: number;
}

export interface JamSettings {
  /** Latency compensation, ms (positive: this peer plays earlier). */
  compensationMs: number;
  typing: boolean;
  quantize: Quantize;
  aiAnswers: boolean;
  aiBars: 1 | 2 | 4;
}

export interface JamView {
  /** The channel is up, the clock estimated and the transport known: the shared clock rules. */
  live: boolean;
  status: string;
  me: JamMe | null;
  transport: TransportState | null;
  rules: RoomRules;
  peers: JamPeer[];
  liveBy: Record<string, LiveIndicator>;
  record: RecordState;
  settings: JamSettings;
  /** The last refusal or problem, for the panel. */
  message: string | null;
  /** The AI answer's state ("listening", "answering", the last answer's label). */
  ai: string | null;
}

const SETTINGS_KEY = 'riffroom.jam.settings';
const DEFAULT_SETTINGS: JamSettings = { compensationMs: 0, typing: false, quantize: '16th', aiAnswers: false, aiBars: 2 };

/** This user's jam settings as last saved; typing and AI answers start off on every page. */
export function loadSettings(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): JamSettings {
  try {
    const raw = storage?.getItem(SETTINGS_KEY);
    return raw ? { ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<JamSettings>), typing: false, aiAnswers: false } : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: JamSettings, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // storage off: settings last for this window
  }
}

/**
 * The live indicators after a note of `id`'s: when, which pitch, how many keys held, and the
 * latency (kept from before for this user's own notes, which have none).
 */
export function withLiveNote(
  liveBy: Record<string, LiveIndicator>,
  note: { id: string; name: string; pitch: number; kind: 'on' | 'off'; latencyMs: number | null; at: number },
): Record<string, LiveIndicator> {
  const before = liveBy[note.id];
  const held = Math.max(0, (before?.held ?? 0) + (note.kind === 'on' ? 1 : -1));
  const latencyMs = note.latencyMs === null ? (before?.latencyMs ?? null) : Math.round(note.latencyMs * 10) / 10;
  return { ...liveBy, [note.id]: { name: note.name, lastAt: note.at, latencyMs, pitch: note.pitch, held } };
}
