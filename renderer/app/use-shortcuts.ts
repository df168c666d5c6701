/**
 * Listens to the keyboard for the whole window and runs the commands of keyboard.ts. Keys typed
 * into a field stay with the field (Ctrl+Z undoes the text there, not the song).
 */
import { useEffect, useRef } from 'react';
import { commandForKey, type Command } from './keyboard.ts';

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);

function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

export function useShortcuts(run: (command: Command) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.isComposing) return;
      if (isTypingTarget(e.target)) return;
      const command = commandForKey(e, IS_MAC);
      if (!command) return;
      e.preventDefault();
      // A focused button would also "click" on the Space/Enter keyup: take the focus away.
      if ((e.target as HTMLElement | null)?.tagName === 'BUTTON') (e.target as HTMLElement).blur();
      latest.current(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
