/**
 * Every security decision of the window in one plain module (tested by security.test.ts, which
 * fails on an insecure setting): webPreferences, the Content-Security-Policy, the headers of the
 * app protocol (COOP/COEP for cross-origin isolation: SharedArrayBuffer, wasm threads), which
 * navigations and permissions are allowed. main/index.ts only applies what this returns.
 */
import type { BrowserWindowConstructorOptions, CustomScheme, WebPreferences } from 'electron';

/** The renderer is served from riffroom://app/ (main/app-protocol.ts), never from file://. */
export const APP_SCHEME = 'riffroom';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Registered before `ready`: a standard, secure scheme that fetch() works with. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
};

export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Audio keeps playing when the window is behind another.
    backgroundThrottling: false,
  };
}

export function windowOptions(preloadPath: string, platform: NodeJS.Platform): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#16171b',
    title: 'Riffroom',
    ...(platform === 'darwin' ? { titleBarStyle: 'default' as const } : { autoHideMenuBar: false }),
    webPreferences: webPreferences(preloadPath),
  };
}

/**
 * Origins the page may open websockets to: the local session host on any port, and the server of
 * a joined jam. HTTP goes through the app protocol's proxy (same origin), never straight out.
 */
export function connectSources(sessionWsUrl: string | null): string[] {
  const sources = ["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*'];
  if (sessionWsUrl) {
    const url = new URL(sessionWsUrl);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`not a websocket URL: ${sessionWsUrl}`);
    const origin = `${url.protocol}//${url.host}`;
    if (!sources.includes(origin)) sources.push(origin);
  }
  return sources;
}

/**
 * The page's CSP. Scripts only from the app itself; 'wasm-unsafe-eval' compiles WebAssembly
 * (onnxruntime-web in a browser guest's worker, same build); blob: scripts and workers are how
 * Tone.js starts its AudioWorklet processors and its clock worker. No inline script, no eval, no
 * remote code; no plugins, frames or forms.
 */
export function contentSecurityPolicy(sessionWsUrl: string | null): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
    'worker-src': ["'self'", 'blob:'],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'media-src': ["'self'", 'blob:'],
    'font-src': ["'self'"],
    'connect-src': connectSources(sessionWsUrl),
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Parses a CSP string into directive → sources (for tests and checks). */
export function parseCsp(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

/** Headers on every response of the app protocol. */
export function appResponseHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    // Cross-origin isolation: SharedArrayBuffer and wasm threads work in the page.
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** The window may only ever show the app's own pages (a reload with another room included). */
export function isAllowedNavigation(url: string): boolean {
  try {
    const target = new URL(url);
    return target.protocol === `${APP_SCHEME}:` && target.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * What happens to a link the page tries to open in a new window: never a new Electron window;
 * https links (help, licenses) open in the user's browser; everything else is dropped.
 */
export function newWindowPolicy(url: string): 'open-in-browser' | 'deny' {
  try {
    return new URL(url).protocol === 'https:' ? 'open-in-browser' : 'deny';
  } catch {
    return 'deny';
  }
}

/** The subset of Electron's permission-request details this policy reads. */
export interface PermissionDetails {
  requestingUrl?: string;
  mediaTypes?: string[];
  sysex?: boolean;
  /** A `fileSystem` request (File System Access API): for a directory, and what access. */
  isDirectory?: boolean;
  fileAccessType?: 'writable' | 'readable';
}

/**
 * Permissions: Web MIDI input (no sysex: a page never needs to write a synth's memory), the
 * audio input (a microphone for a count-in or a take) and a folder the user picked (stems), for
 * the app's own pages only. Everything else (camera, geolocation, notifications, HID, serial,
 * clipboard reading, …) is denied.
 */
export function isPermissionAllowed(permission: string, details: PermissionDetails = {}): boolean {
  if (details.requestingUrl !== undefined && !isAllowedNavigation(details.requestingUrl)) return false;
  switch (permission) {
    case 'midi':
      return details.sysex !== true;
    case 'media': {
      const types = details.mediaTypes ?? [];
      return types.length > 0 && types.every((t) => t === 'audio');
    }
    case 'fileSystem':
      // Stems written into the folder the user has just picked in the system's own dialog
      // (renderer/export/folder-save.ts; 'readwrite' may be asked as read, then write). Only a
      // picked directory: the page never names a path itself.
      return details.isDirectory === true && (details.fileAccessType === 'writable' || details.fileAccessType === 'readable');
    default:
      return false;
  }
}

/** Permission checks (navigator.permissions.query, Web MIDI's check) follow the same policy. */
export function isPermissionCheckAllowed(permission: string, requestingOrigin: string): boolean {
  if (requestingOrigin !== APP_ORIGIN && !isAllowedNavigation(requestingOrigin)) return false;
  return permission === 'midi' || permission === 'media';
}
