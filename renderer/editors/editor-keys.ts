/**
 * The clip editors' keyboard map. It applies only while an editor has the focus; keys it does
 * not map (Space, Mod+Z, Alt+arrows...) fall through to the window's shortcuts. Pure, like
 * app/keyboard.ts.
 */
import type { KeyLike } from '../app/keyboard.ts';

export type EditorCommand =
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'quantize'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'selectAll'
  | 'deselect'
  | 'zoomIn'
  | 'zoomOut'
  | 'toggleTool';

export interface EditorKey {
  command: EditorCommand;
  /** Shift held: arrows move a bar or an octave. */
  big: boolean;
}

export function editorCommandForKey(e: KeyLike, isMac: boolean): EditorKey | null {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const big = e.shiftKey;
  if (mod && !e.altKey && !e.shiftKey) {
    switch (key) {
      case 'c':
        return { command: 'copy', big };
      case 'x':
        return { command: 'cut', big };
      case 'v':
        return { command: 'paste', big };
      case 'a':
        return { command: 'selectAll', big };
      default:
        return null;
    }
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (key) {
    case 'Delete':
    case 'Backspace':
      return { command: 'delete', big };
    case 'ArrowLeft':
      return { command: 'left', big };
    case 'ArrowRight':
      return { command: 'right', big };
    case 'ArrowUp':
      return { command: 'up', big };
    case 'ArrowDown':
      return { command: 'down', big };
    case 'q':
      return e.shiftKey ? null : { command: 'quantize', big };
    case 'Escape':
      return { command: 'deselect', big };
    case '=':
    case '+':
      return { command: 'zoomIn', big };
    case '-':
      return { command: 'zoomOut', big };
    case 'b':
      return e.shiftKey ? null : { command: 'toggleTool', big };
    default:
      return null;
  }
}

/** What the editor's help line and the help overlay list. */
export const EDITOR_SHORTCUTS: [string, string][] = [
  ['Click / drag empty space', 'draw a note of the grid length (drums: toggle / paint hits)'],
  ['Click, Shift+click, Shift+drag', 'select, add to the selection, rubber band'],
  ['Drag a note / its right edge', 'move / resize (Alt: off the grid)'],
  ['← → / ↑ ↓', 'move a grid step / a semitone (Shift: a bar / an octave)'],
  ['Delete', 'delete the selected notes'],
  ['Q', 'quantize (the selection, or the whole clip)'],
  ['Mod+C / X / V, Mod+A', 'copy / cut / paste, select all'],
  ['B', 'draw tool ↔ select tool'],
  ['= / -', 'zoom the editor'],
];
