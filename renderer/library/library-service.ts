/**
 * The riff library as the UI sees it, wherever it lives: a LibraryStore and its status. In the
 * desktop window the main process keeps it in one SQLite file (electron/library/, over the
 * preload bridge: library-bridge.ts); in a browser tab it is this origin's IndexedDB, or — where
 * the browser refuses IndexedDB (some private windows) — memory, which the status says
 * (library-browser.ts).
 */
import type { LibraryStore } from '../../core/library/types.ts';
import type { LibraryStatus } from '../../electron/contract.ts';

export interface LibraryService {
  /** Resolves once the library is open (or known to be unavailable). */
  ready(): Promise<{ store: LibraryStore; status: LibraryStatus }>;
}
