/**
 * The pointer side of the editors' gestures: once a press starts one (note-gesture.ts decides
 * which), window listeners follow the pointer, the outcome so far is kept for the preview, and
 * the release hands the final outcome to `finish` (which makes the one edit). Escape or leaving
 * the window cancels without an edit.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { gestureOutcome, type GestureContext, type GestureOutcome, type GestureStart } from './note-gesture.ts';
import { listenToGesture } from './window-gesture.ts';

interface Active {
  start: GestureStart;
  /** Pointer positions are measured from this element's top-left (the grid or the velocity lane). */
  element: HTMLElement;
  outcome: GestureOutcome;
}

export interface NoteGesture {
  /** The gesture in progress, for the preview; null when none. */
  active: { start: GestureStart; outcome: GestureOutcome } | null;
  begin(start: GestureStart, element: HTMLElement, free: boolean): void;
}

function localPoint(element: HTMLElement, e: { clientX: number; clientY: number }): { x: number; y: number } {
  const r = element.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}

export function useNoteGesture(context: () => GestureContext, finish: (start: GestureStart, outcome: GestureOutcome) => void): NoteGesture {
  const [active, setActiveState] = useState<Active | null>(null);
  const ref = useRef<Active | null>(null);
  // The latest callbacks, so window listeners never call a stale render's closures.
  const latest = useRef({ context, finish });
  latest.current = { context, finish };
  // Stable (it touches only the ref and the state setter), so the window listeners keep theirs.
  const setActive = useCallback((a: Active | null): void => {
    ref.current = a;
    setActiveState(a);
  }, []);

  const running = active !== null;
  // A layout effect: the listeners are on the window before the browser can deliver the release
  // of a quick click (a passive effect could run after it).
  useLayoutEffect(() => {
    if (!running) return;
    const outcomeAt = (e: PointerEvent): GestureOutcome | null => {
      const a = ref.current;
      if (!a) return null;
      const { x, y } = localPoint(a.element, e);
      return gestureOutcome(a.start, x, y, e.altKey, latest.current.context());
    };
    const move = (e: PointerEvent): void => {
      const outcome = outcomeAt(e);
      if (outcome && ref.current) setActive({ ...ref.current, outcome });
    };
    const up = (e: PointerEvent): void => {
      const a = ref.current;
      const outcome = outcomeAt(e);
      setActive(null);
      if (a && outcome) latest.current.finish(a.start, outcome);
    };
    const cancel = (e: KeyboardEvent | FocusEvent): void => {
      if (e instanceof KeyboardEvent) {
        if (e.key !== 'Escape') return;
        // Escape ends the gesture only; it must not also deselect the clip.
        e.preventDefault();
      }
      setActive(null);
    };
    return listenToGesture({ move, up, cancel });
  }, [running, setActive]);

  return {
    active: active && { start: active.start, outcome: active.outcome },
    begin(start, element, free) {
      setActive({ start, element, outcome: gestureOutcome(start, start.x, start.y, free, latest.current.context()) });
    },
  };
}
