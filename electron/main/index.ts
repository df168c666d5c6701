/**
 * The Electron main process: glue only. Every decision lives in a plain module tested under Node
 * (security.ts, app-protocol.ts, ipc-validate.ts, menu.ts, inference-ports.ts, and the session
 * and project modules in ../session and ../project); this file applies them to Electron's APIs.
 * Bundled by electron/build.ts into electron/dist/main.mjs (package.json "main").
 */
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  net,
  protocol,
  safeStorage,
  session,
  shell,
  utilityProcess,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type MessagePortMain,
  type WebContents,
} from 'electron';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHIPPED_MODEL_ID } from '../../inference/node/shipped-model.ts';
import { CHANNELS, LIMITS, type InferenceStatus, type JoinLinkCheck, type RendererCommand } from '../contract.ts';
import { PROJECT_EXTENSION } from '../project/project-file.ts';
import { RecentProjects } from '../project/recents.ts';
import { parseJoinLink } from '../../sync-server/client/room-link.ts';
import { DesktopSession } from '../session/desktop-session.ts';
import { ServerTokenStore } from '../share/server-tokens-store.ts';
import { shareProject, tokenInfo } from '../share/share-project.ts';
import { SessionManager, utilityProcessLauncher } from '../session/manager.ts';
import { appPageUrl, forwardedHeaders, resolveAppRequest, type RoomEndpoint } from './app-protocol.ts';
import { dragFiles, dragIconPng, type DragFiles } from './drag-files.ts';
import { InferencePorts, type PortHost } from './inference-ports.ts';
import { utilityChild } from '../utility-child.ts';
import type { ClientMessage, ConnectMessage } from '../../inference/contract.ts';
import {
  parseCopyLinkRequest,
  parseDragOutRequest,
  parseJoinCheckRequest,
  parseJoinRequest,
  parseNoArguments,
  parseOpenFileRequest,
  parseProjectPath,
  parseSaveFileRequest,
  parseShareOnlineRequest,
  parseShareTokenRequest,
} from './ipc-validate.ts';
import { menuTemplate, type MainCommand } from './menu.ts';
import {
  APP_ORIGIN,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  appResponseHeaders,
  contentSecurityPolicy,
  isAllowedNavigation,
  isPermissionAllowed,
  isPermissionCheckAllowed,
  newWindowPolicy,
  windowOptions,
} from './security.ts';

const here = dirname(fileURLToPath(import.meta.url)); // electron/dist
const root = join(here, '..', '..');
/** Files onnxruntime-node and the session host read from disk sit outside the asar. */
const unpacked = (path: string): string => path.replace(/app\.asar(?=[\\/])/, 'app.asar.unpacked');
const PATHS = {
  preload: join(here, 'preload.cjs'),
  inferenceHost: join(here, 'inference-host.mjs'),
  sessionHost: join(here, 'session-host.mjs'),
  webRoot: join(root, 'renderer', 'dist'),
  model: unpacked(join(root, 'models', SHIPPED_MODEL_ID)),
};

let mainWindow: BrowserWindow | null = null;
let pendingProject: string | null = projectFromArgv(process.argv);

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const path = projectFromArgv(argv);
    if (path && app.isReady()) void desktop.openProject(path).then(refreshMenu);
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  // macOS: a project double-clicked in the Finder (also before `ready`).
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) void desktop.openProject(path).then(refreshMenu);
    else pendingProject = path;
  });
  app.whenReady().then(start, (error) => fatal(error));
}

function projectFromArgv(argv: string[]): string | null {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue;
    try {
      return parseProjectPath(arg, PROJECT_EXTENSION);
    } catch {
      // not a project file
    }
  }
  return null;
}

const recents = (): RecentProjects => (recentsValue ??= new RecentProjects(app.getPath('userData'), { platform: process.platform }));
let recentsValue: RecentProjects | null = null;
/** Clips dragged out of the window as .mid files, in the app's temp folder (drag-files.ts). */
const drags = (): DragFiles => (dragsValue ??= dragFiles(app.getPath('temp')));
let dragsValue: DragFiles | null = null;
/** Creator tokens for Share online…, encrypted with safeStorage (never in plain text on disk). */
const serverTokens = (): ServerTokenStore =>
  (serverTokensValue ??= new ServerTokenStore(join(app.getPath('userData'), 'server-tokens.json'), safeStorage));
let serverTokensValue: ServerTokenStore | null = null;

