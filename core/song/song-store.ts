/**
 * A plain `Song` snapshot (readSong) of the shared Y.Doc, recomputed at most once per frame
 * however many updates arrive (a bandmate's drag can send dozens a second), with unchanged
 * records kept by identity. The page subscribes with useSyncExternalStore (renderer/state/
 * hooks.ts); the server reads it around a student's update (sync-server/room/own-track-guard.ts)
 * with a scheduler that never fires and flush().
 *
 * Only the clips that changed since the last snapshot are read again (a deep observer on the
 * clips map names them): a song of thousands of notes costs an edit of one clip what that clip
 * costs, not what the song does.
 */
import type * as Y from 'yjs';
import { clipsMap, readClip, readSong } from './schema.ts';
import type { Clip, Song } from './types.ts';
import { shareUnchanged } from './structural-share.ts';

/** Runs `callback` on the next frame; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

export class SongStore {
  private snapshot: Song;
  private readonly listeners = new Set<() => void>();
  private cancelFrame: (() => void) | null = null;
  private readonly doc: Y.Doc;
  private readonly schedule: FrameScheduler;
  /** Clips changed (or added, or deleted) since the snapshot was last read. */
  private readonly dirtyClips = new Set<string>();
  /** How many times the snapshot was rebuilt (tests and the dev overlay read it). */
  recomputes = 0;
  /** How many clip records were read from the document (the others were kept). */
  clipReads = 0;

  private readonly onReadError: (error: unknown) => void;

  /** `onReadError`: a record that cannot be read (the last good snapshot stays). */
  constructor(doc: Y.Doc, schedule: FrameScheduler, onReadError: (error: unknown) => void = () => {}) {
    this.doc = doc;
    this.schedule = schedule;
    this.onReadError = onReadError;
    this.snapshot = readSong(doc);
    clipsMap(doc).observeDeep(this.onClipsChanged);
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

  /**
   * The song as the document has it now: the snapshot, rebuilt first if an update is pending
   * (React's snapshot may be a frame behind the document; an action reads this one).
   */
  readonly current = (): Song => {
    this.flush();
    return this.snapshot;
  };

  destroy(): void {
    this.doc.off('update', this.onUpdate);
    clipsMap(this.doc).unobserveDeep(this.onClipsChanged);
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.listeners.clear();
  }

  private readonly onUpdate = (): void => {
    this.cancelFrame ??= this.schedule(() => this.recompute());
  };

  /** Runs at the end of each transaction, before its update event: notes which clips it touched. */
  private readonly onClipsChanged = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
    for (const event of events) {
      // A change inside a clip (its fields, its notes) has the clip's id first in its path; a
      // change of the clips map itself (a clip added or deleted) names the clips as its keys.
      if (event.path.length) this.dirtyClips.add(String(event.path[0]));
      else for (const key of (event as Y.YMapEvent<unknown>).keysChanged) this.dirtyClips.add(key);
    }
  };

  private recompute(): void {
    this.cancelFrame = null;
    this.recomputes++;
    const kept = new Map(this.snapshot.clips.map((c) => [c.id, c]));
    const clipRecord = (id: string, map: Parameters<typeof readClip>[1]): Clip => {
      const old = this.dirtyClips.has(id) ? undefined : kept.get(id);
      if (old) return old;
      this.clipReads++;
      return readClip(id, map);
    };
    let read: Song;
    try {
      read = readSong(this.doc, clipRecord);
      // Read: the next snapshot starts from this one (a clip that failed to read stays dirty).
      this.dirtyClips.clear();
    } catch (error) {
      // A peer that wrote a malformed record must not blank everyone's screen: keep showing the
      // last good song; the record becomes readable again when it is fixed or deleted.
      this.onReadError(error);
      return;
    }
    const next = shareUnchanged(this.snapshot, read);
    if (next === this.snapshot) return;
    this.snapshot = next;
    for (const l of [...this.listeners]) l();
  }
}
