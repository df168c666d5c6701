/** The browser tab's library: this origin's IndexedDB, or memory where the browser refuses it. */
import { MemoryLibraryStore } from '../../core/library/memory-store.ts';
import type { LibraryStore } from '../../core/library/types.ts';
import type { LibraryStatus } from '../../electron/contract.ts';
import { IndexedDbLibraryStore } from './indexeddb-library-store.ts';
import type { LibraryService } from './library-service.ts';

export function browserLibrary(factory: () => IDBFactory | undefined = () => globalThis.indexedDB): LibraryService {
  let opened: Promise<{ store: LibraryStore; status: LibraryStatus }> | null = null;
  return {
    ready: () =>
      (opened ??= (async () => {
        try {
          const idb = factory();
          if (!idb) throw new Error('this browser offers no IndexedDB');
          return {
            store: await IndexedDbLibraryStore.open(idb),
            status: { location: "this browser's storage", notice: null, problem: null },
          };
        } catch (error) {
          return {
            store: new MemoryLibraryStore(),
            status: {
              location: 'this page only',
              notice: `The browser would not keep a library (${(error as Error).message}): riffs saved now last until this page closes. Export them to keep them.`,
              problem: null,
            },
          };
        }
      })()),
  };
}
