/**
 * Live input for the jam: musical typing on the computer keyboard (live-keys.ts) and Web MIDI
 * keyboards, both played on the chosen track's instrument through the jam session.
 */
import { useEffect, useRef, useState } from 'react';
import type { JamSession } from './jam-session.ts';
import { DEFAULT_TYPING, TYPING_TOGGLE_CODE, typingAction, type TypingState } from './live-keys.ts';
import { liveNoteFromMidi } from './midi-message.ts';

function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

/**
 * While `on`, the note keys play (captured before the window's shortcuts and the editor); ` turns
 * the mode on and off. Returns the octave/velocity state for the panel.
 */
export function useMusicalTyping(jam: JamSession | null, on: boolean, trackId: string | null): TypingState {
  const [typing, setTyping] = useState<TypingState>(DEFAULT_TYPING);
  const latest = useRef({ typing, trackId, on });
  latest.current = { typing, trackId, on };
  useEffect(() => {
    if (!jam) return;
    const down = new Map<string, number>();
    const onDown = (e: KeyboardEvent): void => {
      if (e.isComposing || isTypingTarget(e.target)) return;
      if (e.code === TYPING_TOGGLE_CODE && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        e.stopPropagation();
        if (!e.repeat) jam.setSettings({ typing: !latest.current.on });
        return;
      }
      if (!latest.current.on) return;
      const action = typingAction(e, latest.current.typing);
      if (!action) return;
      e.preventDefault();
      e.stopPropagation();
      if (action.kind === 'state') {
        if (!e.repeat) setTyping(action.state);
        return;
      }
      if (e.repeat || down.has(e.code)) return;
      down.set(e.code, action.pitch);
      jam.liveNotes.play('on', action.pitch, latest.current.typing.velocity, latest.current.trackId);
    };
    const onUp = (e: KeyboardEvent): void => {
      const pitch = down.get(e.code);
      if (pitch === undefined) return;
      down.delete(e.code);
      e.preventDefault();
      e.stopPropagation();
      jam.liveNotes.play('off', pitch, 0, latest.current.trackId);
    };
    const onBlur = (): void => {
      for (const [code, pitch] of down) {
        down.delete(code);
        jam.liveNotes.play('off', pitch, 0, latest.current.trackId);
      }
    };
    window.addEventListener('keydown', onDown, true);
    window.addEventListener('keyup', onUp, true);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onDown, true);
      window.removeEventListener('keyup', onUp, true);
      window.removeEventListener('blur', onBlur);
      onBlur();
    };
  }, [jam]);
  return typing;
}

export interface MidiDevice {
  id: string;
  name: string;
}

interface MidiInputLike {
  id: string;
  name?: string | null;
  onmidimessage: ((e: { data: Uint8Array | null }) => void) | null;
}
interface MidiAccessLike {
  inputs: { get(id: string): MidiInputLike | undefined; values(): IterableIterator<MidiInputLike> };
  onstatechange: (() => void) | null;
}

/**
 * Web MIDI input: the devices (when the browser offers Web MIDI), and the chosen one's note-ons
 * and note-offs played live. `available` is false without Web MIDI (or when access was refused).
 */
export function useMidiInput(
  jam: JamSession | null,
  deviceId: string | null,
  trackId: string | null,
): { available: boolean; devices: MidiDevice[]; problem: string | null } {
  const [access, setAccess] = useState<MidiAccessLike | null>(null);
  const [devices, setDevices] = useState<MidiDevice[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const track = useRef(trackId);
  track.current = trackId;
  const request = (navigator as unknown as { requestMIDIAccess?: () => Promise<MidiAccessLike> }).requestMIDIAccess;
  useEffect(() => {
    if (!request || deviceId === null || access) return;
    request.call(navigator).then(
      (a) => {
        setAccess(a);
        const list = () => setDevices([...a.inputs.values()].map((i) => ({ id: i.id, name: i.name ?? i.id })));
        list();
        a.onstatechange = list;
      },
      (error: Error) => setProblem(`MIDI: ${error.message}`),
    );
    // request is left out: it is the browser's own function, the same on every render.
  }, [deviceId, access]);
  useEffect(() => {
    if (!jam || !access || !deviceId) return;
    const input = access.inputs.get(deviceId);
    if (!input) return;
    input.onmidimessage = (e) => {
      const note = liveNoteFromMidi(e.data);
      if (note) jam.liveNotes.play(note.kind, note.pitch, note.velocity, track.current);
    };
    return () => {
      input.onmidimessage = null;
    };
  }, [jam, access, deviceId]);
  return { available: !!request, devices, problem };
}

/** Asks for MIDI access (the device picker's first open), so the device list fills. */
export function midiSupported(): boolean {
  return typeof navigator !== 'undefined' && typeof (navigator as { requestMIDIAccess?: unknown }).requestMIDIAccess === 'function';
}
