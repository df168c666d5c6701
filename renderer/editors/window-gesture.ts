/**
 * The window listeners of a pointer gesture (a note drag in the editors, a clip drag in the
 * arrangement): moves and the release anywhere in the window, and Escape or losing the window's
 * focus to cancel. Escape is heard in the capture phase, before the app's own shortcuts.
 * Returns the function that removes them (an effect's cleanup).
 */
export function listenToGesture(handlers: {
  move(e: PointerEvent): void;
  up(e: PointerEvent): void;
  /** Called for every key while the gesture runs (check for Escape) and on blur. */
  cancel(e: KeyboardEvent | FocusEvent): void;
}): () => void {
  const { move, up, cancel } = handlers;
  window.addEventListener('pointermove', move);
  window.addEventListener('pointerup', up);
  window.addEventListener('keydown', cancel, true);
  window.addEventListener('blur', cancel);
  return () => {
    window.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', up);
    window.removeEventListener('keydown', cancel, true);
    window.removeEventListener('blur', cancel);
  };
}
