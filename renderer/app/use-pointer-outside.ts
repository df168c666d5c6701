/** Closing a popup menu when a pointer goes down anywhere outside it, as menus do. */
import { type RefObject, useEffect } from 'react';

/** While `open`, a pointerdown outside `inside`'s element calls `close`. */
export function usePointerOutside(open: boolean, inside: RefObject<HTMLElement | null>, close: () => void): void {
  useEffect(() => {
    if (!open) return;
    const onPointerDown = (e: PointerEvent): void => {
      if (!inside.current?.contains(e.target as Node)) close();
    };
    window.addEventListener('pointerdown', onPointerDown);
    return () => window.removeEventListener('pointerdown', onPointerDown);
  }, [open, inside, close]);
}
