/**
 * A Transport that builds the real one only when it is first played. Browsing the timeline
 * shows a past moment on every click, and each view needs a transport for the top bar and the
 * playhead, but an audio engine (an AudioContext, instruments, a clock) is worth making only for
 * someone who listens. Until then it keeps the state like the null transport; the playhead,
 * metronome and count-in set meanwhile are handed to the real one when it is made.
 */
import { createNullTransport, type Transport } from '../audio/transport.ts';

export interface DeferredTransport extends Transport {
  /** The real transport's smooth playhead (audio/contract.ts), once there is one that has it. */
  readonly position: (() => unknown) | undefined;
  /** Whether the real transport has been made. */
  readonly started: boolean;
}

export function deferredTransport(make: () => Transport): DeferredTransport {
  const idle = createNullTransport();
  let real: Transport | null = null;
  let position: (() => unknown) | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of [...listeners]) l();
  };
  idle.subscribe(notify);

  const ensure = (): Transport => {
    if (real) return real;
    const made = make();
    const before = idle.getState();
    made.seek(before.playheadBar);
    made.setMetronome(before.metronome);
    made.setCountIn(before.countInBars);
    const withPosition = made as Transport & { position?: () => unknown };
    position = typeof withPosition.position === 'function' ? withPosition.position.bind(made) : undefined;
    made.subscribe(notify);
    real = made;
    notify();
    return made;
  };

  return {
    get started() {
      return real !== null;
    },
    get position() {
      return position;
    },
    getState: () => (real ?? idle).getState(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    play: () => ensure().play(),
    stop: () => (real ?? idle).stop(),
    seek: (bar) => (real ?? idle).seek(bar),
    setMetronome: (on) => (real ?? idle).setMetronome(on),
    setCountIn: (bars) => (real ?? idle).setCountIn(bars),
    dispose() {
      real?.stop();
      real?.dispose?.();
      listeners.clear();
    },
  };
}
