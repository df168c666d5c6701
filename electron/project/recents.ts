/**
 * The Recent Projects list: a small JSON file in the app's userData folder. Newest first, one
 * entry per file, at most MAX_RECENTS; files that no longer exist are dropped when the list is
 * read. A damaged or foreign recents file is treated as an empty list (and replaced on the next
 * change), never an error: losing the list is harmless, refusing to start is not.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const RECENTS_FILE = 'recent-projects.json';
export const MAX_RECENTS = 10;
const RECENTS_VERSION = 1;

export interface RecentProject {
  path: string;
  /** What the menu shows: the file name without its extension. */
  name: string;
  /** When it was last opened (ms since the epoch). */
  openedAt: number;
}

export interface RecentsOptions {
  /** How paths compare: case-insensitively on Windows and macOS (their usual file systems). */
  platform?: NodeJS.Platform;
  /** Whether a file is still there (tests may fake it). */
  exists?: (path: string) => boolean;
}

export class RecentProjects {
  readonly file: string;
  private readonly platform: NodeJS.Platform;
  private readonly exists: (path: string) => boolean;

  constructor(userDataDir: string, options: RecentsOptions = {}) {
    this.file = join(userDataDir, RECENTS_FILE);
    this.platform = options.platform ?? process.platform;
    this.exists = options.exists ?? existsSync;
  }

  /** The list, newest first, without files that are gone. */
  list(): RecentProject[] {
    return this.read().filter((r) => this.exists(r.path));
  }

  /** Puts `path` at the top (moving it up when it is already listed). */
  add(path: string, now = Date.now()): RecentProject[] {
    const file = resolve(path);
    const entry: RecentProject = { path: file, name: basename(file, extname(file)), openedAt: now };
    const next = [entry, ...this.list().filter((r) => this.key(r.path) !== this.key(file))].slice(0, MAX_RECENTS);
    this.write(next);
    return next;
  }

  remove(path: string): RecentProject[] {
    const key = this.key(resolve(path));
    const next = this.list().filter((r) => this.key(r.path) !== key);
    this.write(next);
    return next;
  }

  clear(): void {
    this.write([]);
  }

  private key(path: string): string {
    return this.platform === 'win32' || this.platform === 'darwin' ? path.toLowerCase() : path;
  }

  private read(): RecentProject[] {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return []; // missing or not JSON
    }
    const projects = (data as { version?: unknown; projects?: unknown } | null)?.projects;
    if (!Array.isArray(projects)) return [];
    const seen = new Set<string>();
    const out: RecentProject[] = [];
    for (const item of projects as unknown[]) {
      const r = item as Partial<RecentProject> | null;
      if (!r || typeof r.path !== 'string' || r.path === '' || !isAbsolute(r.path)) continue;
      if (extname(r.path).toLowerCase() !== '.riffroom') continue;
      const key = this.key(r.path);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        path: r.path,
        name: typeof r.name === 'string' && r.name ? r.name : basename(r.path, extname(r.path)),
        openedAt: typeof r.openedAt === 'number' && Number.isFinite(r.openedAt) ? r.openedAt : 0,
      });
      if (out.length >= MAX_RECENTS) break;
    }
    return out;
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a list. */
  private write(projects: RecentProject[]): void {
    mkdirSync(resolve(this.file, '..'), { recursive: true });
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ version: RECENTS_VERSION, projects }, null, 2)}\n`);
    renameSync(temp, this.file);
  }
}
