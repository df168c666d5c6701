/**
 * Dragging a clip (move, or duplicate with Alt) or its right edge (resize), as pure math: where
 * the clip would land for a pointer position. The view shows that as a preview and makes one
 * edit on release, so a drag is one history entry and one undo step.
 */
import { MAX_BARS } from '../../../core/song/validate.ts';

/** Movement below this is a click (select), not a drag. */
export const DRAG_THRESHOLD_PX = 4;

export interface GestureStart {
  kind: 'move' | 'resize';
  clipId: string;
  startBar: number;
  lengthBars: number;
  trackIndex: number;
  /** Pointer position at the start (client pixels). */
  x: number;
  y: number;
}

export interface LaneGeometry {
  barPx: number;
  rowPx: number;
  trackCount: number;
}

export interface GestureTarget {
  startBar: number;
  lengthBars: number;
  trackIndex: number;
  /** Whether the pointer moved far enough to be a drag. */
  dragged: boolean;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function gestureTarget(start: GestureStart, x: number, y: number, geometry: LaneGeometry): GestureTarget {
  const dx = x - start.x;
  const dy = y - start.y;
  const dragged = Math.abs(dx) >= DRAG_THRESHOLD_PX || Math.abs(dy) >= DRAG_THRESHOLD_PX;
  const bars = Math.round(dx / geometry.barPx);
  if (start.kind === 'resize') {
    return {
      startBar: start.startBar,
      lengthBars: clamp(start.lengthBars + bars, 1, MAX_BARS - start.startBar),
      trackIndex: start.trackIndex,
      dragged,
    };
  }
  return {
    startBar: clamp(start.startBar + bars, 0, MAX_BARS - start.lengthBars),
    lengthBars: start.lengthBars,
    trackIndex: clamp(start.trackIndex + Math.round(dy / geometry.rowPx), 0, Math.max(0, geometry.trackCount - 1)),
    dragged,
  };
}

/** Whether releasing at `target` changes anything (a duplicate always does). */
export function changesClip(start: GestureStart, target: GestureTarget, duplicate: boolean): boolean {
  if (!target.dragged) return false;
  if (duplicate && start.kind === 'move') return true;
  return target.startBar !== start.startBar || target.lengthBars !== start.lengthBars || target.trackIndex !== start.trackIndex;
}
