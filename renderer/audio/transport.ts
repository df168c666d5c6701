/**
 * The transport the UI drives (play/stop buttons, Space, the ruler's playhead) without knowing
 * what makes the sound. The audio engine in renderer/audio/ implements it over Tone.js; until it
 * lands, and where there is no audio (tests), createNullTransport() only keeps the state so the
 * UI behaves the same.
 *
 * The song itself (tempo, meter, swing, loop range, tracks, mute/solo) is not passed through
 * here: the engine reads it from the shared document, so a bandmate's tempo change is heard too.
 */

export interface TransportState {
  playing: boolean;
  /** Playhead in bars from the song's start (0 = bar 1); fractional while playing. */
  playheadBar: number;
  /** Click on every beat while playing. */
  metronome: boolean;
  /** Bars of click before playback starts (0 = none). */
  countInBars: number;
}

export interface Transport {
  getState(): TransportState;
  /**
   * Called on every state change; the playhead's movement is reported in quarter-bar steps (every
   * frame would re-render every subscriber 60 times a second): poll the engine's position() for
   * smooth drawing. Returns the unsubscribe.
   */
  subscribe(listener: () => void): () => void;
  /** Starts from the playhead (looping over the song's loop range when it has one). */
  play(): void;
  /** Stops; the playhead stays where it stopped. */
  stop(): void;
  /** Moves the playhead (while playing, playback jumps there). */
  seek(bar: number): void;
  setMetronome(on: boolean): void;
  setCountIn(bars: number): void;
  /** Releases what the transport holds (the audio engine's context and clock). */
  dispose?(): void;
}

/** A transport with no sound: it tracks playing state and the playhead, nothing more. */
export function createNullTransport(initial: Partial<TransportState> = {}): Transport {
  let state: TransportState = { playing: false, playheadBar: 0, metronome: false, countInBars: 0, ...initial };
  const listeners = new Set<() => void>();
  const set = (patch: Partial<TransportState>): void => {
    state = { ...state, ...patch };
    for (const l of [...listeners]) l();
  };
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    play: () => set({ playing: true }),
    stop: () => set({ playing: false }),
    seek: (bar) => set({ playheadBar: Math.max(0, bar) }),
    setMetronome: (on) => set({ metronome: on }),
    setCountIn: (bars) => set({ countInBars: Math.max(0, Math.floor(bars)) }),
  };
}
