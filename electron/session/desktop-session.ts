/**
 * What the desktop window shows and how it moves between states — a project of its own (solo),
 * that project hosted as a jam on the LAN, or a jam joined on another server — with no Electron
 * import: the main process (main/index.ts) passes in its dialogs, clipboard and window, the
 * session manager (manager.ts) runs the session host. Every transition is tested under Node with a
 * real session host (tests/electron/desktop-session.test.ts).
 *
 *   open / new / open recent   → solo (hosting stays hosting: the new project is hosted too)
 *   save as                    → the same mode, on the new file
 *   host a jam / stop hosting  → hosting / solo
 *   join (a link, the clipboard, Share online's hosted room) → joined (the local host stops)
 *
 * A crash of the session host is the manager's to recover (restarted on the same port with the
 * same secret, so links keep working); this module keeps its view of the host current and tells
 * the user when the manager gives up.
 */
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import type { SessionInfo } from '../contract.ts';
import { createProject, inspectProject, untitledProjectPath, withProjectExtension, PROJECT_EXTENSION } from '../project/project-file.ts';
import { parseJoinLink, type RoomLink } from '../../sync-server/client/room-link.ts';
import type { HostedSession } from './contract.ts';
import type { SessionEvent, SessionManager } from './manager.ts';

export type DesktopState = { mode: 'solo' | 'hosting'; project: string; hosted: HostedSession } | { mode: 'joined'; target: RoomLink };

/** The native dialogs the transitions use (Electron's dialog module in the app). */
export interface DesktopDialogs {
  error(title: string, message: string): void;
  /** A path to save to, or null when cancelled. */
  savePath(title: string, defaultPath: string): Promise<string | null>;
  /** A project file to open, or null when cancelled. */
  openPath(title: string): Promise<string | null>;
  info(title: string, message: string, detail?: string): Promise<void>;
  /** True when the user chose `yes`. */
  confirm(title: string, message: string, yes: string): Promise<boolean>;
}

export interface DesktopSessionDeps {
  sessions: Pick<SessionManager, 'start' | 'setMode' | 'saveAs' | 'stop' | 'onEvent'>;
  recents: { add(path: string): void; remove(path: string): void };
  dialogs: DesktopDialogs;
  clipboard: { writeText(text: string): void; readText(): string | Promise<string> };
  /** Where untitled projects are made (the user's Documents/Riffroom in the app). */
  projectsFolder(): string;
  /** The window is to show the state as it is now (load its page, title, menu). */
  changed(): void;
  /** Longest link read from the clipboard (the IPC limit). */
  maxLinkChars?: number;
  log?(line: string): void;
}

export class DesktopSession {
  private state: DesktopState | null = null;
  private readonly deps: DesktopSessionDeps;
  private readonly unsubscribe: () => void;

  constructor(deps: DesktopSessionDeps) {
    this.deps = deps;
    this.unsubscribe = deps.sessions.onEvent((event) => this.onSessionEvent(event));
  }

  get current(): DesktopState | null {
    return this.state;
  }

  /** What the page's session bridge reports. */
  info(): SessionInfo {
    const none = { invite: null, browserLink: null, lanAddress: null, inviteExpires: null };
    const state = this.state;
    if (!state) return { mode: 'solo', project: null, ...none };
    if (state.mode === 'joined') return { mode: 'joined', project: null, ...none };
    const hosting = state.mode === 'hosting';
    return {
      mode: state.mode,
      project: { name: basename(state.project, PROJECT_EXTENSION), path: state.project },
      invite: hosting ? state.hosted.inviteLink : null,
      browserLink: hosting ? state.hosted.browserLink : null,
      lanAddress: hosting ? state.hosted.lanAddress : null,
      inviteExpires: hosting ? state.hosted.inviteExpires : null,
    };
  }

  /** The room the window opens: server, room and the token to open it with. */
  endpoint(): { wsUrl: string; room: string; token: string } | null {
    const state = this.state;
    if (!state) return null;
    if (state.mode === 'joined') return { wsUrl: state.target.serverUrl, room: state.target.room, token: state.target.token };
    return { wsUrl: state.hosted.wsUrl, room: state.hosted.room, token: state.hosted.ownerToken };
  }

  /** The HTTP API the app protocol forwards /api/ to. */
  httpUrl(): string | null {
    const state = this.state;
    if (!state) return null;
    return state.mode === 'joined' ? state.target.httpUrl : state.hosted.httpUrl;
  }

  /** What the window's title says. */
  title(): string {
    const info = this.info();
    const what = info.project ? info.project.name : this.state?.mode === 'joined' ? `${this.state.target.room} (joined)` : 'Riffroom';
    return `${what}${info.mode === 'hosting' ? ' — hosting a jam' : ''} — Riffroom`;
  }

  /** Opens a project file; says clearly (and changes nothing) when it cannot be opened. `quiet`: log instead of a dialog. */
  async openProject(path: string, options: { quiet?: boolean } = {}): Promise<boolean> {
    try {
      inspectProject(path, { writable: true });
      const hosted = await this.deps.sessions.start(path, this.state?.mode === 'hosting' ? 'lan' : 'solo');
      this.state = { mode: hosted.mode === 'lan' ? 'hosting' : 'solo', project: hosted.projectPath, hosted };
      this.deps.recents.add(hosted.projectPath);
      this.deps.changed();
      return true;
    } catch (error) {
      if (!options.quiet) this.deps.dialogs.error(`Cannot open ${basename(path)}`, (error as Error).message);
      else this.deps.log?.(`riffroom: cannot open ${path}: ${(error as Error).message}`);
      return false;
    }
  }

