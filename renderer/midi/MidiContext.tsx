/** The room's MIDI for any component: `useMidi()` (null without an audio engine) and its view. */
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { MidiSession, MidiView } from './midi-session.ts';

export const MidiContext = createContext<MidiSession | null>(null);

export function useMidi(): MidiSession | null {
  return useContext(MidiContext);
}

const noSubscribe = (): (() => void) => () => {};
const nothing = (): null => null;

export function useMidiView(midi: MidiSession | null): MidiView | null {
  const subscribe = useCallback((l: () => void) => (midi ? midi.subscribe(l) : noSubscribe()), [midi]);
  return useSyncExternalStore(subscribe, midi ? midi.getState : nothing);
}
