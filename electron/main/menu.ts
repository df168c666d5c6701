/**
 * The application menu, built as a plain template (main/index.ts hands it to
 * Menu.buildFromTemplate). Platform conventions: on macOS the app menu (About, Settings,
 * Services, Hide, Quit) and Close Window in File; elsewhere Quit at the end of File and About
 * in Help. Edit's Undo/Redo are this user's own edits (the page's per-user undo), routed to the
 * page; inside a text field they undo the text. Menu items that act on the song go to the page as
 * RendererCommands; project and session items stay in the main process as MainCommands.
 *
 * Keyboard: the page sees a key first and handles its own shortcuts (Space, Mod+Z, the editor's
 * Mod+C/V/A), so on Windows and Linux the Edit accelerators are shown but not registered (Chromium
 * gives text fields their native editing keys); macOS needs them registered for text fields to
 * copy and paste, and still lets the page handle a key first.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { RendererCommand } from '../contract.ts';

export type MainCommand =
  | 'new-project'
  | 'open-project'
  | 'open-recent'
  | 'clear-recent'
  | 'save-project-as'
  | 'host-jam'
  | 'join-jam'
  | 'copy-invite'
  | 'about';

export interface MenuActions {
  main(command: MainCommand, argument?: string): void;
  renderer(command: RendererCommand): void;
}

export interface MenuState {
  platform: NodeJS.Platform;
  appName: string;
  /** Recent project files, newest first (full paths). */
  recent: string[];
  /** Whether a jam is being hosted (the invite can be copied). */
  hosting: boolean;
  /** Development build: reload and the developer tools in View. */
  dev: boolean;
}

const fileLabel = (path: string): string => path.split(/[\\/]/).pop() || path;

export function menuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const page = (command: RendererCommand) => () => actions.renderer(command);
  const main = (command: MainCommand, argument?: string) => () => actions.main(command, argument);
  const sep: MenuItemConstructorOptions = { type: 'separator' };

  const recent: MenuItemConstructorOptions[] = state.recent.length
    ? [
        ...state.recent
          .slice(0, 10)
          .map((path): MenuItemConstructorOptions => ({ label: fileLabel(path), toolTip: path, click: main('open-recent', path) })),
        sep,
        { id: 'clear-recent', label: 'Clear Recent', click: main('clear-recent') },
      ]
    : [{ label: 'No Recent Projects', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'new-project', label: 'New Project', accelerator: 'CmdOrCtrl+N', click: main('new-project') },
      { id: 'open-project', label: 'Open…', accelerator: 'CmdOrCtrl+O', click: main('open-project') },
      { id: 'open-recent', label: 'Open Recent', submenu: recent },
      sep,
      { id: 'save-project-as', label: 'Save As…', accelerator: 'Shift+CmdOrCtrl+S', click: main('save-project-as') },
      sep,
      { id: 'import-midi', label: 'Import MIDI…', accelerator: 'CmdOrCtrl+I', click: page('import-midi') },
      { id: 'export-song-midi', label: 'Export Song as MIDI…', accelerator: 'CmdOrCtrl+E', click: page('export-song-midi') },
      { id: 'export-clip-midi', label: 'Export Clip as MIDI…', click: page('export-clip-midi') },
      { id: 'export-wav', label: 'Export Audio…', accelerator: 'Shift+CmdOrCtrl+E', click: page('export-wav') },
      { id: 'check-file', label: 'Check a File…', click: page('check-file') },
      sep,
      { id: 'import-musicxml', label: 'Import MusicXML…', click: page('import-musicxml') },
      { id: 'export-musicxml', label: 'Export MusicXML…', click: page('export-musicxml') },
      sep,
      { id: 'host-jam', label: 'Host a Jam…', click: main('host-jam') },
      { id: 'copy-invite', label: 'Copy Invite Link', enabled: state.hosting, click: main('copy-invite') },
      { id: 'join-jam', label: 'Join a Jam…', accelerator: 'CmdOrCtrl+J', click: main('join-jam') },
      sep,
      mac ? { role: 'close', label: 'Close Window' } : { role: 'quit', label: 'E&xit' },
    ],
  };

  const keys = { registerAccelerator: mac };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { id: 'undo', label: 'Undo', accelerator: 'CmdOrCtrl+Z', ...keys, click: page('undo') },
      { id: 'redo', label: 'Redo', accelerator: mac ? 'Shift+Cmd+Z' : 'Ctrl+Y', ...keys, click: page('redo') },
      sep,
      { role: 'cut', ...keys },
      { role: 'copy', ...keys },
      { role: 'paste', ...keys },
      ...(mac ? [{ role: 'pasteAndMatchStyle' as const, ...keys }] : []),
      { role: 'selectAll', ...keys },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(state.dev ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, sep] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
    ],
  };

  const windowMenu: MenuItemConstructorOptions = {
    label: '&Window',
    role: 'windowMenu',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, sep, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  };

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      { id: 'shortcuts', label: 'Keyboard Shortcuts', accelerator: mac ? undefined : 'F1', click: page('show-shortcuts') },
      ...(mac ? [] : [sep, { id: 'about', label: `About ${state.appName}`, click: main('about') }]),
    ],
  };

  const appMenu: MenuItemConstructorOptions = {
    label: state.appName,
    submenu: [
      { role: 'about' },
      sep,
      { role: 'services' },
      sep,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      sep,
      { role: 'quit' },
    ],
  };

  return [...(mac ? [appMenu] : []), file, edit, view, windowMenu, help];
}

/** Finds an item by id anywhere in a template (tests, and enabling items at run time). */
export function findMenuItem(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of template) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const hit = findMenuItem(item.submenu, id);
      if (hit) return hit;
    }
  }
  return undefined;
}
