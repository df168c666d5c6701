/**
 * The song as React sees it: a plain `Song` snapshot (core's readSong) of the shared Y.Doc,
 * recomputed at most once per animation frame however many updates arrive (a bandmate's drag
 * can send dozens a second), with unchanged records kept by identity. Subscribe with
 * useSyncExternalStore (state/hooks.ts).
 */
import type * as Y from 'yjs';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';
import { shareUnchanged } from './structural-share.ts';

/** Runs `callback` on the next frame; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

export class SongStore {
  private snapshot: Song;
  private readonly listeners = new Set<() => void>();
  private cancelFrame: (() => void) | null = null;
  private readonly doc: Y.Doc;
  private readonly schedule: FrameScheduler;
  /** How many times the snapshot was rebuilt (tests and the dev overlay read it). */
  recomputes = 0;

  constructor(doc: Y.Doc, schedule: FrameScheduler) {
    this.doc = doc;
    this.schedule = schedule;
    this.snapshot = readSong(doc);
    doc.on('update', this.onUpdate);
  }

  readonly getSnapshot = (): Song => this.snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Rebuilds the snapshot now if an update is pending (before reading it outside a frame). */
  flush(): void {
    if (!this.cancelFrame) return;
    this.cancelFrame();
    this.recompute();
  }

  destroy(): void {
    this.doc.off('update', this.onUpdate);
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.listeners.clear();
  }

  private readonly onUpdate = (): void => {
    this.cancelFrame ??= this.schedule(() => this.recompute());
  };

  private recompute(): void {
    this.cancelFrame = null;
    this.recomputes++;
    let read: Song;
    try {
      read = readSong(this.doc);
    } catch (error) {
      // A peer that wrote a malformed record must not blank everyone's screen: keep showing the
      // last good song; the record becomes readable again when it is fixed or deleted.
      console.error('riffroom: cannot read the song:', error);
      return;
    }
    const next = shareUnchanged(this.snapshot, read);
    if (next === this.snapshot) return;
    this.snapshot = next;
    for (const l of [...this.listeners]) l();
  }
}
