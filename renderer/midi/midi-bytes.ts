/**
 * MIDI 1.0 messages as the bytes Web MIDI's `MIDIOutput.send` takes, and the system real-time
 * messages a clock input brings. Channels are 0-based (0..15; the UI shows 1..16). Pure.
 */

/** Timing clock: 24 a quarter note. */
export const CLOCK = 0xf8;
/** Start from the top of the song (position 0). */
export const START = 0xfa;
/** Continue from the last Song Position Pointer. */
export const CONTINUE = 0xfb;
export const STOP = 0xfc;
/** Song Position Pointer: the position in MIDI beats (sixteenth notes = 6 clocks), 14 bits. */
export const SONG_POSITION = 0xf2;
/** Clocks per quarter note. */
export const PULSES_PER_QUARTER = 24;
/** Clocks per MIDI beat (a sixteenth note), the unit of the Song Position Pointer. */
export const PULSES_PER_SIXTEENTH = 6;
/** The largest Song Position Pointer value (14 bits). */
export const MAX_SONG_POSITION = 0x3fff;

const clamp7 = (v: number): number => Math.max(0, Math.min(127, Math.round(v)));
const channelOf = (channel: number): number => Math.max(0, Math.min(15, Math.floor(channel)));

export function noteOn(channel: number, pitch: number, velocity: number): number[] {
  // Velocity 0 is a note-off by convention: a note that should sound sends at least 1.
  return [0x90 | channelOf(channel), clamp7(pitch), Math.max(1, clamp7(velocity))];
}

export function noteOff(channel: number, pitch: number): number[] {
  return [0x80 | channelOf(channel), clamp7(pitch), 0];
}

export function programChange(channel: number, program: number): number[] {
  return [0xc0 | channelOf(channel), clamp7(program)];
}

export function controlChange(channel: number, controller: number, value: number): number[] {
  return [0xb0 | channelOf(channel), clamp7(controller), clamp7(value)];
}

/** Controller 123: All Notes Off (a receiver releases every held note of the channel). */
export function allNotesOff(channel: number): number[] {
  return controlChange(channel, 123, 0);
}

/** Song Position Pointer at `sixteenths` MIDI beats from the top (clamped to 14 bits). */
export function songPosition(sixteenths: number): number[] {
  const v = Math.max(0, Math.min(MAX_SONG_POSITION, Math.round(sixteenths)));
  return [SONG_POSITION, v & 0x7f, (v >> 7) & 0x7f];
}

/** What a clock input's message means (null: not a clock or transport message). */
export type ClockInput =
  | { kind: 'clock' }
  | { kind: 'start' }
  | { kind: 'continue' }
  | { kind: 'stop' }
  | { kind: 'position'; sixteenths: number };

export function clockInputOf(data: ArrayLike<number> | null | undefined): ClockInput | null {
  if (!data || data.length < 1) return null;
  switch (data[0]) {
    case CLOCK:
      return { kind: 'clock' };
    case START:
      return { kind: 'start' };
    case CONTINUE:
      return { kind: 'continue' };
    case STOP:
      return { kind: 'stop' };
    case SONG_POSITION: {
      if (data.length < 3) return null;
      const lsb = data[1]!;
      const msb = data[2]!;
      if (lsb > 127 || msb > 127) return null;
      return { kind: 'position', sixteenths: lsb | (msb << 7) };
    }
    default:
      return null;
  }
}
