/**
 * Serves the built web client (renderer/dist) at / and model folders at /models/<id>/, so a
 * browser guest needs nothing but the invite link. Every response carries the headers that make
 * the page cross-origin isolated (COOP same-origin + COEP require-corp), which onnxruntime-web
 * needs for wasm threads; files get ETags, hashed bundles are cached for good.
 *
 * Only files inside the configured folders are ever served: paths with '..', '.', hidden or
 * empty segments, backslashes or NUL are refused, and a symlink that leads out of its folder is
 * not followed (a model folder that is itself a symlink is fine: containment is checked against
 * the folder's real path).
 */
import { createReadStream, realpathSync, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export interface StaticOptions {
  /** The built renderer (index.html + assets), served at /; null serves no web client. */
  webDir: string | null;
  /** Model folders, each served at /models/<id>/. */
  models: { id: string; dir: string }[];
}

/**
 * Headers every static response carries: a cross-origin isolated page, no MIME sniffing, and no
 * Referer sent from the page (its URL carries the room's token).
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Bundles whose names carry a content hash (renderer/build.ts: assets/<name>-<HASH>.<ext>). */
const HASHED = /^assets\/[\w-]+-[A-Z0-9]{8}\.[\w.]+$/;
const MODEL_ID = /^[A-Za-z0-9][\w.-]{0,99}$/;

interface Root {
  dir: string;
  real: string;
}

function rootOf(dir: string): Root | null {
  try {
    return { dir: resolve(dir), real: realpathSync(dir) };
  } catch {
    return null;
  }
}

/** The file `relative` names inside `root`, or null when it is not a plain file inside it. */
function fileInside(root: Root, relative: string): { path: string; stat: Stats } | null {
  const segments = relative.split('/');
  if (relative.includes('\\') || relative.includes('\0') || segments.some((s) => s === '' || s.startsWith('.'))) return null;
  const path = resolve(root.dir, ...segments);
  if (!path.startsWith(root.dir + sep)) return null;
  try {
    const real = realpathSync(path);
    if (!real.startsWith(root.real + sep)) return null;
    const stat = statSync(real);
    return stat.isFile() ? { path: real, stat } : null;
  } catch {
    return null;
  }
}

function etagOf(stat: Stats): string {
  return `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
}

/**
 * A request handler for the static routes; it returns false for paths it does not serve (the
 * server answers those itself, with its JSON 404).
 */
export function createStaticHandler(options: StaticOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const web = options.webDir ? rootOf(options.webDir) : null;
  const models = new Map<string, Root>();
  for (const m of options.models) {
    const root = rootOf(m.dir);
    if (root && MODEL_ID.test(m.id)) models.set(m.id, root);
  }

  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return false;
    }
    let root: Root | null | undefined;
    let relative: string;
    let cache = 'no-cache';
    const model = /^\/models\/([^/]+)\/(.+)$/.exec(pathname);
    if (model) {
      root = models.get(model[1]!);
      relative = model[2]!;
    } else {
      root = web;
      relative = pathname === '/' ? 'index.html' : pathname.slice(1);
      if (HASHED.test(relative)) cache = 'public, max-age=31536000, immutable';
    }
    if (!root) return false;
    const file = fileInside(root, relative);
    if (!file) return false;

    const etag = etagOf(file.stat);
    const headers: Record<string, string | number> = {
      ...ISOLATION_HEADERS,
      'Content-Type': MIME_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      'Cache-Control': cache,
      ETag: etag,
      'Last-Modified': file.stat.mtime.toUTCString(),
    };
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      res.writeHead(304, headers).end();
      return true;
    }
    headers['Content-Length'] = file.stat.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  };
}

/** The renderer build this checkout serves by default, when it has been built. */
export const DEFAULT_WEB_DIR = new URL('../renderer/dist/', import.meta.url).pathname.replace(/\/$/, '');

export function hasIndex(dir: string): boolean {
  try {
    return statSync(join(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
}