  /** Open… from the menu. */
  async openChosen(): Promise<void> {
    const path = await this.deps.dialogs.openPath('Open project');
    if (path) await this.openProject(path);
  }

  /** A recent project that no longer opens leaves the list. */
  async openRecent(path: string): Promise<void> {
    if (!(await this.openProject(path))) this.deps.recents.remove(path);
  }

  /** New project: `untitled` makes the next "Untitled n" without asking (the first start). */
  async newProject(options: { untitled?: boolean } = {}): Promise<void> {
    const folder = this.deps.projectsFolder();
    mkdirSync(folder, { recursive: true });
    let path = untitledProjectPath(folder);
    if (!options.untitled) {
      const chosen = await this.deps.dialogs.savePath('New project', path);
      if (!chosen) return;
      path = withProjectExtension(chosen);
    }
    try {
      createProject(path, { overwrite: !options.untitled });
    } catch (error) {
      this.deps.dialogs.error('Cannot create the project', (error as Error).message);
      return;
    }
    await this.openProject(path);
  }

  /** Save As…: the project continues in the new file (the host copies its log there). */
  async saveAs(): Promise<void> {
    const state = this.state;
    if (!state || state.mode === 'joined') {
      return this.deps.dialogs.error('Nothing to save', 'A joined jam lives on its host; open or create a project of your own to save it.');
    }
    const chosen = await this.deps.dialogs.savePath('Save project as', state.project);
    if (!chosen) return;
    try {
      const hosted = await this.deps.sessions.saveAs(withProjectExtension(chosen), { overwrite: true });
      this.state = { mode: state.mode, project: hosted.projectPath, hosted };
      this.deps.recents.add(hosted.projectPath);
      this.deps.changed();
    } catch (error) {
      this.deps.dialogs.error('Cannot save the project', (error as Error).message);
    }
  }

  /** Hosts the open project on the LAN; the invite goes on the clipboard. `announce`: say so in a message box (no window to show the links). */
  async hostJam(options: { announce?: boolean } = {}): Promise<SessionInfo> {
    const state = this.state;
    if (!state || state.mode === 'joined') throw new Error('open a project of your own to host a jam');
    if (state.mode === 'hosting') return this.info();
    const hosted = await this.deps.sessions.setMode('lan');
    this.state = { mode: 'hosting', project: hosted.projectPath, hosted };
    this.deps.clipboard.writeText(hosted.inviteLink);
    this.deps.changed();
    if (options.announce) {
      void this.deps.dialogs.info(
        'Hosting a jam',
        'Bandmates on your network can join now. The invite link is on the clipboard.',
        `Invite (paste it into "Join a Jam", or open it in a browser):\n${hosted.inviteLink}${hosted.lanAddress ? '' : '\n\nThis machine has no LAN address: only this computer can join.'}`,
      );
    }
    return this.info();
  }

  /** Stop hosting: the session host serves this machine only again (invites stop working). */
  async stopHosting(): Promise<SessionInfo> {
    if (this.state?.mode !== 'hosting') return this.info();
    const hosted = await this.deps.sessions.setMode('solo');
    this.state = { mode: 'solo', project: hosted.projectPath, hosted };
    this.deps.changed();
    return this.info();
  }

  /** The hosted jam's invite (or browser) link, for Copy. */
  hostedLink(which: 'invite' | 'browser'): string {
    if (this.state?.mode !== 'hosting') throw new Error('not hosting a jam');
    const link = which === 'invite' ? this.state.hosted.inviteLink : this.state.hosted.browserLink;
    if (!link) throw new Error('this host serves no web client');
    return link;
  }

  /** The window continues in another server's room; the local session host stops. */
  join(target: RoomLink): void {
    this.state = { mode: 'joined', target };
    void this.deps.sessions.stop();
    this.deps.changed();
  }

  /** "Join a Jam" without a window: there is no native text prompt, so the invite is read from the clipboard. */
  async joinFromClipboard(): Promise<void> {
    const text = await this.deps.clipboard.readText();
    const parsed = parseJoinLink(text.slice(0, (this.deps.maxLinkChars ?? 4096) + 1));
    if (!parsed.ok)
      return this.deps.dialogs.info('Join a jam', 'Copy the invite link you were sent, then choose Join a Jam again.', parsed.problem);
    const target = parsed.link;
    const yes = await this.deps.dialogs.confirm(
      'Join a jam',
      `Join room "${target.room}" on ${new URL(target.httpUrl).host} as ${target.claims.name} (${target.claims.role})?`,
      'Join',
    );
    if (yes) this.join(target);
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onSessionEvent(event: SessionEvent): void {
    const state = this.state;
    if (event.type === 'restarted' && state && state.mode !== 'joined' && event.session.projectPath === state.project) {
      // Same port and secret: the window's connection comes back by itself; the links stay valid.
      this.state = { ...state, hosted: event.session };
    } else if (event.type === 'gave-up' && state && state.mode !== 'joined') {
      this.deps.dialogs.error('The project stopped', `${event.message}. Open the project again to go on.`);
    }
  }
}
