/**
 * Musical typing: the computer keyboard as a one-octave piano, while the mode is on (the jam
 * panel's "Musical typing" button, or the ` key). Pure: maps a key event to a
 * pitch or an octave/velocity change, so the map is tested under Node and listed in one place.
 *
 *   W E   T Y U        black keys  (C# D#  F# G# A#)
 *  A S D F G H J K     white keys  (C D E F G A B C)
 *  Z / X  octave down / up     C / V  velocity down / up
 *
 * Keys are read by `code` (the key's place, not its letter), so AZERTY or Dvorak layouts play the
 * same shape. Nothing else is taken: Space (play/stop), arrows, Delete, Esc, =/- and ? keep their
 * shortcuts; keys with Ctrl, Cmd or Alt are left alone (Mod+Z undo still works).
 */

/** Semitones above the octave's C, by KeyboardEvent.code. */
export const NOTE_KEYS: Record<string, number> = {
  KeyA: 0,
  KeyW: 1,
  KeyS: 2,
  KeyE: 3,
  KeyD: 4,
  KeyF: 5,
  KeyT: 6,
  KeyG: 7,
  KeyY: 8,
  KeyH: 9,
  KeyU: 10,
  KeyJ: 11,
  KeyK: 12,
  KeyO: 13,
  KeyL: 14,
};

export interface TypingState {
  /** MIDI pitch of the A key (a C). */
  baseOctaveC: number;
  velocity: number;
}

export const DEFAULT_TYPING: TypingState = { baseOctaveC: 60, velocity: 100 };

export type TypingAction = { kind: 'note'; pitch: number } | { kind: 'state'; state: TypingState };

export interface TypingKey {
  code?: string;
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** What a key does in musical typing (null: not one of its keys; leave it to the shortcuts). */
export function typingAction(e: TypingKey, state: TypingState): TypingAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const code = e.code ?? '';
  if (code in NOTE_KEYS) {
    const pitch = state.baseOctaveC + NOTE_KEYS[code]!;
    return pitch >= 0 && pitch <= 127 ? { kind: 'note', pitch } : null;
  }
  switch (code) {
    case 'KeyZ':
      return { kind: 'state', state: { ...state, baseOctaveC: Math.max(0, state.baseOctaveC - 12) } };
    case 'KeyX':
      return { kind: 'state', state: { ...state, baseOctaveC: Math.min(120, state.baseOctaveC + 12) } };
    case 'KeyC':
      return { kind: 'state', state: { ...state, velocity: Math.max(1, state.velocity - 20) } };
    case 'KeyV':
      return { kind: 'state', state: { ...state, velocity: Math.min(127, state.velocity + 20) } };
    default:
      return null;
  }
}

/** The key that switches musical typing on and off (Backquote: `). */
export const TYPING_TOGGLE_CODE = 'Backquote';

/** Note name for the panel ("C4" = 60). */
export function noteName(pitch: number): string {
  const names = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
  return `${names[pitch % 12]}${Math.floor(pitch / 12) - 1}`;
}
