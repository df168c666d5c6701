/**
 * The one contract between the Electron main process and the window: IPC channel names, what
 * each carries, and the bridge the preload exposes to the page as `window.riffroom`
 * (contextBridge). The main process validates every input at the boundary (main/ipc-validate.ts);
 * the page only ever sees this narrow, typed surface, never ipcRenderer or Node.
 *
 * Plain types and constants only: imported by main, the preload and the renderer's Electron
 * platform (renderer/platform/electron-platform.ts), like sync-server/contract.ts.
 */

import type { ImportSummary, LibraryClip, LibraryQuery, LibrarySnapshot, PromptPreset } from '../core/library/types.ts';

export const BRIDGE_VERSION = 1;

/** The name of the bridge on the page's window: `window.riffroom`. */
export const BRIDGE_KEY = 'riffroom';

export const CHANNELS = {
  /** invoke SaveFileRequest → SaveFileResult: the native save dialog, then the bytes written. */
  filesSave: 'riffroom:files:save',
  /** invoke OpenFileRequest → OpenedFileResult | null: the native open dialog, then the file read. */
  filesOpen: 'riffroom:files:open',
  /** invoke DragOutRequest → void: write a clip's MIDI file to a temp folder and start a native file drag. */
  filesDragOut: 'riffroom:files:drag-out',
  /** invoke → SessionInfo: which project and session this window shows. */
  sessionInfo: 'riffroom:session:info',
  /** invoke → SessionInfo: bind the session host to the LAN and make an invite. */
  jamHost: 'riffroom:jam:host',
  /** invoke → SessionInfo: stop hosting; the session host serves this machine only again (the window reloads). */
  jamStop: 'riffroom:jam:stop',
  /** invoke CopyLinkRequest → void: put the hosted jam's invite or browser link on the clipboard. */
  jamCopyLink: 'riffroom:jam:copy-link',
  /** invoke JoinRequest → JoinLinkCheck: what a pasted link would join, or what is wrong with it. */
  jamCheck: 'riffroom:jam:check',
  /** invoke JoinRequest → void: open a room on another Riffroom server (the window reloads). */
  jamJoin: 'riffroom:jam:join',
  /** invoke ShareTokenRequest → ShareTokenInfo: is a creator token kept for this server, and how tokens are kept. */
  shareTokenInfo: 'riffroom:share:token-info',
  /** invoke ShareOnlineRequest → ShareOnlineResult: push the open project to a hosted server (on success the window moves there). */
  shareOnline: 'riffroom:share:online',
  /** invoke LibraryRequest → the answer of that library operation (LibraryAnswers): the riff library's SQLite file. */
  library: 'riffroom:library',
  /** send: this window wants a MessagePort to the inference host (answered on inferencePort). */
  inferenceConnect: 'riffroom:inference:connect',
  /** send: this window no longer needs the inference host. */
  inferenceRelease: 'riffroom:inference:release',
  /** main → window, with one MessagePort: talk to the inference host over it. */
  inferencePort: 'riffroom:inference:port',
  /** main → window: InferenceStatus (the host crashed or was given up on). */
  inferenceStatus: 'riffroom:inference:status',
  /** main → window: a RendererCommand chosen from the application menu. */
  menuCommand: 'riffroom:menu:command',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/**
 * The preload hands the inference port to the page with window.postMessage (a MessagePort cannot
 * cross contextBridge); the page takes messages whose data is exactly this string.
 */
export const INFERENCE_PORT_MESSAGE = 'riffroom:inference-port';

/** Limits the main process enforces (main/ipc-validate.ts). */
export const LIMITS = {
  /** A file name suggested for a save dialog. */
  fileNameChars: 255,
  /** Bytes of one saved or opened file (a long WAV export fits). */
  fileBytes: 512 * 1024 * 1024,
  /** Entries of an open dialog's `accept` list. */
  acceptEntries: 16,
  /** A pasted invite link. */
  linkChars: 4096,
  /** Bytes of a clip's MIDI file dragged out of the window (a clip of thousands of notes is ~100 kB). */
  dragBytes: 8 * 1024 * 1024,
  /** Characters of a track's or a clip's name sent with a drag (the file name is made from them). */
  dragNameChars: 200,
  /** Characters of a library search's text. */
  librarySearchChars: 200,
} as const;

export interface SaveFileRequest {
  /** Suggested file name only (no folders): "My Song.mid". */
  name: string;
  bytes: Uint8Array;
  /** "audio/midi", "audio/wav", … (picks the dialog's filter). */
  mimeType: string;
}

export interface SaveFileResult {
  /** False when the user cancelled the dialog. */
  saved: boolean;
  /** The file name chosen (not its folder), when saved. */
  name?: string;
}

export interface DragOutRequest {
  /** The track's name and the clip's: the main process makes "<track> - <clip>.mid" of them, safely. */
  trackName: string;
  clipName: string;
  /** A Standard MIDI File (core/midi clipToMidi). */
  bytes: Uint8Array;
}

export interface OpenFileRequest {
  /** Extensions like ".mid". */
  accept: string[];
}

export interface OpenedFileResult {
  name: string;
  bytes: Uint8Array;
}

export type SessionMode = 'solo' | 'hosting' | 'joined';

export interface SessionInfo {
  mode: SessionMode;
  /** The project file this window shows (solo and hosting), or null for a joined remote room. */
  project: { name: string; path: string } | null;
  /** While hosting a jam: the link to send a bandmate (the app or a browser opens it). */
  invite: string | null;
  /** While hosting: the same link for a bandmate without the app (null when this host serves no web client). */
  browserLink: string | null;
  /** While hosting: this machine's LAN address, or null when it has none (only this computer can join). */
  lanAddress: string | null;
  /** While hosting: when the invite's token expires (seconds since the epoch). */
  inviteExpires: number | null;
}

export interface CopyLinkRequest {
  which: 'invite' | 'browser';
}

/** What "Join a jam" would open, read by the main process (electron/session/links.ts parseJoinLink). */
export type JoinLinkCheck =
  /** `invite`: the link is an invite (its name is a placeholder: the user gives theirs when the room opens). */
  { ok: true; room: string; host: string; name: string; role: string; expires: number; invite?: boolean } | { ok: false; problem: string };

export interface JoinRequest {
  /** An invite link to any Riffroom server: http(s)://host:port/?room=…#token=… (or the older ?room=…&token=…) */
  link: string;
}

export interface ShareTokenRequest {
  /** The hosted server's origin, or null before one is typed. */
  origin: string | null;
}

export interface ShareTokenInfo {
  hasToken: boolean;
  /** What the dialog says about where the token goes (encrypted with the system's keychain, or not kept). */
  note: string;
}

export interface ShareOnlineRequest {
  /** https://host[:port] (http:// only for this machine). */
  origin: string;
  room: string;
  /** Typed in the dialog; null: the one kept for this server. */
  creatorToken: string | null;
}

/** `problem`: sync-server/client/transfer-client.ts TransferProblem, or 'no-token' / 'no-project'. */
export type ShareOnlineResult = { ok: true } | { ok: false; problem: string; message: string; suggestion: string | null };

/**
 * One operation on the riff library (core/library/types.ts LibraryStore, plus `status`), which the
 * main process keeps in `<userData>/library.sqlite` (electron/library/). Checked in main
 * (electron/library/library-ipc.ts parseLibraryRequest) like every other input.
 */
export type LibraryRequest =
  | { op: 'status' }
  | { op: 'saveClip'; clip: LibraryClip }
  | { op: 'getClip'; id: string }
  | { op: 'listClips'; query: LibraryQuery }
  | { op: 'deleteClip'; id: string }
  | { op: 'savePreset'; preset: PromptPreset }
  | { op: 'listPresets' }
  | { op: 'deletePreset'; id: string }
  | { op: 'snapshot' }
  | { op: 'importSnapshot'; snapshot: LibrarySnapshot };

/** Where the library lives and what happened when it was opened. */
export interface LibraryStatus {
  /** The file (desktop) or 'this browser' (IndexedDB). */
  location: string;
  /** A damaged library was set aside and a new one started: what to tell the user (once). */
  notice: string | null;
  /** The library cannot be used at all (a newer Riffroom's file): why. */
  problem: string | null;
}

/** What each library operation answers. */
export interface LibraryAnswers {
  status: LibraryStatus;
  saveClip: undefined;
  getClip: LibraryClip | null;
  listClips: LibraryClip[];
  deleteClip: undefined;
  savePreset: undefined;
  listPresets: PromptPreset[];
  deletePreset: undefined;
  snapshot: LibrarySnapshot;
  importSnapshot: ImportSummary;
}

export type InferenceStatus = { state: 'crashed'; message: string; restartInMs: number } | { state: 'gave-up'; message: string };

/** Menu items the page carries out (the main process only forwards them). */
export const RENDERER_COMMANDS = [
  'undo',
  'redo',
  'export-song-midi',
  'export-clip-midi',
  'export-wav',
  'import-midi',
  'export-musicxml',
  'import-musicxml',
  'check-file',
  'show-shortcuts',
  'show-about',
  'host-jam',
  'join-jam',
] as const;
export type RendererCommand = (typeof RENDERER_COMMANDS)[number];

/** What the preload exposes as `window.riffroom`. */
export interface RiffroomBridge {
  readonly version: typeof BRIDGE_VERSION;
  /** 'darwin', 'win32', 'linux': for shortcuts shown in the UI. */
  readonly platform: string;
  readonly files: {
    save(request: SaveFileRequest): Promise<SaveFileResult>;
    open(request: OpenFileRequest): Promise<OpenedFileResult | null>;
    /** Call from a dragstart handler (after preventDefault): the OS drag of the clip's .mid file begins. */
    dragOut(request: DragOutRequest): Promise<void>;
  };
  readonly session: {
    info(): Promise<SessionInfo>;
    hostJam(): Promise<SessionInfo>;
    stopHosting(): Promise<SessionInfo>;
    copyLink(request: CopyLinkRequest): Promise<void>;
    checkJoinLink(request: JoinRequest): Promise<JoinLinkCheck>;
    joinJam(request: JoinRequest): Promise<void>;
  };
  /** Share online… (absent from bridges older than it). */
  readonly share?: {
    tokenInfo(request: ShareTokenRequest): Promise<ShareTokenInfo>;
    online(request: ShareOnlineRequest): Promise<ShareOnlineResult>;
  };
  /** The riff library kept by the main process (absent from bridges older than it). */
  readonly library?: {
    call<R extends LibraryRequest>(request: R): Promise<LibraryAnswers[R['op']]>;
  };
  readonly inference: {
    /** Asks for a port; it arrives as a window message INFERENCE_PORT_MESSAGE (again after each restart). */
    connect(): void;
    release(): void;
    onStatus(listener: (status: InferenceStatus) => void): () => void;
  };
  onCommand(listener: (command: RendererCommand) => void): () => void;
}
