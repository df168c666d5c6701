/**
 * The page's Web MIDI ports (navigator.requestMIDIAccess, in Chromium and the desktop window):
 * the outputs and inputs with their names and whether they are there, sending with a
 * performance.now() timestamp, listening to an input, and being told when a port comes or goes.
 * Typed by what is used (the `…Like` interfaces), so a scripted access (the Chromium tests') or
 * a fake (unit tests) fits.
 */

export interface MidiPortLike {
  id: string;
  name?: string | null;
  /** 'connected' or 'disconnected' (Web MIDI's MIDIPort.state). */
  state?: string;
}
export interface MidiOutputLike extends MidiPortLike {
  send(data: number[] | Uint8Array, timestamp?: number): void;
}
export interface MidiMessageLike {
  data: Uint8Array | null;
  /** performance.now() ms of its arrival. */
  timeStamp: number;
}
export interface MidiInputLike extends MidiPortLike {
  addEventListener(type: 'midimessage', listener: (event: MidiMessageLike) => void): void;
  removeEventListener(type: 'midimessage', listener: (event: MidiMessageLike) => void): void;
}
export interface MidiAccessLike {
  outputs: { get(id: string): MidiOutputLike | undefined; values(): IterableIterator<MidiOutputLike> };
  inputs: { get(id: string): MidiInputLike | undefined; values(): IterableIterator<MidiInputLike> };
  addEventListener(type: 'statechange', listener: (event: { port?: MidiPortLike | null }) => void): void;
  removeEventListener(type: 'statechange', listener: (event: { port?: MidiPortLike | null }) => void): void;
}

export interface MidiPortInfo {
  id: string;
  name: string;
  connected: boolean;
}

const info = (p: MidiPortLike): MidiPortInfo => ({ id: p.id, name: p.name || p.id, connected: p.state !== 'disconnected' });

export class MidiPorts {
  private readonly access: MidiAccessLike;

  constructor(access: MidiAccessLike) {
    this.access = access;
  }

  /** The page's MIDI ports, or why not (no Web MIDI here, or access refused). */
  static async open(): Promise<MidiPorts | { problem: string }> {
    const nav = globalThis.navigator as unknown as { requestMIDIAccess?: (options?: { sysex?: boolean }) => Promise<MidiAccessLike> };
    if (typeof nav?.requestMIDIAccess !== 'function') return { problem: 'This browser has no Web MIDI (Chromium and the desktop app do).' };
    try {
      return new MidiPorts(await nav.requestMIDIAccess({ sysex: false }));
    } catch (error) {
      return { problem: `MIDI access refused: ${(error as Error).message}` };
    }
  }

  outputs(): MidiPortInfo[] {
    return [...this.access.outputs.values()].map(info);
  }

  inputs(): MidiPortInfo[] {
    return [...this.access.inputs.values()].map(info);
  }

  /** Sends to an output; false when it is not there or refused the message. */
  send(portId: string, data: number[], timestamp: number): boolean {
    const port = this.access.outputs.get(portId);
    if (!port || port.state === 'disconnected') return false;
    try {
      port.send(data, timestamp);
      return true;
    } catch {
      // A port that went away between the check and the send (InvalidStateError).
      return false;
    }
  }

  /** Calls `listener` with each message of an input (and its arrival time); returns the unsubscribe. */
  listen(portId: string, listener: (data: Uint8Array, timeStamp: number) => void): () => void {
    const input = this.access.inputs.get(portId);
    if (!input) return () => {};
    const onMessage = (event: MidiMessageLike): void => {
      if (event.data) listener(event.data, event.timeStamp);
    };
    input.addEventListener('midimessage', onMessage);
    return () => input.removeEventListener('midimessage', onMessage);
  }

  /** Calls `listener` when a port comes, goes or changes; returns the unsubscribe. */
  onChange(listener: (port: MidiPortInfo | null) => void): () => void {
    const onState = (event: { port?: MidiPortLike | null }): void => listener(event.port ? info(event.port) : null);
    this.access.addEventListener('statechange', onState);
    return () => this.access.removeEventListener('statechange', onState);
  }
}
