/**
 * The desktop's one library: opened on first use from `<userData>/library.sqlite`, kept open
 * for the app's life. A damaged file was set aside by openSqliteLibrary (its notice is kept for
 * the window to show once); a file from a newer Riffroom leaves the library unavailable, and
 * every call says why.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LibraryStatus } from '../contract.ts';
import type { LibraryHolder } from './library-ipc.ts';
import { LIBRARY_FILE, openSqliteLibrary, type SqliteLibraryStore } from './sqlite-library-store.ts';

export class DesktopLibrary implements LibraryHolder {
  readonly path: string;
  #store: SqliteLibraryStore | null = null;
  #opened = false;
  #notice: string | null = null;
  #problem: string | null = null;

  constructor(userDataDir: string) {
    this.path = join(userDataDir, LIBRARY_FILE);
  }

  #open(): void {
    if (this.#opened) return;
    this.#opened = true;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const opened = openSqliteLibrary(this.path);
      this.#store = opened.store;
      this.#notice = opened.notice;
    } catch (error) {
      this.#problem = (error as Error).message;
    }
  }

  store(): SqliteLibraryStore | null {
    this.#open();
    return this.#store;
  }

  /** The notice is handed out once: the window shows it, and it is not repeated on reload. */
  status(): LibraryStatus {
    this.#open();
    const notice = this.#notice;
    this.#notice = null;
    return { location: this.path, notice, problem: this.#problem };
  }

  close(): void {
    this.#store?.close();
    this.#store = null;
  }
}
