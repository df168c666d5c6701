/**
 * A Web MIDI input message as a live note: note-on (velocity > 0) plays, note-off or note-on with
 * velocity 0 (the common running-status shorthand keyboards send) releases, on any channel.
 * Everything else a keyboard sends (controllers, pitch bend, clock, sysex) and anything malformed
 * (short, data bytes over 127) is not a note: null.
 */
export interface MidiNote {
  kind: 'on' | 'off';
  pitch: number;
  velocity: number;
}

export function liveNoteFromMidi(data: ArrayLike<number> | null | undefined): MidiNote | null {
  if (!data || data.length < 3) return null;
  const status = data[0]!;
  const pitch = data[1]!;
  const velocity = data[2]!;
  if (pitch > 127 || velocity > 127 || pitch < 0 || velocity < 0) return null;
  const type = status & 0xf0;
  if (type === 0x90 && velocity > 0) return { kind: 'on', pitch, velocity };
  if (type === 0x80 || type === 0x90) return { kind: 'off', pitch, velocity: 0 };
  return null;
}
