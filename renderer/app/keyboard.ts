/**
 * The keyboard map of the jam room. Pure: maps a key event to a command name, so the map is
 * testable and listed in one place (the help overlay shows SHORTCUTS).
 */

export type Command =
  | 'togglePlay'
  | 'toStart'
  | 'undo'
  | 'redo'
  | 'deleteClip'
  | 'duplicateClip'
  | 'deselect'
  | 'nudgeLeft'
  | 'nudgeRight'
  | 'nudgeUp'
  | 'nudgeDown'
  | 'selectLeft'
  | 'selectRight'
  | 'selectUp'
  | 'selectDown'
  | 'loopSelection'
  | 'zoomIn'
  | 'zoomOut'
  | 'help';

/** The parts of a KeyboardEvent the map reads. */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function commandForKey(e: KeyLike, isMac: boolean): Command | null {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !isMac) return 'redo';
    if (key === 'd' && !e.shiftKey) return 'duplicateClip';
    return null;
  }
  if (e.ctrlKey || e.metaKey) return null;
  switch (key) {
    case ' ':
      return e.shiftKey || e.altKey ? null : 'togglePlay';
    case 'Home':
    case 'Enter':
      return 'toStart';
    case 'Delete':
    case 'Backspace':
      return 'deleteClip';
    case 'Escape':
      return 'deselect';
    case 'ArrowLeft':
      return e.altKey ? 'selectLeft' : 'nudgeLeft';
    case 'ArrowRight':
      return e.altKey ? 'selectRight' : 'nudgeRight';
    case 'ArrowUp':
      return e.altKey ? 'selectUp' : 'nudgeUp';
    case 'ArrowDown':
      return e.altKey ? 'selectDown' : 'nudgeDown';
    case 'l':
      return e.altKey ? null : 'loopSelection';
    case '=':
    case '+':
      return 'zoomIn';
    case '-':
      return 'zoomOut';
    case '?':
      return 'help';
    default:
      return null;
  }
}

/** What the help overlay lists ("Mod" is ⌘ on a Mac, Ctrl elsewhere). */
export const SHORTCUTS: [string, string][] = [
  ['Space', 'play / stop'],
  ['Home or Enter', 'playhead to the start'],
  ['Mod+Z / Shift+Mod+Z', 'undo / redo your own edits'],
  ['Double-click a lane', 'new clip'],
  ['Drag a clip', 'move it (also to another track)'],
  ['Alt+drag a clip', 'duplicate it'],
  ["Drag a clip's right edge", 'resize it'],
  ['Mod+D', 'duplicate the selected clip after itself'],
  ['Delete / Backspace', 'delete the selected clip'],
  ['← → ↑ ↓', 'move the selected clip a bar / a track'],
  ['Alt+← → ↑ ↓', 'select the neighbouring clip'],
  ['L', "loop the selected clip's bars (again: clear the loop)"],
  ['Click a chord cell', 'type chords: "Am7", or "C G" for two in a bar; Tab moves on'],
  ['= / -', 'zoom in / out'],
  ['Esc', 'deselect'],
  ['?', 'this help'],
];
