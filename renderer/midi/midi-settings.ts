/**
 * This user's MIDI settings, kept on this machine (localStorage), never in the shared song: the
 * ports are this machine's devices, and a bandmate's routing or latency means nothing elsewhere.
 * Per room: which track goes to which port and channel ("also" beside the page's own sound, or
 * "instead" of it). Per machine: each port's latency, where bandmates' live notes go, and the
 * clock output and input ports. Pure: the storage comes in.
 */

/** A track's MIDI route: a port, a channel (0..15; the UI shows 1..16) and whether the page still sounds it. */
export interface TrackRoute {
  portId: string;
  channel: number;
  mode: 'also' | 'instead';
}

export interface MidiSettings {
  /** Track id → its route (this room's tracks). */
  routes: Record<string, TrackRoute>;
  /** Bandmates' live notes on tracks not routed: this port and channel, or nowhere (null). */
  live: { portId: string; channel: number } | null;
  /** The port the room's MIDI clock goes to, or null. */
  clockOut: string | null;
  /** The input whose clock drives the room (the owner's), or null; not kept across pages (see loadMidiSettings). */
  clockIn: string | null;
  /** Port id → latency, ms (positive: its sound comes later, so its messages go earlier). */
  latencyMs: Record<string, number>;
}

export const DEFAULT_MIDI_SETTINGS: MidiSettings = { routes: {}, live: null, clockOut: null, clockIn: null, latencyMs: {} };

const MACHINE_KEY = 'riffroom.midi';
const roomKey = (room: string): string => `riffroom.midi.routes.${room}`;

/** The largest latency a port may be given, ms (either way). */
export const MAX_LATENCY_MS = 500;

function parse(raw: string | null | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const isChannel = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 15;

function routeOf(value: unknown): TrackRoute | null {
  const v = value as Partial<TrackRoute> | null;
  if (!v || typeof v.portId !== 'string' || !isChannel(v.channel)) return null;
  return { portId: v.portId, channel: v.channel, mode: v.mode === 'instead' ? 'instead' : 'also' };
}

/** A latency within range, whole tenths of a ms (0 for anything else). */
export function clampLatency(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return 0;
  return Math.round(Math.max(-MAX_LATENCY_MS, Math.min(MAX_LATENCY_MS, ms)) * 10) / 10;
}

/**
 * The settings as last saved for `room` on this machine; anything malformed is dropped. Clock in
 * always starts off: an external clock taking over a room's transport is switched on by hand.
 */
export function loadMidiSettings(room: string, storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): MidiSettings {
  let machine: Record<string, unknown> = {};
  let routesRaw: Record<string, unknown> = {};
  try {
    machine = parse(storage?.getItem(MACHINE_KEY));
    routesRaw = parse(storage?.getItem(roomKey(room)));
  } catch {
    // storage off: defaults
  }
  const routes: Record<string, TrackRoute> = {};
  for (const [trackId, value] of Object.entries(routesRaw)) {
    const route = routeOf(value);
    if (route) routes[trackId] = route;
  }
  const latencyMs: Record<string, number> = {};
  for (const [portId, ms] of Object.entries(parse(JSON.stringify(machine.latencyMs ?? {})))) latencyMs[portId] = clampLatency(ms);
  const live = machine.live as MidiSettings['live'];
  return {
    routes,
    live: live && typeof live.portId === 'string' && isChannel(live.channel) ? { portId: live.portId, channel: live.channel } : null,
    clockOut: typeof machine.clockOut === 'string' ? machine.clockOut : null,
    clockIn: null,
    latencyMs,
  };
}

export function saveMidiSettings(
  room: string,
  settings: MidiSettings,
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(MACHINE_KEY, JSON.stringify({ live: settings.live, clockOut: settings.clockOut, latencyMs: settings.latencyMs }));
    storage?.setItem(roomKey(room), JSON.stringify(settings.routes));
  } catch {
    // storage off: the settings last for this page
  }
}
