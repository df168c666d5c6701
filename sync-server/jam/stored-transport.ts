/**
 * The jam transport as a node keeps it for the room's next owner (store/cluster-store.ts): JSON
 * text, read back with every field checked. A stored state that does not check out is dropped
 * (the room starts from its song's tempo, meter and loop, as a fresh room does), never trusted:
 * the database is shared, and a bad anchor would put every member's beat somewhere else.
 * `earlier` (the segments before the anchor) is not kept: it serves changes announced in the
 * last few seconds, and a takeover takes longer than that.
 */
import type { TransportState } from '../../core/jam/contract.ts';
import { checkBpm, checkLoop, checkMeter } from '../../core/jam/timeline.ts';

export function transportText(state: TransportState): string {
  const { earlier: _earlier, ...kept } = state;
  return JSON.stringify(kept);
}

/** The state in `text`, or null (with the reason in `problem`) when it does not check out. */
export function parseStoredTransport(text: string): { state: TransportState } | { problem: string } {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'not an object' };
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
  try {
    const finite = (v: unknown, what: string) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} must be a finite number`);
      return v;
    };
    const whole = (v: unknown, what: string) => {
      if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Error(`${what} must be a whole number from 0`);
      return v as number;
    };
    if (typeof value.playing !== 'boolean') throw new Error('playing must be true or false');
    if (typeof value.changedBy !== 'string' || value.changedBy.length > 200) throw new Error('changedBy must be a short string');
    const state: TransportState = {
      playing: value.playing,
      bpm: checkBpm(value.bpm),
      meter: checkMeter(value.meter),
      loop: checkLoop(value.loop ?? null),
      anchorMs: finite(value.anchorMs, 'anchorMs'),
      anchorBar: whole(value.anchorBar, 'anchorBar'),
      revision: whole(value.revision, 'revision'),
      changedBy: value.changedBy,
    };
    if (value.countIn !== undefined && value.countIn !== null) {
      const c = value.countIn as Record<string, unknown>;
      state.countIn = {
        bars: whole(c.bars, 'countIn.bars'),
        startMs: finite(c.startMs, 'countIn.startMs'),
        beats: whole(c.beats, 'countIn.beats'),
      };
    }
    return { state };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}
