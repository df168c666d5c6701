/**
 * The successive states of a session, rebuilt from its logged updates (GET /updates): state i is
 * the song right after update i. A replay asks for them in order (cheap: one update applied to a
 * working document each), and a scrub may jump anywhere: jumping back restarts from the nearest
 * saved checkpoint instead of from the first update, so a scrub over a long session stays fast.
 *
 * Pure (yjs + core's readSong): tested under Node.
 */
import * as Y from 'yjs';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';
import type { LoggedUpdate } from './updates-stream.ts';

export class ReplayStates {
  readonly updates: readonly LoggedUpdate[];
  /** A full-state snapshot is kept after every this many updates. */
  private readonly checkpointEvery: number;
  /** Snapshots by the number of updates applied (0 = the empty document). */
  private readonly checkpoints = new Map<number, Uint8Array>();
  private doc = new Y.Doc();
  /** How many updates `doc` has applied. */
  private applied = 0;
  private last: { step: number; song: Song } | null = null;
  /** Updates applied in all, for tests and the dev console: shows that scrubs reuse checkpoints. */
  work = 0;

  constructor(updates: readonly LoggedUpdate[], options: { checkpointEvery?: number } = {}) {
    this.updates = updates;
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 64);
    this.checkpoints.set(0, Y.encodeStateAsUpdate(this.doc));
  }

  get length(): number {
    return this.updates.length;
  }

  seqAt(step: number): number {
    return this.updates[step]?.seq ?? 0;
  }

  /** The song right after update `step` (0-based). */
  songAt(step: number): Song {
    if (step < 0 || step >= this.updates.length) throw new RangeError(`replay step ${step} is outside 0..${this.updates.length - 1}`);
    if (this.last?.step === step) return this.last.song;
    const target = step + 1;
    const nearest = Math.floor(target / this.checkpointEvery) * this.checkpointEvery;
    // Going back, or far ahead past a checkpoint already made: start over from that checkpoint.
    if (target < this.applied || (nearest > this.applied && this.checkpoints.has(nearest))) this.resetTo(this.bestCheckpoint(target));
    while (this.applied < target) {
      Y.applyUpdate(this.doc, this.updates[this.applied]!.update);
      this.applied++;
      this.work++;
      if (this.applied % this.checkpointEvery === 0 && !this.checkpoints.has(this.applied)) {
        this.checkpoints.set(this.applied, Y.encodeStateAsUpdate(this.doc));
      }
    }
    const song = readSong(this.doc);
    this.last = { step, song };
    return song;
  }

  destroy(): void {
    this.doc.destroy();
    this.checkpoints.clear();
  }

  private bestCheckpoint(target: number): number {
    let best = 0;
    for (const at of this.checkpoints.keys()) if (at <= target && at > best) best = at;
    return best;
  }

  private resetTo(at: number): void {
    this.doc.destroy();
    this.doc = new Y.Doc();
    Y.applyUpdate(this.doc, this.checkpoints.get(at)!);
    this.applied = at;
  }
}
