/**
 * A track's MIDI route as both places that edit it see it: the track header's MIDI button
 * (TrackMidiRoute.tsx) and the MIDI panel's routing table (MidiPanel.tsx). The default channel
 * (drums on General MIDI's channel 10), a route changed from the one before, and the words the
 * header's button shows and says. The route itself lives in one place, the session's settings
 * (midi-settings.ts); this only computes. Pure.
 */
import type { TrackRole } from '../../core/song/types.ts';
import type { MidiPortInfo } from './midi-ports.ts';
import type { MidiView } from './midi-session.ts';
import type { TrackRoute } from './midi-settings.ts';

/** General MIDI's percussion channel, 10 (9 counted from 0): drum machines and DAW drum kits listen there. */
export const DRUM_CHANNEL = 9;

/** How long a port's or a track's activity light stays lit after a message, ms. */
export const LIGHT_MS = 250;

/** The channel (0..15) a new route of a track of `role` gets: 10 for drums, else 1. */
export function defaultChannel(role: TrackRole | undefined): number {
  return role === 'drums' ? DRUM_CHANNEL : 0;
}

/**
 * The route after a change: `patch` sets the port, channel or mode and keeps the rest; a new
 * route takes the role's default channel and "also". A port of '' or a null patch: not routed
 * (null). A channel or mode for a track with no port yet makes no route either (null).
 */
export function changedRoute(
  old: TrackRoute | undefined,
  patch: Partial<TrackRoute> | null,
  role: TrackRole | undefined,
): TrackRoute | null {
  if (patch === null) return null;
  const route: TrackRoute = {
    portId: old?.portId ?? '',
    channel: old?.channel ?? defaultChannel(role),
    mode: old?.mode ?? 'also',
    ...patch,
  };
  return route.portId ? route : null;
}

/** Whether a light last lit at `at` (performance ms) is still on at `now`. */
export function lit(at: number | undefined, now: number): boolean {
  return at !== undefined && now - at < LIGHT_MS;
}

/** What the header's MIDI button shows (`text`, `channel`) and says (`description`: its label and tooltip). */
export interface RouteLabel {
  /** 'unavailable': no ports yet (not asked, asking, or refused); 'off': not sent; 'routed'; 'missing': routed to a port not here now. */
  state: 'unavailable' | 'off' | 'routed' | 'missing';
  /** The port's name, or the state in two words (cut short by the button, so the channel stays visible). */
  text: string;
  /** "ch 10" when routed, else ''. */
  channel: string;
  description: string;
}

const channelText = (channel: number): string => `ch ${channel + 1}`;

/** The header button's words for `trackName`'s route, given the page's MIDI (status, problem, outputs). */
export function routeLabel(
  view: Pick<MidiView, 'status' | 'problem' | 'outputs'>,
  route: TrackRoute | undefined,
  trackName: string,
): RouteLabel {
  const whose = `${trackName}'s MIDI out`;
  if (view.status !== 'ready') {
    const why =
      view.status === 'asking'
        ? 'asking the browser for MIDI'
        : view.status === 'problem'
          ? (view.problem ?? 'MIDI is not available')
          : 'MIDI ports are not in use yet';
    const text = view.status === 'asking' ? 'Asking…' : view.status === 'problem' ? 'No MIDI' : 'MIDI ports off';
    return { state: 'unavailable', text, channel: '', description: `${whose}: ${why}` };
  }
  if (!route) return { state: 'off', text: 'MIDI off', channel: '', description: `${whose}: not sent` };
  const port: MidiPortInfo | undefined = view.outputs.find((p) => p.id === route.portId);
  const heard = route.mode === 'instead' ? 'instead of the sound here' : 'also heard here';
  const channel = channelText(route.channel);
  if (!port?.connected) {
    const name = port?.name ?? route.portId;
    // "Instead" silences the page only while the port is there (midi-session.ts silenceLocally).
    const meanwhile = route.mode === 'instead' ? 'heard here until it is back' : 'also heard here';
    return {
      state: 'missing',
      text: name,
      channel,
      description: `${whose}: ${name} (not connected), channel ${route.channel + 1}, ${meanwhile}`,
    };
  }
  return { state: 'routed', text: port.name, channel, description: `${whose}: ${port.name}, channel ${route.channel + 1}, ${heard}` };
}