const sessions = new SessionManager({
  launch: utilityProcessLauncher(utilityProcess.fork.bind(utilityProcess), PATHS.sessionHost),
  webDir: existsSync(join(PATHS.webRoot, 'index.html')) ? PATHS.webRoot : null,
  modelDir: existsSync(PATHS.model) ? PATHS.model : null,
  userName: userInfo().username.slice(0, 64) || 'me',
});

/** What the window shows and its transitions (open, new, save as, host, join): ../session/desktop-session.ts. */
const desktop = new DesktopSession({
  sessions,
  recents: { add: (path) => recents().add(path), remove: (path) => recents().remove(path) },
  dialogs: {
    error: (title, message) => dialog.showErrorBox(title, message),
    async savePath(title, defaultPath) {
      const chosen = await dialog.showSaveDialog({ title, defaultPath, filters: [{ name: 'Riffroom project', extensions: ['riffroom'] }] });
      return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
    },
    async openPath(title) {
      const chosen = await dialog.showOpenDialog({
        title,
        properties: ['openFile'],
        filters: [{ name: 'Riffroom project', extensions: ['riffroom'] }],
      });
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    },
    async info(title, message, detail) {
      await dialog.showMessageBox({ type: 'info', title, message, detail });
    },
    async confirm(title, message, yes) {
      const answer = await dialog.showMessageBox({ type: 'question', buttons: [yes, 'Cancel'], defaultId: 0, cancelId: 1, title, message });
      return answer.response === 0;
    },
  },
  clipboard: { writeText: (text) => clipboard.writeText(text), readText: () => clipboard.readText() },
  projectsFolder: () => join(app.getPath('documents'), 'Riffroom'),
  changed: () => showWindow(),
  maxLinkChars: LIMITS.linkChars,
  log: (line) => console.error(line),
});

const inference = new InferencePorts<MessagePortMain>({
  launch: launchInferenceHost,
  channel: () => {
    const { port1, port2 } = new MessageChannelMain();
    return { host: port1, window: port2 };
  },
  args: ['--model', PATHS.model, '--providers', 'auto'],
  log: (line) => console.log(line),
});

function launchInferenceHost(args: string[]): PortHost<MessagePortMain> {
  const child = utilityChild<ClientMessage | ConnectMessage>(
    utilityProcess.fork(PATHS.inferenceHost, args, { serviceName: 'Riffroom inference', stdio: 'inherit' }),
  );
  return Object.assign(child, { connect: (message: ConnectMessage, port: MessagePortMain) => child.postWithPorts(message, [port]) });
}

function endpoint(): RoomEndpoint | null {
  return desktop.endpoint();
}

async function start(): Promise<void> {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const d = details as {
      requestingUrl?: string;
      mediaTypes?: string[];
      sysex?: boolean;
      isDirectory?: boolean;
      fileAccessType?: 'writable' | 'readable';
    };
    callback(
      isPermissionAllowed(permission, {
        requestingUrl: d.requestingUrl,
        mediaTypes: d.mediaTypes,
        sysex: d.sysex,
        isDirectory: d.isDirectory,
        fileAccessType: d.fileAccessType,
      }),
    );
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionCheckAllowed(permission, requestingOrigin));
  protocol.handle(APP_SCHEME, serveApp);

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (newWindowPolicy(url) === 'open-in-browser') void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  registerIpc();
  setTimeout(() => drags().cleanup(), 5000); // drags of earlier runs, once the window is up
  const first = pendingProject ?? recents().list()[0]?.path ?? null;
  pendingProject = null;
  if (!(first && (await desktop.openProject(first, { quiet: true })))) await desktop.newProject({ untitled: true });
  refreshMenu();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) showWindow();
  });
}

