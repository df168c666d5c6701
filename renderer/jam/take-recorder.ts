/**
 * Recording a take in a jam: armed into a track, it runs over the loop's next pass (from the next
 * bar line when nothing loops) while the metronome counts; the live notes played meanwhile become
 * one clip, written through the page's EditRunner (the room's rules guard, a refused edit becomes
 * a notice) like every other edit. The rules are asked before arming and again before writing
 * (they may change while it records). The jam session (jam-session.ts) gives it what it needs.
 */
import type { LiveNote, TransportState } from '../../core/jam/contract.ts';
import { addClip, labelledEdit } from '../../core/song/edits.ts';
import type { EditRunner } from '../app/edit-runner.ts';
import { nextTake, takeLabel, takeNotes, type Quantize, type TakeWindow } from './recording.ts';
import type * as Y from 'yjs';

export type RecordState = { phase: 'off' } | { phase: 'armed' | 'recording'; window: TakeWindow; trackId: string; notes: LiveNote[] };

/** What the recorder needs of the jam. */
export interface TakeHost {
  readonly doc: Y.Doc;
  /** The channel is live and the room's transport as last heard. */
  live(): boolean;
  shared(): TransportState | null;
  /** Calls `listener` on each change heard from the channel; returns the unsubscribe. */
  onShared(listener: () => void): () => void;
  serverNow(): number;
  quantize(): Quantize;
  /** Why no take may go into `trackId` now (the room's rules), or null. */
  refusal(trackId: string): string | null;
  /** The recording's state and the panel's message, as the jam's view shows them. */
  state(): RecordState;
  show(record: RecordState, message?: string | null): void;
  say(message: string): void;
  /** Press play (the room's transport). */
  play(): void;
  metronome(): boolean;
  setMetronome(on: boolean): void;
  /** Who recorded it, for the clip's provenance. */
  author(): string | null;
}

export class TakeRecorder {
  private readonly host: TakeHost;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopWaiting: (() => void) | null = null;
  /** The runner the armed take is written through (the page's, with the room's rules). */
  private edits: EditRunner | null = null;

  constructor(host: TakeHost) {
    this.host = host;
  }

  /** Arms recording into `trackId`, or disarms (and drops the take) when one is armed or running. */
  toggle(trackId: string | null, edits: EditRunner): void {
    if (this.host.state().phase !== 'off') return this.end(false);
    const state = this.host.shared();
    if (!this.host.live() || !state) return this.host.say('Recording needs the jam channel: connecting…');
    if (!trackId) return this.host.say('Select a clip of the track to record into (or pick the track).');
    const refused = this.host.refusal(trackId);
    if (refused) return this.host.say(refused);
    this.edits = edits;
    if (state.playing) return this.armAt(state, trackId);
    this.host.play();
    // Armed once the transport is playing (the state arrives with its anchor).
    this.stopWaiting?.();
    this.stopWaiting = this.host.onShared(() => {
      const s = this.host.shared();
      if (!s?.playing) return;
      this.stopWaiting?.();
      this.stopWaiting = null;
      this.armAt(s, trackId);
    });
  }

  /** A live note this user played: part of the take while one is armed or running. */
  played(note: LiveNote): void {
    const rec = this.host.state();
    if (rec.phase !== 'off') rec.notes.push(note);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.stopWaiting?.();
    this.stopWaiting = null;
  }

  private armAt(state: TransportState, trackId: string): void {
    const window = nextTake(state, this.host.serverNow(), 4, 100);
    if (!window) return;
    this.host.show({ phase: 'armed', window, trackId, notes: [] }, null);
    const metronome = this.host.metronome();
    if (!metronome) this.host.setMetronome(true);
    const startIn = window.startMs - this.host.serverNow();
    this.timer = setTimeout(
      () => {
        const rec = this.host.state();
        if (rec.phase === 'armed') this.host.show({ ...rec, phase: 'recording' });
        this.timer = setTimeout(
          () => {
            if (!metronome) this.host.setMetronome(false);
            this.end(true);
          },
          window.endMs - this.host.serverNow() + 80,
        );
      },
      Math.max(0, startIn),
    );
  }

  private end(keep: boolean): void {
    clearTimeout(this.timer);
    this.stopWaiting?.();
    this.stopWaiting = null;
    const rec = this.host.state();
    const edits = this.edits;
    this.edits = null;
    this.host.show({ phase: 'off' });
    if (!keep || rec.phase === 'off' || !edits) return;
    const state = this.host.shared();
    if (!state) return;
    // The rules may have changed while it was recording: say which one keeps the take out.
    const refused = this.host.refusal(rec.trackId);
    if (refused) return this.host.say(`The take was not kept: ${refused}`);
    const quantize = this.host.quantize();
    const notes = takeNotes(rec.notes, rec.window, state, quantize);
    if (!notes.length) return this.host.say('Nothing was played in the take: no clip written.');
    const doc = this.host.doc;
    try {
      // Through the page's runner: the rules guard, and a refused edit becomes a notice.
      const written = edits.run(() =>
        labelledEdit(doc, takeLabel(notes.length), () =>
          addClip(doc, {
            trackId: rec.trackId,
            startBar: rec.window.startBar,
            lengthBars: rec.window.bars,
            name: 'Take',
            notes,
            provenance: { source: 'user', detail: { recorded: true, quantize, by: this.host.author() } },
          }),
        ),
      );
      if (written === undefined) return this.host.say('The take was not kept: the edit was refused (see the notice).');
      this.host.say(takeLabel(notes.length));
    } catch (error) {
      this.host.say(`The take could not be written: ${(error as Error).message}`);
    }
  }
}
