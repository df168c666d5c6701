/**
 * The room page's MIDI (midi-session.ts), beside its jam: made with the room, its ports opened
 * when the user asks (the MIDI panel's button: a browser may ask for permission) or at once
 * when the user chose ports before and the browser already allows MIDI (no prompt).
 */
import type { Transport } from '../audio/transport.ts';
import { audioTransportOf } from '../audio/contract.ts';
import type { JamSession } from '../jam/jam-session.ts';
import type { RoomSession } from '../state/session.ts';
import { MidiPorts } from './midi-ports.ts';
import { MidiSession } from './midi-session.ts';
import { startTicker } from './ticker.ts';

/** The timer's period, ms: held note-offs and the clock's next stretch (its look-ahead is 100 ms). */
const TICK_MS = 20;

export function connectMidi(session: RoomSession, transport: Transport, jam: JamSession | null): MidiSession | null {
  const engine = audioTransportOf(transport);
  if (!engine) return null;
  const midi = new MidiSession({
    room: session.link.room,
    engine,
    song: session.store.getSnapshot,
    onSong: session.store.subscribe,
    jam,
    ticker: (tick) => startTicker(TICK_MS, tick),
  });
  // For the dev console and the Chromium tests (what was sent, the settings).
  (globalThis as { riffroomMidi?: unknown }).riffroomMidi = midi;
  const s = midi.getState().settings;
  if (Object.keys(s.routes).length || s.clockOut || s.live) void openIfAllowed(midi);
  return midi;
}

/** Opens the page's MIDI ports (the user asked). */
export async function openMidiPorts(midi: MidiSession): Promise<void> {
  if (midi.getState().status === 'ready') return;
  midi.asking();
  midi.setPorts(await MidiPorts.open());
}

async function openIfAllowed(midi: MidiSession): Promise<void> {
  try {
    const status = await navigator.permissions?.query({ name: 'midi' as PermissionName });
    if (status?.state === 'granted') await openMidiPorts(midi);
  } catch {
    // No permissions API for MIDI here: the panel's button opens them.
  }
}