/** The riffroom://app/ protocol: the built renderer, and the history API proxied to the session. */
async function serveApp(request: Request): Promise<Response> {
  const decision = resolveAppRequest(request.url, request.method, PATHS.webRoot, desktop.httpUrl());
  const headers = appResponseHeaders(contentSecurityPolicy(endpoint()?.wsUrl ?? null));
  if (decision.kind === 'refuse') return new Response(decision.reason, { status: decision.status, headers });
  if (decision.kind === 'proxy') {
    try {
      const body = request.method === 'POST' ? await request.arrayBuffer() : undefined;
      if (body && body.byteLength > 1024 * 1024) return new Response('too large', { status: 413, headers });
      const answer = await net.fetch(decision.url, {
        method: request.method,
        headers: forwardedHeaders(request.headers),
        body,
        bypassCustomProtocolHandlers: true,
      });
      const out = new Headers(headers);
      const type = answer.headers.get('content-type');
      if (type) out.set('content-type', type);
      return new Response(answer.body, { status: answer.status, headers: out });
    } catch (error) {
      return new Response(JSON.stringify({ error: `the sync server did not answer: ${(error as Error).message}` }), {
        status: 502,
        headers,
      });
    }
  }
  try {
    const bytes = await readFile(decision.path);
    return new Response(request.method === 'HEAD' ? null : bytes, {
      status: 200,
      headers: { ...headers, 'Content-Type': decision.contentType },
    });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}

function showWindow(): void {
  const target = endpoint();
  if (!target) return;
  if (!mainWindow || mainWindow.isDestroyed()) {
    const win = new BrowserWindow(windowOptions(PATHS.preload, process.platform));
    mainWindow = win;
    const contentsId = win.webContents.id;
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      inference.release(contentsId);
      if (mainWindow === win) mainWindow = null;
    });
  }
  void mainWindow.loadURL(appPageUrl(target));
  updateWindowTitle();
}

function updateWindowTitle(): void {
  mainWindow?.setRepresentedFilename(desktop.info().project?.path ?? '');
  mainWindow?.setTitle(desktop.title());
  refreshMenu();
}

function refreshMenu(): void {
  const template = menuTemplate(
    {
      platform: process.platform,
      appName: app.name,
      recent: recents()
        .list()
        .map((r) => r.path),
      hosting: desktop.current?.mode === 'hosting',
      dev: !app.isPackaged,
    },
    { main: (command, argument) => void runMainCommand(command, argument), renderer: sendToRenderer },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function sendToRenderer(command: RendererCommand): void {
  mainWindow?.webContents.send(CHANNELS.menuCommand, command);
}

async function runMainCommand(command: MainCommand, argument?: string): Promise<void> {
  switch (command) {
    case 'new-project':
      await desktop.newProject();
      break;
    case 'open-project':
      await desktop.openChosen();
      break;
    case 'open-recent':
      if (argument) await desktop.openRecent(argument);
      break;
    case 'clear-recent':
      recents().clear();
      break;
    case 'save-project-as':
      await desktop.saveAs();
      break;
    case 'host-jam':
      // The page's dialog shows the links and hosts (or stops); without a window, host at once.
      if (mainWindow && !mainWindow.isDestroyed()) return sendToRenderer('host-jam');
      await desktop.hostJam({ announce: true });
      break;
    case 'copy-invite':
      if (desktop.current?.mode === 'hosting') clipboard.writeText(desktop.hostedLink('invite'));
      return;
    case 'join-jam':
      // The page's dialog takes a pasted link; without a window, the link on the clipboard.
      if (mainWindow && !mainWindow.isDestroyed()) return sendToRenderer('join-jam');
      await desktop.joinFromClipboard();
      break;
    case 'about':
      // The page's About box carries the model card and the data licences; without a window, the OS panel.
      if (mainWindow && !mainWindow.isDestroyed()) return sendToRenderer('show-about');
      app.showAboutPanel();
      return;
  }
  refreshMenu();
}

/** Only the app's own page in a window of ours may use the bridge. */
function trusted(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return Boolean(
    frame && frame === event.sender.mainFrame && isAllowedNavigation(frame.url) && BrowserWindow.fromWebContents(event.sender),
  );
}

function handle(channel: string, run: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
  ipcMain.handle(channel, (event, ...args) => {
    if (!trusted(event)) throw new Error(`${channel}: refused (not the app's window)`);
    return run(event, ...args);
  });
}

function inferenceWindow(contents: WebContents) {
  return {
    id: contents.id,
    sendPort: (port: MessagePortMain) => contents.postMessage(CHANNELS.inferencePort, null, [port]),
    sendStatus: (status: InferenceStatus) => contents.send(CHANNELS.inferenceStatus, status),
    isGone: () => contents.isDestroyed(),
  };
}

function registerIpc(): void {
  handle(CHANNELS.filesSave, async (event, value) => {
    const request = parseSaveFileRequest(value);
    const win = BrowserWindow.fromWebContents(event.sender)!;
    const ext = request.name.includes('.') ? request.name.split('.').pop()! : '';
    const chosen = await dialog.showSaveDialog(win, {
      defaultPath: join(app.getPath('documents'), request.name),
      filters: ext ? [{ name: request.mimeType, extensions: [ext] }] : [],
    });
    if (chosen.canceled || !chosen.filePath) return { saved: false };
    await writeFile(chosen.filePath, request.bytes);
    return { saved: true, name: basename(chosen.filePath) };
  });
  handle(CHANNELS.filesDragOut, (event, value) => {
    const request = parseDragOutRequest(value);
    const file = drags().write(request.trackName, request.clipName, request.bytes);
    event.sender.startDrag({ file, icon: nativeImage.createFromBuffer(dragIconPng()) });
  });
  handle(CHANNELS.filesOpen, async (event, value) => {
    const request = parseOpenFileRequest(value);
    const win = BrowserWindow.fromWebContents(event.sender)!;
    const chosen = await dialog.showOpenDialog(win, {
      properties: ['openFile'],
      filters: [{ name: request.accept.join(', '), extensions: request.accept.map((e) => e.slice(1)) }],
    });
    const path = chosen.filePaths[0];
    if (chosen.canceled || !path) return null;
    const size = (await stat(path)).size;
    if (size > LIMITS.fileBytes) throw new Error(`${basename(path)} is larger than ${LIMITS.fileBytes} bytes`);
    return { name: basename(path), bytes: new Uint8Array(await readFile(path)) };
  });
  handle(CHANNELS.sessionInfo, (_event, ...args) => {
    parseNoArguments('session info', args);
    return desktop.info();
  });
  handle(CHANNELS.jamHost, (_event, ...args) => {
    parseNoArguments('host a jam', args);
    return desktop.hostJam();
  });
  handle(CHANNELS.jamStop, (_event, ...args) => {
    parseNoArguments('stop hosting', args);
    return desktop.stopHosting();
  });
  handle(CHANNELS.jamCopyLink, (_event, value) => {
    const { which } = parseCopyLinkRequest(value);
    clipboard.writeText(desktop.hostedLink(which));
  });
  handle(CHANNELS.jamCheck, (_event, value): JoinLinkCheck => {
    const parsed = parseJoinLink(parseJoinCheckRequest(value).link);
    if (!parsed.ok) return parsed;
    const { link: target } = parsed;
    return {
      ok: true,
      room: target.room,
      host: new URL(target.httpUrl).host,
      name: target.claims.name,
      role: target.claims.role,
      expires: target.claims.exp,
      ...(target.claims.invite ? { invite: true } : {}),
    };
  });
  handle(CHANNELS.jamJoin, (_event, value) => {
    const parsed = parseJoinLink(parseJoinRequest(value).link);
    if (!parsed.ok) throw new Error(parsed.problem);
    desktop.join(parsed.link);
  });
  handle(CHANNELS.shareTokenInfo, (_event, value) => tokenInfo(serverTokens(), parseShareTokenRequest(value).origin));
  handle(CHANNELS.shareOnline, async (_event, value) => {
    const request = parseShareOnlineRequest(value);
    const current = desktop.current;
    if (!current || current.mode === 'joined') {
      return {
        ok: false,
        problem: 'no-project',
        message: 'Open a project of your own to share it online (a joined jam lives on its host).',
        suggestion: null,
      };
    }
    // Electron's net.fetch: Chromium's networking, so an untrusted certificate says net::ERR_CERT_….
    const { result, target } = await shareProject({
      projectPath: current.project,
      request,
      tokens: serverTokens(),
      fetch: (url, init) =>
        net.fetch(url, { method: init.method, headers: init.headers, body: init.body as unknown as RequestInit['body'] }),
      tempDir: app.getPath('temp'),
    });
    // The window continues in the hosted room as its owner; the local session host stops.
    if (target) desktop.join(target);
    return result;
  });
  ipcMain.on(CHANNELS.inferenceConnect, (event) => {
    if (trusted(event)) inference.connect(inferenceWindow(event.sender));
  });
  ipcMain.on(CHANNELS.inferenceRelease, (event) => {
    if (trusted(event)) inference.release(event.sender.id);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Quit only after the session host has folded the log into the project file.
let quitting = false;
app.on('will-quit', (event) => {
  if (quitting) return;
  event.preventDefault();
  quitting = true;
  void Promise.allSettled([sessions.stop(), inference.stop()]).finally(() => app.quit());
});

function fatal(error: unknown): void {
  dialog.showErrorBox('Riffroom could not start', (error as Error)?.stack ?? String(error));
  app.exit(1);
}

export const ORIGIN = APP_ORIGIN;
